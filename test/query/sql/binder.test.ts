/** Binding: types and implicit conversions, name resolution, plan shapes, errors with positions. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { StrataError, typeToSql, type DataType } from '../../../storage/index.js';
import type { TableSource } from '../../../query/catalog.js';
import { QueryEngine, explainPlan, type Expr, type LogicalPlan } from '../../../query/index.js';
import { parseSql } from '../../../query/sql/parse.js';
import { bindStatement, tableNamesOf, type BoundStatement } from '../../../query/sql/binder.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { tpchDirectory } from '../../support/paths.js';

const tpch = tpchDirectory;

async function tpchCatalog(): Promise<MemoryCatalog> {
  const catalog = new MemoryCatalog();
  const engine = new QueryEngine(catalog);
  for (const statement of readFileSync(`${tpch}/schema.sql`, 'utf8').split(';')) {
    if (statement.trim() !== '') await engine.execute(statement);
  }
  await engine.execute('CREATE TABLE t (i INTEGER NOT NULL, s SMALLINT, b BIGINT, d DECIMAL(15,2), f DOUBLE, v VARCHAR, dt DATE, ts TIMESTAMP)');
  return catalog;
}

async function bind(catalog: MemoryCatalog, sql: string): Promise<BoundStatement> {
  const { source, statement } = parseSql(sql);
  const tables = new Map<string, TableSource>();
  for (const name of tableNamesOf(statement)) {
    const table = await catalog.getTable(name);
    if (table !== null) tables.set(name, table);
  }
  return bindStatement(statement, { source, tables });
}

async function planOf(catalog: MemoryCatalog, sql: string): Promise<LogicalPlan> {
  const bound = await bind(catalog, sql);
  assert.ok(bound.kind === 'query', bound.kind);
  return bound.plan;
}

/** The expressions of the top Project of `SELECT … FROM t`. */
async function selectExprs(catalog: MemoryCatalog, list: string): Promise<readonly Expr[]> {
  const plan = await planOf(catalog, `SELECT ${list} FROM t`);
  assert.equal(plan.kind, 'project');
  return (plan as Extract<LogicalPlan, { kind: 'project' }>).exprs;
}

async function bindError(catalog: MemoryCatalog, sql: string): Promise<StrataError> {
  try {
    await bind(catalog, sql);
  } catch (error) {
    assert.ok(error instanceof StrataError, String(error));
    return error;
  }
  assert.fail(`expected ${sql} to fail`);
}

const sql = (type: DataType): string => typeToSql(type);

describe('binder', () => {
  let catalog: MemoryCatalog;
  before(async () => { catalog = await tpchCatalog(); });

  it('types arithmetic as agreed with the executor', async () => {
    const exprs = await selectExprs(catalog, 'i + s, i + b, d * d, d + 1, d - f, i / 2, d / d, i % 2, dt - dt, dt + INTERVAL \'1\' DAY, dt + INTERVAL \'1\' HOUR, ts - INTERVAL \'2\' MONTH');
    assert.deepEqual(exprs.map((e) => sql(e.type)), [
      'INTEGER', 'BIGINT', 'DECIMAL(18,4)', 'DECIMAL(16,2)', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'INTEGER', 'INTEGER', 'DATE', 'TIMESTAMP', 'TIMESTAMP',
    ]);
    // An integer column mixed with a decimal becomes DECIMAL(18,0) first.
    const [mixed] = await selectExprs(catalog, 'i * d');
    assert.equal(mixed.kind, 'call');
    assert.deepEqual((mixed as Extract<Expr, { kind: 'call' }>).args.map((a) => `${a.kind}:${sql(a.type)}`), ['cast:DECIMAL(18,0)', 'column:DECIMAL(15,2)']);
  });

  it('types aggregates: count BIGINT, sum exact, avg DOUBLE', async () => {
    const plan = await planOf(catalog, 'SELECT count(*), count(v), sum(i), sum(d), sum(f), avg(d), min(v), max(dt) FROM t');
    assert.deepEqual(plan.schema.fields.map((f) => sql(f.type)), ['BIGINT', 'BIGINT', 'BIGINT', 'DECIMAL(38,2)', 'DOUBLE', 'DOUBLE', 'VARCHAR', 'DATE']);
  });

  it('converts literals to the column type where exact, so scans compare raw units', async () => {
    const plan = await planOf(catalog, "SELECT l_orderkey FROM lineitem WHERE l_quantity < 24 AND l_shipdate >= '1994-01-01' AND l_discount = 0.5 AND l_returnflag IN ('A', 'R')");
    const text = explainPlan(plan).join('\n');
    assert.match(text, /l_quantity < 24\.00/);
    assert.match(text, /l_shipdate >= DATE '1994-01-01'/);
    assert.match(text, /l_discount = 0\.50/);
    // A literal that is not exact in the column type makes the column convert instead.
    const exprs = await selectExprs(catalog, 'i = 1.5, s = 100000, d < 0.001');
    assert.deepEqual(exprs.map((e) => (e as Extract<Expr, { kind: 'call' }>).args.map((a) => `${a.kind}:${sql(a.type)}`).join(' ')), [
      'cast:DECIMAL(18,1) literal:DECIMAL(18,1)', 'cast:INTEGER literal:INTEGER', 'cast:DECIMAL(16,3) literal:DECIMAL(16,3)',
    ]);
  });

  it('groups by expression, position and alias, and orders by hidden columns', async () => {
    const byAlias = await planOf(catalog, 'SELECT extract(year FROM dt) AS y, count(*) FROM t GROUP BY y ORDER BY 1');
    const byPosition = await planOf(catalog, 'SELECT extract(year FROM dt) AS y, count(*) FROM t GROUP BY 1 ORDER BY y');
    const byExpression = await planOf(catalog, 'SELECT extract(year FROM dt) AS y, count(*) FROM t GROUP BY extract(year FROM dt) ORDER BY y');
    assert.deepEqual(explainPlan(byAlias), explainPlan(byPosition));
    assert.deepEqual(explainPlan(byAlias), explainPlan(byExpression));
    const hidden = await planOf(catalog, 'SELECT v FROM t ORDER BY i DESC LIMIT 3');
    assert.deepEqual(explainPlan(hidden), [
      'Project: v',
      '  Limit: limit=3 offset=0',
      '    Sort: #order1 DESC',
      '      Project: v, i AS #order1',
      '        Scan: t projection=[i, s, b, d, f, v, dt, ts] partitions=0/0 (0 pruned)',
    ]);
  });

  it('binds all 22 TPC-H queries', async () => {
    for (let i = 1; i <= 22; i++) {
      const text = readFileSync(`${tpch}/queries/q${i}.sql`, 'utf8');
      assert.equal((await bind(catalog, text)).kind, 'query', `q${i}`);
    }
  });

  it('names the position of unknown columns and tables', async () => {
    const column = await bindError(catalog, 'SELECT i,\n       nope\nFROM t');
    assert.equal(column.code, 'COLUMN_NOT_FOUND');
    assert.deepEqual(column.details.position, { line: 2, column: 8, offset: 17 });
    assert.match(column.message, /column nope not found; available columns: i, s, b/);
    const table = await bindError(catalog, 'SELECT *\nFROM nowhere');
    assert.equal(table.code, 'TABLE_NOT_FOUND');
    assert.deepEqual(table.details.position, { line: 2, column: 6, offset: 14 });
    const qualified = await bindError(catalog, 'SELECT x.i FROM t');
    assert.match(qualified.message, /no table or alias named x/);
  });

  it('says which operator and types do not fit', async () => {
    const error = await bindError(catalog, 'SELECT i FROM t WHERE v > 1');
    assert.equal(error.code, 'TYPE_MISMATCH');
    assert.match(error.message, /operator >: cannot compare VARCHAR with INTEGER/);
    assert.equal((await bindError(catalog, "SELECT i FROM t WHERE dt > 'soon'")).code, 'INVALID_CAST');
    const mismatch = await bindError(catalog, 'SELECT i FROM t WHERE i + v = 2');
    assert.equal(mismatch.code, 'TYPE_MISMATCH');
    assert.match(mismatch.message, /operator \+ cannot be applied to INTEGER and VARCHAR \(at line 1, column 23\)/);
    const comparison = await bindError(catalog, 'SELECT i FROM t WHERE dt = 5');
    assert.match(comparison.message, /cannot compare DATE with INTEGER/);
  });

  it('rejects misplaced aggregates and ungrouped columns with their positions', async () => {
    const ungrouped = await bindError(catalog, 'SELECT v, i FROM t GROUP BY v');
    assert.equal(ungrouped.code, 'COLUMN_NOT_IN_GROUP_BY');
    assert.equal(ungrouped.details.position?.column, 11);
    assert.equal((await bindError(catalog, 'SELECT i FROM t WHERE count(*) > 1')).code, 'AGGREGATE_MISUSE');
    assert.equal((await bindError(catalog, 'SELECT i AS x, v AS x FROM t ORDER BY x')).code, 'COLUMN_AMBIGUOUS');
  });

  it('binds INSERT with casts to the column types and NULL for missing columns', async () => {
    const bound = await bind(catalog, "INSERT INTO t (v, i, d) VALUES ('a', 1, 2), ('b', 2, 3.456)");
    assert.ok(bound.kind === 'insert');
    assert.equal(bound.plan.kind, 'values');
    const rows = (bound.plan as Extract<LogicalPlan, { kind: 'values' }>).rows;
    assert.deepEqual(rows[0].map((e) => (e.kind === 'literal' ? e.value : e.kind)), [1, null, null, 200, null, 'a', null, null]);
    // 3.456 does not fit DECIMAL(15,2) exactly: the executor rounds it through a cast.
    assert.equal(rows[1][3].kind, 'cast');
    assert.equal((await bindError(catalog, 'INSERT INTO t (v) VALUES (1)')).code, 'NOT_NULL_VIOLATION');
  });
});
