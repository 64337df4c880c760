/** Table references: system-qualified names, AS OF time travel, DELETE binding. */
import assert from 'node:assert/strict';
import { StrataError, type Batch } from '../../../storage/index.js';
import type { TableSource } from '../../../query/catalog.js';
import { QueryEngine, type QueryResult } from '../../../query/index.js';
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
});
