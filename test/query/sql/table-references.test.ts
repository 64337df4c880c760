/** Table references: system-qualified names, AS OF time travel, DELETE binding. */
import assert from 'node:assert/strict';
import { StrataError, type Batch } from '../../../storage/index.js';
import type { TableSource } from '../../../query/catalog.js';
import { QueryEngine, type QueryResult } from '../../../query/index.js';
import { parseSql } from '../../../query/sql/parse.js';
import type { SqlFromItem, SqlSelect } from '../../../query/sql/ast.js';
import { deleteRequestOf } from '../../../query/delete-rows.js';
import { bindDelete } from '../../../query/sql/bind-delete.js';
import { MemoryCatalog } from '../support/memory-catalog.js';

/** A MemoryCatalog that also serves `system.<name>` from tables stored under that name. */
class SystemCatalog extends MemoryCatalog {
  override async getTable(name: string): Promise<TableSource | null> {
    return super.getTable(name.toLowerCase().startsWith('system.') ? `sys_${name.slice('system.'.length)}` : name);
  }
}

/** Column `index` of every row of a result, as plain values. */
function column(result: QueryResult, index = 0): unknown[] {
  const values: unknown[] = [];
  for (const batch of result.batches as Batch[]) {
    const vector = batch.columns[index];
    for (let row = 0; row < batch.length; row++) {
      if (vector.nulls !== null && vector.nulls[row] === 1) values.push(null);
      else if (vector.kind === 'string') values.push(vector.dictionary[vector.codes[row]]);
      else values.push(typeof vector.values[row] === 'bigint' ? Number(vector.values[row]) : vector.values[row]);
    }
  }
  return values;
}

async function failure(engine: QueryEngine, sql: string): Promise<StrataError> {
  try {
    await engine.execute(sql);
  } catch (error) {
    assert.ok(error instanceof StrataError, String(error));
    return error;
  }
  assert.fail(`expected ${sql} to fail`);
}

describe('table references', () => {
  describe('system-qualified names', () => {
    it('resolves system.<name> through catalog.getTable("system.<name>")', async () => {
      const engine = new QueryEngine(new SystemCatalog());
      await engine.execute('CREATE TABLE sys_tables (name VARCHAR)');
      await engine.execute("INSERT INTO sys_tables VALUES ('a'), ('b')");
      assert.deepEqual(column(await engine.execute('SELECT name FROM system.tables ORDER BY name')), ['a', 'b']);
      assert.deepEqual(column(await engine.execute('SELECT t.name FROM system.tables AS t WHERE t.name = \'b\'')), ['b']);
    });

    it('refuses other qualifiers and missing system tables with TABLE_NOT_FOUND naming the qualified name', async () => {
      const engine = new QueryEngine(new SystemCatalog());
      await engine.execute('CREATE TABLE t (a INTEGER)');
      const other = await failure(engine, 'SELECT * FROM other.t');
      assert.equal(other.code, 'TABLE_NOT_FOUND');
      assert.match(other.message, /other\.t/);
      const missing = await failure(engine, 'SELECT * FROM system.nothing');
      assert.equal(missing.code, 'TABLE_NOT_FOUND');
      assert.match(missing.message, /system\.nothing/);
      assert.deepEqual(column(await engine.execute('SELECT count(*) FROM main.t')), [0]);
    });
  });

  describe('AS OF parsing', () => {
    const fromOf = (sql: string): readonly SqlFromItem[] => {
      const { statement } = parseSql(sql);
      assert.equal(statement.kind, 'query');
      return ((statement as { query: SqlSelect }).query).from;
    };

    it('attaches AS OF VERSION / TIMESTAMP to the table, with or without an alias, keeping every position', () => {
      const sql = "SELECT o.a FROM t AS OF VERSION 12 AS o JOIN system.tables AS OF TIMESTAMP '2026-11-22 10:00:00' s ON o.a = s.a WHERE o.a > 1";
      const [join] = fromOf(sql);
      assert.ok(join.kind === 'join' && join.left.kind === 'table' && join.right.kind === 'table');
      assert.deepEqual(join.left.asOf, { kind: 'version', version: 12, pos: sql.indexOf('AS OF VERSION') });
      assert.equal(join.left.alias, 'o');
      assert.equal(join.left.pos, sql.indexOf('t AS'));
      assert.equal(join.right.schema, 'system');
      assert.equal(join.right.alias, 's');
      assert.deepEqual(join.right.asOf, { kind: 'timestamp', timeMs: Date.UTC(2026, 10, 22, 10), text: '2026-11-22 10:00:00', pos: sql.indexOf('AS OF TIMESTAMP') });
      const { statement } = parseSql(sql);
      const where = (statement as { query: SqlSelect }).query.where;
      assert.equal(where?.pos, sql.indexOf('o.a > 1'));
    });

    it('reads zoned timestamps and dates as the instants they name', () => {
      const at = (text: string): unknown => {
        const [item] = fromOf(`SELECT * FROM t AS OF TIMESTAMP '${text}'`);
        return item.kind === 'table' && item.asOf?.kind === 'timestamp' ? item.asOf.timeMs : null;
      };
      assert.equal(at('2026-11-22T10:00:00+02:00'), Date.UTC(2026, 10, 22, 8));
      assert.equal(at('2026-11-22T10:00:00.123Z'), Date.UTC(2026, 10, 22, 10, 0, 0, 123));
      assert.equal(at('2026-11-22'), Date.UTC(2026, 10, 22));
    });

    it('puts misplaced or malformed AS OF errors at the clause', () => {
      const sql = 'SELECT a AS OF VERSION 3 FROM t';
      assert.throws(() => parseSql(sql), (error: StrataError) => error.code === 'SQL_SYNTAX_ERROR' && error.details.position?.offset === sql.indexOf('AS OF'));
      assert.throws(() => parseSql('SELECT * FROM t AS OF VERSION x'), /AS OF VERSION takes a whole version number/);
    });
  });

  describe('DELETE row matcher', () => {
    it('deletes where the WHERE is true (NULL keeps the row) and skips partitions statistics rule out', async () => {
      const catalog = new MemoryCatalog();
      await catalog.createTable('d', [{ name: 'a', type: { id: 'int32' }, nullable: true }, { name: 'b', type: { id: 'string' }, nullable: true }] as never, { ifNotExists: false, options: {} });
      const table = await catalog.getTable('d');
      assert.ok(table !== null);
      const { source, statement } = parseSql("DELETE FROM d WHERE a > 2 AND b <> 'keep'");
      assert.equal(statement.kind, 'delete');
      const bound = bindDelete(statement as Extract<typeof statement, { kind: 'delete' }>, { source, tables: new Map([['d', table]]) });
      const request = deleteRequestOf(bound.schema, bound.predicate);
      const a = { kind: 'numeric', type: table.schema.fields[0].type, length: 5, values: Int32Array.from([1, 3, 4, 5, 9]), nulls: Uint8Array.from([0, 0, 0, 1, 0]) };
      const b = { kind: 'string', type: table.schema.fields[1].type, length: 5, codes: Int32Array.from([0, 0, 1, 0, 0]), dictionary: ['x', 'keep'], nulls: Uint8Array.from([0, 0, 0, 0, 1]) };
      const mask = request.match({ length: 5, columns: [a, b] } as unknown as Batch);
      assert.deepEqual([...mask], [0, 1, 0, 0, 0]);
      const stats = (min: number, max: number) => ({ id: 'p', rows: 10, bytes: 1, columns: [{ min, max, nullCount: 0 }, { min: 'a', max: 'z', nullCount: 0 }] });
      assert.equal(request.mayMatch?.(stats(0, 2) as never), false);
      assert.equal(request.mayMatch?.(stats(0, 3) as never), true);
      const all = deleteRequestOf(bound.schema, null);
      assert.deepEqual([...all.match({ length: 3, columns: [] })], [1, 1, 1]);
    });
  });
});
