/**
 * ORDER BY on a cluster, in one process: fragments go (as JSON, like the RPC) to a worker engine
 * for three "nodes", partition by partition; each partition's output is sorted on its node and
 * the coordinator's exchange k-way merges them. Answers equal the single-node engine's in order;
 * EXPLAIN shows the local Sort inside the fragment under a merging exchange; LIMIT still plans a
 * TopN; an executor that cannot tell partitions apart still gets the right order.
 */
import assert from 'node:assert/strict';
import { Types, type Batch, type Schema } from '../../../storage/index.js';
import { QueryEngine, type FragmentExecutor, type FragmentProgress, type FragmentRequest, type FragmentTask, type PartitionOutput } from '../../../query/index.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { batchFromRows, type TestValue } from '../support/memory-table.js';
import { formatValue } from '../slt/runner.js';
import { prepareSortKeys, sortedIndices } from '../../../query/exec/index.js';
import type { Expr } from '../../../query/plan/index.js';
import { mergeRunOrder } from '../../../query/physical/merge-sorted-runs.js';
import { MemorySpillArea } from '../physical/memory-spill-area.js';

const schema: Schema = {
  fields: [
    { name: 'id', type: Types.int32, nullable: false },
    { name: 'grp', type: Types.string, nullable: true },
    { name: 'amount', type: Types.decimal(12, 2), nullable: true },
    { name: 'day', type: Types.date, nullable: true },
    { name: 'score', type: Types.float64, nullable: true },
  ],
};
const nodes = 3;
const rowCount = 3000;

/** Deterministic rows with NULLs, duplicate keys, mixed-case strings, decimals and dates. */
function tableRows(): TestValue[][] {
  let seed = 7;
  const next = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const groups = ['alpha', 'beta', 'gamma', 'Alpha', 'beta2', 'δelta', null];
  return Array.from({ length: rowCount }, (_, id) => {
    const amount = next(10) === 0 ? null : `${next(500) - 250}.${String(next(100)).padStart(2, '0')}`;
    const day = next(12) === 0 ? null : `199${next(10)}-0${1 + next(9)}-1${next(10)}`;
    const score = next(9) === 0 ? null : next(50) / 4;
    return [id, groups[next(groups.length)], amount, day, score];
  });
}

/** A column reference for sort keys over the test's two-column runs. */
function column(index: number, name: string): Expr {
  return { kind: 'column', index, name, type: index === 0 ? Types.int32 : Types.string };
}

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Each node's share of the task: partition positions i with i % nodes === node. */
function shareOf(task: FragmentTask, node: number): { indexes: number[]; request: FragmentRequest } {
  const indexes = task.partitions.map((_, i) => i).filter((i) => i % nodes === node);
  const partitionIds = indexes.map((i) => task.partitions[i].id);
  return { indexes, request: roundTrip({ fragment: task.fragment, table: task.table, version: task.version, partitionIds }) };
}

/** Runs a fragment on three "nodes" (last node first, so partitions complete out of order). */
class InProcessNodes implements FragmentExecutor {
  partitionRuns = 0;

  constructor(private readonly worker: QueryEngine) {}

  async *execute(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> {
    for await (const output of this.executePartitions(task, signal, progress)) yield* output.batches;
  }

  async *executePartitions(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<PartitionOutput> {
    this.partitionRuns += 1;
    for (let node = nodes - 1; node >= 0; node--) {
      const { indexes, request } = shareOf(task, node);
      if (indexes.length === 0) continue;
      progress.nodeUsed(`n${node}`);
      let held: Batch[] = [];
      for await (const output of this.worker.executeFragment(request, signal)) {
        if (output.type === 'batch') { held.push(output.batch); continue; }
        progress.partitionDone(output.counts);
        yield { partition: indexes[output.partition], batches: held };
        held = [];
      }
    }
  }
}

function orderedRows(batches: readonly Batch[]): string[] {
  const rows: string[] = [];
  for (const batch of batches) for (let i = 0; i < batch.length; i++) rows.push(batch.columns.map((v) => formatValue(v, i)).join('|'));
  return rows;
}

describe('distributed ORDER BY (in-process fragment executor, merging exchange)', function () {
  this.timeout(60_000);
  const memory = new MemoryCatalog({ partitionRowsMax: 250 });
  const worker = new QueryEngine(memory);
  const nodesExecutor = new InProcessNodes(worker);
  const coordinator = new QueryEngine(memory, { fragmentExecutor: nodesExecutor });
  // Loses partition boundaries (execute only): the exchange must sort what it gathers.
  const gatherOnly: FragmentExecutor = { execute: (task, signal, progress) => nodesExecutor.execute(task, signal, progress) };
  const gatherCoordinator = new QueryEngine(memory, { fragmentExecutor: gatherOnly });
  const single = new QueryEngine(memory);
  const explain = async (sql: string): Promise<string[]> => orderedRows((await coordinator.execute(`EXPLAIN ${sql}`)).batches);

  before(async () => {
    await single.execute('CREATE TABLE t (id INTEGER NOT NULL, grp VARCHAR, amount DECIMAL(12,2), day DATE, score DOUBLE)');
    await memory.insert('t', [batchFromRows(schema, tableRows())]);
    await single.execute('CREATE TABLE d (grp VARCHAR, label VARCHAR NOT NULL)');
    await single.execute("INSERT INTO d VALUES ('alpha', 'first'), ('beta', 'second'), ('gamma', 'third'), ('Alpha', 'capital'), (NULL, 'none')");
  });

  const merged = [
    'SELECT id, grp, amount FROM t ORDER BY grp, amount DESC, id',
    'SELECT id, day, score FROM t ORDER BY day DESC NULLS FIRST, score NULLS FIRST, id DESC',
    'SELECT id, day FROM t ORDER BY day NULLS LAST, id',
    // Two partitions in three have no row left: empty runs.
    'SELECT id, amount FROM t WHERE id % 750 < 250 ORDER BY amount NULLS FIRST, id',
    'SELECT upper(grp) AS g, id, score FROM t WHERE score > 5 ORDER BY g DESC NULLS LAST, score, id',
    // The key is not selected: the projection above the merge drops it.
    'SELECT id FROM t ORDER BY score DESC, id',
    // OFFSET without LIMIT: a Limit over the merging exchange.
    'SELECT grp, id FROM t ORDER BY grp DESC NULLS LAST, id OFFSET 2990',
    // Only the key is selected, so equal keys cannot show an order.
    'SELECT grp FROM t ORDER BY grp',
  ];

  for (const sql of merged) {
    it(`merges sorted partitions like one node: ${sql}`, async () => {
      const expected = orderedRows((await single.execute(sql)).batches);
      const runs = nodesExecutor.partitionRuns;
      const result = await coordinator.execute(sql);
      assert.deepEqual(orderedRows(result.batches), expected);
      assert.equal(nodesExecutor.partitionRuns, runs + 1, 'the exchange asked for per-partition outputs');
      assert.deepEqual(orderedRows((await gatherCoordinator.execute(sql)).batches), expected);
    });
  }

  it('sorts a broadcast join inside the probe side\'s fragment and merges it', async () => {
    const sql = 'SELECT t.id, d.label, t.amount FROM t JOIN d ON t.grp = d.grp ORDER BY d.label DESC, t.amount NULLS FIRST, t.id';
    const lines = await explain(sql);
    assert.ok(lines.some((line) => line.includes('distribution=broadcast')), lines.join('\n'));
    assert.ok(lines[0].startsWith('Exchange: merge sorted streams by label DESC'), lines.join('\n'));
    const expected = orderedRows((await single.execute(sql)).batches);
    assert.ok(expected.length > 1000);
    assert.deepEqual(orderedRows((await coordinator.execute(sql)).batches), expected);
  });

  it('returns nothing when every row is filtered out', async () => {
    const result = await coordinator.execute('SELECT id, grp FROM t WHERE score > 1000 ORDER BY grp, id');
    assert.equal(result.batches.reduce((rows, batch) => rows + batch.length, 0), 0);
    assert.deepEqual(result.schema.fields.map((field) => field.name), ['id', 'grp']);
  });

  it('answers like one node where the sort stays on the coordinator or a TopN bounds it', async () => {
    for (const sql of [
      'SELECT grp, count(*), sum(amount) FROM t GROUP BY grp ORDER BY grp NULLS FIRST',
      'SELECT id, amount * 2 AS twice FROM t ORDER BY twice, id LIMIT 7 OFFSET 3',
      'SELECT id, day FROM t ORDER BY day DESC, id LIMIT 20',
    ]) {
      assert.deepEqual(orderedRows((await coordinator.execute(sql)).batches), orderedRows((await single.execute(sql)).batches), sql);
    }
  });

  it('explains the local Sort inside the fragment under a merging exchange', async () => {
    const lines = await explain('SELECT id, grp FROM t ORDER BY grp DESC, id');
    const exchange = lines.findIndex((line) => line.includes('Exchange: merge sorted streams by grp DESC, id ASC'));
    const sort = lines.findIndex((line) => /Sort: grp DESC, id ASC/.test(line));
    assert.ok(exchange >= 0, lines.join('\n'));
    assert.ok(sort > exchange, `the Sort runs in the fragment, below the exchange:\n${lines.join('\n')}`);
    assert.equal(lines.filter((line) => /\bSort:/.test(line)).length, 1, lines.join('\n'));
  });

  it('runs EXPLAIN ANALYZE through the merging exchange', async () => {
    const result = await coordinator.execute('EXPLAIN ANALYZE SELECT id, day FROM t ORDER BY day, id');
    const lines = orderedRows(result.batches);
    assert.ok(lines.some((line) => line.includes('Exchange: merge sorted streams by day ASC, id ASC')), lines.join('\n'));
    assert.ok(lines.some((line) => /Scan: t .*partitions read=12\/12.*rows read=3000/.test(line)), lines.join('\n'));
  });

  it('still plans a TopN split for ORDER BY … LIMIT', async () => {
    const lines = await explain('SELECT id FROM t ORDER BY score, id LIMIT 5');
    assert.ok(lines.some((line) => line.includes('TopN:')), lines.join('\n'));
    assert.ok(!lines.some((line) => line.includes('merge sorted streams')), lines.join('\n'));
  });

  it('merges hundreds of runs, empty ones among them, into a stable sort\'s order', () => {
    const runSchema: Schema = { fields: [{ name: 'k', type: Types.int32, nullable: true }, { name: 's', type: Types.string, nullable: true }] };
    const rows: TestValue[][] = [];
    const lengths: number[] = [];
    for (let run = 0; run < 300; run++) {
      // Each run sorted by (k DESC NULLS FIRST, s ASC): few distinct values, so ties across runs abound.
      const length = run % 7 === 0 ? 0 : (run * 13) % 23;
      const part = Array.from({ length }, (_, i) => [(run * 31 + i * 17) % 11 === 0 ? null : (run + i * 7) % 9, ['x', 'y', null][(run + i) % 3]] as TestValue[]);
      const keys = [{ expr: column(0, 'k'), ascending: false, nullsFirst: true }, { expr: column(1, 's'), ascending: true, nullsFirst: false }];
      const batch = batchFromRows(runSchema, part);
      const order = sortedIndices(prepareSortKeys(keys, batch), length);
      for (let i = 0; i < length; i++) rows.push(part[order[i]]);
      lengths.push(length);
    }
    const all = batchFromRows(runSchema, rows);
    const keys = prepareSortKeys([{ expr: column(0, 'k'), ascending: false, nullsFirst: true }, { expr: column(1, 's'), ascending: true, nullsFirst: false }], all);
    const starts = new Int32Array(lengths.length + 1);
    lengths.forEach((length, run) => { starts[run + 1] = starts[run] + length; });
    assert.deepEqual([...mergeRunOrder(keys, starts)], [...sortedIndices(keys, all.length)]);
  });

  it('spills merged runs past the memory limit and merges them in passes, in the same order', async () => {
    // 80 partitions of 40 rows; a 1 KiB limit holds one at a time, so the runs outnumber one merge's fan-in (64).
    const small = new MemoryCatalog({ partitionRowsMax: 40 });
    const smallSingle = new QueryEngine(small);
    await smallSingle.execute('CREATE TABLE t (id INTEGER NOT NULL, grp VARCHAR, amount DECIMAL(12,2), day DATE, score DOUBLE)');
    await small.insert('t', [batchFromRows(schema, tableRows().slice(0, 3200))]);
    const areas: MemorySpillArea[] = [];
    const spilling = new QueryEngine(small, {
      fragmentExecutor: new InProcessNodes(new QueryEngine(small)),
      memoryBytesMax: 1024,
      spillAreas: () => { const area = new MemorySpillArea(); areas.push(area); return Object.assign(area, { close: async () => undefined }); },
    });
    const sql = 'SELECT id, grp, day FROM t ORDER BY grp DESC NULLS FIRST, day, id';
    const expected = orderedRows((await smallSingle.execute(sql)).batches);
    const result = await spilling.execute(sql);
    assert.deepEqual(orderedRows(result.batches), expected);
    assert.ok((result.stats.spilledBytes ?? 0) > 0, 'the merge spilled');
    assert.ok(areas.some((area) => area.written > 64), `runs written: ${areas.map((area) => area.written).join(',')}`);
    assert.deepEqual(areas.map((area) => area.live), areas.map(() => 0), 'every run released');
  });
});
