/** QueryEngine: statement results, one snapshot per statement, stats, cancellation, limits. */
import assert from 'node:assert/strict';
import { StrataError, Types, type Batch, type Schema } from '../../storage/index.js';
import { QueryEngine, type QueryResult } from '../../query/index.js';
import type { QueryCatalog, TableSource } from '../../query/catalog.js';
import { MemoryCatalog } from './support/memory-catalog.js';
import { batchFromRows, memoryPartition } from './support/memory-table.js';
import { formatValue } from './slt/runner.js';

function textRows(result: QueryResult): string[][] {
  const rows: string[][] = [];
  for (const batch of result.batches) {
    for (let i = 0; i < batch.length; i++) rows.push(batch.columns.map((v) => formatValue(v, i)));
  }
  return rows;
}

function isCode(code: string): (error: unknown) => boolean {
  return (error: unknown) => error instanceof StrataError && error.code === code;
}

/** Counts getTable calls, to check that a statement resolves each table once. */
class CountingCatalog implements QueryCatalog {
  readonly lookups: string[] = [];
  constructor(private readonly inner: QueryCatalog) {}
  listTables(): Promise<string[]> { return this.inner.listTables(); }
  getTable(name: string): Promise<TableSource | null> { this.lookups.push(name); return this.inner.getTable(name); }
  createTable(...args: Parameters<QueryCatalog['createTable']>): Promise<void> { return this.inner.createTable(...args); }
  dropTable(name: string, ifExists: boolean): Promise<void> { return this.inner.dropTable(name, ifExists); }
  insert(name: string, batches: readonly Batch[]): Promise<number> { return this.inner.insert(name, batches); }
}

const numbers: Schema = { fields: [{ name: 'n', type: Types.int32, nullable: false }] };

/** A catalog with table `numbers`: `partitions` partitions of `rows` consecutive integers each. */
function numbersCatalog(partitions: number, rows: number): MemoryCatalog {
  const catalog = new MemoryCatalog();
  catalog.addTable('numbers', numbers, Array.from({ length: partitions }, (_, p) => memoryPartition(`p${p}`, numbers, [
    batchFromRows(numbers, Array.from({ length: rows }, (_, r) => [p * rows + r])),
  ])));
  return catalog;
}

describe('QueryEngine', () => {
  it('runs DDL, INSERT, SELECT, SHOW TABLES, DESCRIBE and EXPLAIN with their result shapes', async () => {
    const engine = new QueryEngine(new MemoryCatalog());
    const created = await engine.execute('CREATE TABLE t (a INTEGER NOT NULL, b DECIMAL(10,2))');
    assert.deepEqual([created.command, created.rowsAffected, created.schema.fields.length], ['CREATE TABLE', null, 0]);
    const inserted = await engine.execute('INSERT INTO t VALUES (1, 2.5), (2, NULL), (3, 4)');
    assert.deepEqual([inserted.command, inserted.rowsAffected], ['INSERT', 3]);
    const selected = await engine.execute('SELECT sum(b), count(*) FROM t');
    assert.equal(selected.command, 'SELECT');
    assert.deepEqual(selected.schema.fields.map((f) => [f.name, f.type]), [['sum(b)', Types.decimal(38, 2)], ['count_star()', Types.int64]]);
    assert.deepEqual(textRows(selected), [['6.50', '3']]);
    assert.ok(selected.batches[0].columns[0].kind === 'numeric' && selected.batches[0].columns[0].values instanceof BigInt64Array);
    const shown = await engine.execute('SHOW TABLES');
    assert.deepEqual([shown.command, shown.schema.fields.map((f) => f.name), textRows(shown)], ['SHOW TABLES', ['name'], [['t']]]);
    const described = await engine.execute('DESCRIBE t');
    assert.deepEqual(described.schema.fields.map((f) => f.name), ['column_name', 'column_type', 'null']);
    assert.deepEqual(textRows(described), [['a', 'INTEGER', 'NO'], ['b', 'DECIMAL(10,2)', 'YES']]);
    const explained = await engine.execute('EXPLAIN SELECT a FROM t WHERE a > 1');
    assert.deepEqual([explained.command, explained.schema.fields.map((f) => f.name)], ['EXPLAIN', ['plan']]);
    assert.match(textRows(explained).map((r) => r[0]).join('\n'), /Scan: t projection=\[a\] filters=\[a > 1\] partitions=1\/1/);
    const dropped = await engine.execute('DROP TABLE t');
    assert.equal(dropped.command, 'DROP TABLE');
    await assert.rejects(engine.explain('DROP TABLE t'), isCode('NOT_SUPPORTED'));
  });

  it('resolves each table once per statement', async () => {
    const catalog = new CountingCatalog(new MemoryCatalog());
    const engine = new QueryEngine(catalog);
    await engine.execute('CREATE TABLE t (a INTEGER)');
    catalog.lookups.length = 0;
    await engine.execute('INSERT INTO T SELECT a + 1 FROM t');
    assert.deepEqual(catalog.lookups, ['t']);
    catalog.lookups.length = 0;
    await engine.execute('SELECT count(*) FROM t WHERE a > 1 ORDER BY 1');
    assert.deepEqual(catalog.lookups, ['t']);
  });

  it('reports partitions, rows and bytes scanned', async () => {
    const catalog = numbersCatalog(5, 100);
    const engine = new QueryEngine(catalog);
    const result = await engine.execute('SELECT count(*) FROM numbers WHERE n >= 250');
    assert.deepEqual(textRows(result), [['250']]);
    assert.deepEqual(
      [result.stats.partitionsTotal, result.stats.partitionsPruned, result.stats.partitionsScanned, result.stats.rowsScanned],
      [5, 2, 3, 300],
    );
    assert.ok(result.stats.bytesScanned > 0);
    assert.ok(result.stats.elapsedMs >= 0);
  });

  it('cancels: before the start and while scanning', async () => {
    const catalog = numbersCatalog(4, 10);
    const engine = new QueryEngine(catalog);
    await assert.rejects(engine.execute('SELECT 1', { signal: AbortSignal.abort() }), isCode('QUERY_CANCELLED'));
    // A source that aborts the query after handing out its first batch.
    const controller = new AbortController();
    const aborting: QueryCatalog = {
      listTables: () => catalog.listTables(),
      getTable: async (name) => {
        const source = await catalog.getTable(name);
        if (source === null) return null;
        return {
          name: source.name, schema: source.schema, version: source.version, partitions: source.partitions,
          async *scan(id, columns, signal) {
            yield* source.scan(id, columns, signal);
            controller.abort();
          },
        };
      },
      createTable: (...args) => catalog.createTable(...args),
      dropTable: (name, ifExists) => catalog.dropTable(name, ifExists),
      insert: (name, batches) => catalog.insert(name, batches),
    };
    await assert.rejects(new QueryEngine(aborting).execute('SELECT n FROM numbers', { signal: controller.signal }), isCode('QUERY_CANCELLED'));
  });

  it('enforces the memory limit in operators', async () => {
    const catalog = numbersCatalog(1, 20_000);
    const engine = new QueryEngine(catalog, { memoryBytesMax: 16 * 1024 });
    await assert.rejects(engine.execute('SELECT n, count(*) FROM numbers GROUP BY n'), (error: unknown) => isCode('RESOURCES_MEMORY_EXCEEDED')(error) && /HashAggregateExec/.test((error as Error).message));
    assert.throws(() => new QueryEngine(catalog, { memoryBytesMax: 0 }), isCode('INVALID_OPTION'));
  });

  it('checks NOT NULL on computed INSERT values and writes nothing on failure', async () => {
    const engine = new QueryEngine(new MemoryCatalog());
    await engine.execute('CREATE TABLE t (a INTEGER NOT NULL)');
    await engine.execute('INSERT INTO t VALUES (1), (2)');
    await assert.rejects(engine.execute('INSERT INTO t SELECT nullif(a, 2) FROM t'), isCode('NOT_NULL_VIOLATION'));
    assert.deepEqual(textRows(await engine.execute('SELECT a FROM t ORDER BY a')), [['1'], ['2']]);
    const none = await engine.execute('INSERT INTO t SELECT a FROM t WHERE a > 5');
    assert.equal(none.rowsAffected, 0);
  });

  it('wraps unexpected failures as StrataErrors', async () => {
    const failing: QueryCatalog = {
      listTables: async () => { throw new Error('disk on fire'); },
      getTable: async () => null,
      createTable: async () => undefined,
      dropTable: async () => undefined,
      insert: async () => 0,
    };
    await assert.rejects(new QueryEngine(failing).execute('SHOW TABLES'), (error: unknown) => error instanceof StrataError && error.kind === 'internal' && /disk on fire/.test(error.message));
  });
});
