/**
 * Joins on a cluster, in one process: a coordinator engine with a fragment executor that hands
 * each fragment (as JSON, like the RPC) to a worker engine for two "nodes" in turn. Answers equal
 * the single-node engine's; EXPLAIN shows broadcast for small build sides and gather otherwise;
 * a broadcast build side is read once per node, not once per probe partition.
 */
import assert from 'node:assert/strict';
import { Types, type Batch, type Schema } from '../../../storage/index.js';
import { QueryEngine, type FragmentExecutor, type QueryCatalog, type TableSource } from '../../../query/index.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { batchFromRows } from '../support/memory-table.js';
import { formatValue } from '../slt/runner.js';

const factSchema: Schema = {
  fields: [
    { name: 'id', type: Types.int32, nullable: false },
    { name: 'dim', type: Types.int32, nullable: true },
    { name: 'amount', type: Types.int64, nullable: false },
  ],
};
const dimSchema: Schema = {
  fields: [
    { name: 'dim', type: Types.int32, nullable: true },
    { name: 'name', type: Types.string, nullable: false },
  ],
};
const nodes = 2;

/** Counts partition scans per table on the way to the real catalog. */
class CountingCatalog {
  readonly scans = new Map<string, number>();

  constructor(private readonly inner: MemoryCatalog) {}

  wrap(): QueryCatalog {
    const scans = this.scans;
    const inner = this.inner;
    return Object.assign(Object.create(inner) as QueryCatalog, {
      async getTable(name: string, version?: number): Promise<TableSource | null> {
        const table = await inner.getTable(name);
        if (table === null || (version !== undefined && table.version !== version)) return table;
        return {
          name: table.name, schema: table.schema, version: table.version, partitions: table.partitions,
          scan(partitionId: string, columns: readonly number[], signal?: AbortSignal): AsyncIterable<Batch> {
            scans.set(table.name, (scans.get(table.name) ?? 0) + 1);
            return table.scan(partitionId, columns, signal);
          },
        };
      },
    });
  }
}

function rowsOf(batches: readonly Batch[]): string[] {
  const rows: string[] = [];
  for (const batch of batches) for (let i = 0; i < batch.length; i++) rows.push(batch.columns.map((v) => formatValue(v, i)).join('|'));
  return rows.sort();
}

describe('distributed joins (in-process fragment executor)', function () {
  this.timeout(60_000);
  const memory = new MemoryCatalog({ partitionRowsMax: 300 });
  const counting = new CountingCatalog(memory);
  const catalog = counting.wrap();
  const worker = new QueryEngine(catalog);
  const executor: FragmentExecutor = {
    async *execute(task, signal, progress) {
      const ids = task.partitions.map((p) => p.id);
      for (let node = 0; node < nodes; node++) {
        const partitionIds = ids.filter((_, i) => i % nodes === node);
        if (partitionIds.length === 0) continue;
        progress.nodeUsed(`n${node}`);
        const request = JSON.parse(JSON.stringify({ fragment: task.fragment, table: task.table, version: task.version, partitionIds }));
        for await (const output of worker.executeFragment(request, signal)) {
          if (output.type === 'batch') yield output.batch;
          else progress.partitionDone();
        }
      }
    },
  };
  const coordinator = new QueryEngine(catalog, { fragmentExecutor: executor });
  const single = new QueryEngine(memory);

  before(async () => {
    await single.execute('CREATE TABLE f (id INTEGER NOT NULL, dim INTEGER, amount BIGINT NOT NULL)');
    await single.execute('CREATE TABLE g (dim INTEGER, name VARCHAR NOT NULL)');
    const facts = Array.from({ length: 3000 }, (_, i) => [i, i % 11 === 0 ? null : i % 40, i * 3]);
    const dims = [...Array.from({ length: 30 }, (_, d) => [d, `d${d}`]), [null, 'none']];
    await memory.insert('f', [batchFromRows(factSchema, facts)]);
    await memory.insert('g', [batchFromRows(dimSchema, dims)]);
  });

  const queries = [
    'SELECT g.name, count(*), sum(f.amount) FROM f JOIN g ON f.dim = g.dim GROUP BY g.name',
    'SELECT f.id, g.name FROM f LEFT JOIN g ON f.dim = g.dim WHERE f.id < 100',
    'SELECT count(*) FROM f WHERE dim NOT IN (SELECT dim FROM g)',
    'SELECT count(*) FROM f WHERE dim NOT IN (SELECT dim FROM g WHERE dim IS NOT NULL)',
    'SELECT id FROM f WHERE EXISTS (SELECT 1 FROM g WHERE g.dim = f.dim AND g.name = \'d7\')',
    'SELECT id FROM f WHERE amount > (SELECT max(dim) * 250 FROM g) ORDER BY id LIMIT 5',
    'SELECT g.name, f.id FROM f RIGHT JOIN g ON f.dim = g.dim AND f.id < 50',
    'SELECT count(*), sum(a.amount) FROM f AS a JOIN f AS b ON a.id = b.id + 1',
  ];

  for (const sql of queries) {
    it(`answers like one node: ${sql}`, async () => {
      const expected = rowsOf((await single.execute(sql)).batches);
      const result = await coordinator.execute(sql);
      assert.deepEqual(rowsOf(result.batches), expected);
      // Fragments ran on the nodes (one only when pruning leaves a single partition of f).
      assert.ok(result.stats.nodes.length >= 1);
    });
  }

  it('shows broadcast for a small build side and gather for a right join', async () => {
    const text = async (sql: string): Promise<string> => rowsOf((await coordinator.execute(`EXPLAIN ${sql}`)).batches).join('\n');
    assert.match(await text('SELECT count(*) FROM f JOIN g ON f.dim = g.dim'), /HashJoin: inner keys=\[dim = dim\] distribution=broadcast/);
    assert.match(await text('SELECT count(*) FROM f RIGHT JOIN g ON f.dim = g.dim'), /HashJoin: right keys=\[dim = dim\] distribution=gather/);
  });

  it('reads a broadcast build side once per node, not once per probe partition', async () => {
    counting.scans.clear();
    await coordinator.execute('SELECT g.name, count(*) FROM f JOIN g ON f.dim = g.dim GROUP BY g.name');
    assert.equal(counting.scans.get('f'), 10);
    assert.equal(counting.scans.get('g'), nodes);
  });
});
