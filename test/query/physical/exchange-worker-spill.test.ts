/**
 * Bytes spilled on workers reach the coordinator's QueryStats.spilledBytes: workers (a worker
 * engine with a tiny memory limit and a spill area) report them in each partition's counts and
 * ExchangeExec adds them up; the coordinator itself has no spill area, so every byte counted is theirs.
 */
import assert from 'node:assert/strict';
import { Types, type Batch, type Schema } from '../../../storage/index.js';
import { QueryEngine, type FragmentExecutor, type FragmentProgress, type FragmentScanCounts, type FragmentTask } from '../../../query/index.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { batchFromRows, rowsOf, type TestValue } from '../support/memory-table.js';
import { MemorySpillArea } from './memory-spill-area.js';

/** Runs every fragment on one worker engine (through JSON, like the RPC) and reports each partition's counts. */
class OneWorker implements FragmentExecutor {
  readonly counts: FragmentScanCounts[] = [];

  constructor(private readonly worker: QueryEngine) {}

  async *execute(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> {
    progress.nodeUsed('w1');
    const request = JSON.parse(JSON.stringify({ fragment: task.fragment, table: task.table, version: task.version,
      partitionIds: task.partitions.map((p) => p.id) })) as Parameters<QueryEngine['executeFragment']>[0];
    for await (const output of this.worker.executeFragment(request, signal)) {
      if (output.type === 'batch') {
        yield output.batch;
        continue;
      }
      // Through JSON too, as the PartitionDone frame carries them.
      const counts = output.counts === undefined ? undefined : JSON.parse(JSON.stringify(output.counts)) as FragmentScanCounts;
      if (counts !== undefined) this.counts.push(counts);
      progress.partitionDone(counts);
    }
  }
}

describe('physical: ExchangeExec adds the bytes workers spilled to the query\'s spilledBytes', () => {
  const schema: Schema = { fields: [{ name: 'id', type: Types.int32, nullable: false }, { name: 'grp', type: Types.string, nullable: true }] };
  // Two partitions of 70,000 rows: each scans as two batches (64 Ki rows a batch), so a frozen partial aggregation spills the second.
  const rows: TestValue[][] = Array.from({ length: 140_000 }, (_, i) => [(i * 7919) % 100_000, `g${i % 13}`]);

  it('a partial aggregation spilling on the worker shows in the coordinator\'s stats', async () => {
    const catalog = new MemoryCatalog({ partitionRowsMax: 70_000 });
    const single = new QueryEngine(catalog);
    await single.execute('CREATE TABLE t (id INTEGER NOT NULL, grp VARCHAR)');
    await catalog.insert('t', [batchFromRows(schema, rows)]);
    const areas: MemorySpillArea[] = [];
    const worker = new QueryEngine(catalog, {
      memoryBytesMax: 256 * 1024,
      spillAreas: () => { const area = new MemorySpillArea(); areas.push(area); return Object.assign(area, { close: async () => undefined }); },
    });
    const executor = new OneWorker(worker);
    const coordinator = new QueryEngine(catalog, { fragmentExecutor: executor });
    const sql = 'SELECT id, count(*), min(grp) FROM t GROUP BY id';
    const result = await coordinator.execute(sql);
    const sorted = (batches: readonly Batch[]): string[] => rowsOf(batches).map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
    assert.deepEqual(sorted(result.batches), sorted((await single.execute(sql)).batches));
    const workerSpilled = executor.counts.reduce((sum, counts) => sum + (counts.spilledBytes ?? 0), 0);
    assert.ok(areas.some((area) => area.written > 0), 'the worker spilled');
    assert.ok(workerSpilled > 0, 'the worker reported its spilled bytes');
    assert.equal(result.stats.spilledBytes, workerSpilled);
    assert.ok(result.stats.nodes.includes('w1'));
  });

  it('a fragment that did not spill reports no spilledBytes', async () => {
    const catalog = new MemoryCatalog({ partitionRowsMax: 4000 });
    const single = new QueryEngine(catalog);
    await single.execute('CREATE TABLE t (id INTEGER NOT NULL, grp VARCHAR)');
    await catalog.insert('t', [batchFromRows(schema, rows)]);
    const executor = new OneWorker(new QueryEngine(catalog));
    const result = await new QueryEngine(catalog, { fragmentExecutor: executor }).execute('SELECT grp, count(*) FROM t GROUP BY grp');
    assert.equal(rowsOf(result.batches).length, 13);
    assert.ok(executor.counts.length > 0);
    assert.ok(executor.counts.every((counts) => counts.spilledBytes === undefined));
    assert.equal(result.stats.spilledBytes, 0);
  });
});
