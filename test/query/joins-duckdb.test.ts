/**
 * Differential test of joins, subqueries, set operations and windows: the same generated
 * tables (NULL and duplicate keys, several partitions) in strata and in DuckDB, the same
 * queries, the same rows. Rows are compared as sorted multisets (queries with LIMIT order by
 * unique keys); DOUBLE values within a relative 1e-9.
 */
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Types, type Schema } from '../../storage/index.js';
import { QueryEngine } from '../../query/index.js';
import { MemoryCatalog } from './support/memory-catalog.js';
import { batchFromRows, type TestValue } from './support/memory-table.js';
import { formatValue } from './slt/runner.js';

const factSchema: Schema = {
  fields: [
    { name: 'id', type: Types.int32, nullable: false },
    { name: 'dim', type: Types.int32, nullable: true },
    { name: 'tag', type: Types.string, nullable: true },
    { name: 'amount', type: Types.decimal(10, 2), nullable: true },
    { name: 'ratio', type: Types.float64, nullable: true },
  ],
};
const dimSchema: Schema = {
  fields: [
    { name: 'dim', type: Types.int64, nullable: true },
    { name: 'name', type: Types.string, nullable: true },
    { name: 'tag', type: Types.string, nullable: true },
  ],
};
const ddl = [
  'CREATE TABLE f (id INTEGER NOT NULL, dim INTEGER, tag VARCHAR, amount DECIMAL(10,2), ratio DOUBLE)',
  'CREATE TABLE g (dim BIGINT, name VARCHAR, tag VARCHAR)',
];

/** Deterministic pseudo-random numbers (no Math.random in tests). */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function generateTables(): { facts: TestValue[][]; dims: TestValue[][] } {
  const next = generator(7_654_321);
  const maybe = <T>(value: T, chance = 0.1): T | null => (next() < chance ? null : value);
  const tags = ['red', 'green', 'blue', 'grey'];
  const facts: TestValue[][] = [];
  for (let id = 1; id <= 600; id++) {
    facts.push([id, maybe(Math.floor(next() * 45)), maybe(tags[Math.floor(next() * 4)]), maybe((Math.floor(next() * 100_000) / 100).toFixed(2)), maybe(Math.round(next() * 1e6) / 1e3)]);
  }
  const dims: TestValue[][] = [];
  // Keys 0..39 with some duplicated and some missing, plus NULL keys.
  for (let dim = 0; dim < 40; dim++) {
    if (dim % 7 === 3) continue;
    dims.push([dim, `d${dim}`, maybe(tags[dim % 4], 0.2)]);
    if (dim % 5 === 0) dims.push([dim, `d${dim}b`, tags[(dim + 1) % 4]]);
  }
  dims.push([null, 'none', 'red'], [null, 'none2', null]);
  return { facts, dims };
}

function sqlLiteral(value: TestValue, type: Schema['fields'][number]['type']): string {
  if (value === null) return 'NULL';
  return type.id === 'string' ? `'${String(value)}'` : String(value);
}

const queries = [
  'SELECT f.id, g.name FROM f JOIN g ON f.dim = g.dim',
  'SELECT f.id, g.name, g.tag FROM f LEFT JOIN g ON f.dim = g.dim AND g.tag = f.tag',
  'SELECT f.id, g.name FROM f RIGHT JOIN g ON f.dim = g.dim WHERE f.id IS NULL OR f.id < 50',
  'SELECT f.id, g.name FROM f FULL JOIN g ON f.dim = g.dim AND f.amount > 500',
  'SELECT g.name, count(*), sum(f.amount), avg(f.ratio) FROM f, g WHERE f.dim = g.dim AND f.tag <> g.tag GROUP BY g.name',
  'SELECT a.id, b.id FROM f AS a JOIN f AS b ON a.dim = b.dim AND a.tag = b.tag AND a.id < b.id WHERE a.id < 100',
  'SELECT id FROM f WHERE dim IN (SELECT dim FROM g WHERE tag = \'red\')',
  'SELECT id FROM f WHERE dim NOT IN (SELECT dim FROM g)',
  'SELECT id FROM f WHERE dim NOT IN (SELECT dim FROM g WHERE dim IS NOT NULL)',
  'SELECT id, dim IN (SELECT dim FROM g WHERE name LIKE \'%b\') FROM f',
  'SELECT name FROM g WHERE EXISTS (SELECT 1 FROM f WHERE f.dim = g.dim AND f.amount > 900)',
  'SELECT name FROM g WHERE NOT EXISTS (SELECT 1 FROM f WHERE f.dim = g.dim AND f.tag = g.tag)',
  'SELECT name, (SELECT count(*) FROM f WHERE f.dim = g.dim), (SELECT max(amount) FROM f WHERE f.dim = g.dim AND f.tag = \'blue\') FROM g',
  'SELECT id, amount FROM f WHERE amount > (SELECT avg(amount) FROM f AS x WHERE x.tag = f.tag)',
  'SELECT tag, count(*) FROM f GROUP BY tag HAVING count(*) > (SELECT count(*) / 5 FROM f)',
  'WITH t AS (SELECT dim, sum(amount) AS s FROM f GROUP BY dim) SELECT g.name, t.s FROM t JOIN g ON t.dim = g.dim WHERE t.s > (SELECT avg(s) FROM t)',
  'SELECT dim FROM f UNION SELECT dim FROM g',
  'SELECT tag FROM f UNION ALL SELECT tag FROM g',
  'SELECT dim, tag FROM f INTERSECT SELECT dim, tag FROM g',
  'SELECT dim FROM f EXCEPT SELECT dim FROM g',
  'SELECT tag FROM f EXCEPT ALL SELECT tag FROM g',
  'SELECT id, row_number() OVER (PARTITION BY tag ORDER BY amount DESC NULLS LAST, id), rank() OVER (PARTITION BY dim ORDER BY tag), dense_rank() OVER (ORDER BY dim) FROM f',
  'SELECT id, sum(amount) OVER (PARTITION BY tag ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING), avg(ratio) OVER (PARTITION BY dim), count(amount) OVER (ORDER BY dim, id) FROM f',
  'SELECT id, lag(amount, 2) OVER (PARTITION BY tag ORDER BY id), lead(tag, 1, \'end\') OVER (ORDER BY id), first_value(id) OVER (PARTITION BY dim ORDER BY amount NULLS FIRST, id), min(ratio) OVER (PARTITION BY tag ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) FROM f',
  'SELECT id, sum(id) OVER (ORDER BY dim RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING), max(amount) OVER (PARTITION BY tag ORDER BY dim) FROM f',
  'SELECT g.name, sum(f.amount), rank() OVER (ORDER BY sum(f.amount) DESC, g.name) FROM f JOIN g ON f.dim = g.dim GROUP BY g.name',
];

async function duckRows(connection: DuckDBConnection, sql: string): Promise<string[][]> {
  const result = await connection.runAndReadAll(sql);
  return result.getRowsJson().map((row) => row.map((value) => {
    if (value === null) return 'NULL';
    const text = String(value);
    return text === '' ? '(empty)' : text;
  }));
}

function sameValue(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  const a = Number(actual);
  const b = Number(expected);
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

/** Rows in a canonical order: numbers rounded so floating noise cannot reorder them. */
function sorted(rows: string[][]): string[][] {
  const key = (row: string[]): string => JSON.stringify(row.map((v) => (/^-?\d+(\.\d+)?(e[-+]\d+)?$/i.test(v) ? Number(v).toPrecision(9) : v)));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('joins, subqueries, set operations and windows against DuckDB', function () {
  this.timeout(60_000);
  let engine: QueryEngine;
  let duck: DuckDBConnection;

  before(async () => {
    const { facts, dims } = generateTables();
    const catalog = new MemoryCatalog({ partitionRowsMax: 50 });
    engine = new QueryEngine(catalog);
    const instance = await DuckDBInstance.create(':memory:');
    duck = await instance.connect();
    for (const statement of ddl) {
      await engine.execute(statement);
      await duck.run(statement);
    }
    await catalog.insert('f', [batchFromRows(factSchema, facts)]);
    await catalog.insert('g', [batchFromRows(dimSchema, dims)]);
    await duck.run(`INSERT INTO f VALUES ${facts.map((row) => `(${row.map((v, c) => sqlLiteral(v, factSchema.fields[c].type)).join(', ')})`).join(', ')}`);
    await duck.run(`INSERT INTO g VALUES ${dims.map((row) => `(${row.map((v, c) => sqlLiteral(v, dimSchema.fields[c].type)).join(', ')})`).join(', ')}`);
  });

  for (const sql of queries) {
    it(sql, async () => {
      const expected = sorted(await duckRows(duck, sql));
      const result = await engine.execute(sql);
      const rows: string[][] = [];
      for (const batch of result.batches) {
        for (let i = 0; i < batch.length; i++) {
          rows.push(batch.columns.map((v) => (v.kind === 'numeric' && v.type.id === 'float64' && !(v.nulls?.[i] === 1) ? String(v.values[i]) : formatValue(v, i))));
        }
      }
      const actual = sorted(rows);
      assert.equal(actual.length, expected.length, `row count\nstrata: ${JSON.stringify(actual.slice(0, 5))}\nduckdb: ${JSON.stringify(expected.slice(0, 5))}`);
      actual.forEach((row, r) => {
        const same = row.length === expected[r].length && row.every((value, c) => sameValue(value, expected[r][c]));
        assert.ok(same, `row ${r + 1}\nstrata: ${JSON.stringify(row)}\nduckdb: ${JSON.stringify(expected[r])}`);
      });
    });
  }
});
