/** Compaction merges small partitions, re-sorts by the sort key and re-encodes at the archive level without changing any row. */
import assert from 'node:assert/strict';
import { compactTable, planCompaction, Table, Types, type LocalStore, type PartitionMeta, type Schema } from '../../storage/index.js';
import { randomSource } from './encoding-fixtures.js';
import { batchOf, collect, columnsOf, rejection, temporaryStore, type PlainValue } from './storage-fixtures.js';

const schema: Schema = { fields: [
  { name: 'ts', type: Types.timestamp, nullable: false },
  { name: 'level', type: Types.string, nullable: true },
  { name: 'msg', type: Types.string, nullable: true },
  { name: 'ms', type: Types.int32, nullable: true },
] };
const loads = 5;
const rowsPerLoad = 2_000;

function load(seed: number): PlainValue[][] {
  const random = randomSource(seed);
  const ts = Array.from({ length: rowsPerLoad }, () => 1_700_000_000_000_000 + Math.floor(random() * 1e9) * 1000);
  return [
    ts,
    ts.map((_, i) => (i % 17 === 0 ? null : ['INFO', 'WARN', 'ERROR'][Math.floor(random() * 3)])),
    ts.map((_, i) => (i % 23 === 0 ? null : `request ${Math.floor(random() * 500)} took ${Math.floor(random() * 90)} ms`)),
    ts.map((_, i) => (i % 5 === 0 ? null : Math.floor(random() * 1000))),
  ];
}

/** Rows of a snapshot's partitions as JSON strings, sorted: equal multisets compare equal. */
async function rowsOf(table: Table, partitions: readonly PartitionMeta[]): Promise<string[]> {
  const rows: string[] = [];
  for (const meta of partitions) {
    const columns = columnsOf(await collect(table.readPartition(meta, [0, 1, 2, 3])), 4);
    for (let i = 0; i < columns[0].length; i++) rows.push(JSON.stringify(columns.map((column) => column[i])));
  }
  return rows.sort();
}

describe('partition compaction', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;
  let table: Table;

  before(async () => {
    ({ store, cleanup } = await temporaryStore('compaction'));
    table = await Table.create(store, 'events', schema, { sortKey: ['ts'] });
    for (let i = 0; i < loads; i++) {
      const meta = await table.writePartition([batchOf(schema, load(i + 1))], { batchRowsMax: 700 });
      await table.commit(i, { add: [meta], remove: [], loadHashes: [`sha256:load-${i}`], info: { operation: 'load' } });
    }
  });
  after(() => cleanup());

  it('plans groups of small or fresh partitions up to the row limit, and leaves full archive partitions alone', () => {
    const meta = (rows: number, zstdLevel?: number): PartitionMeta => ({ id: `p${rows}-${zstdLevel}`, path: 'x', rows, bytes: 1, checksum: '', columns: [], zstdLevel });
    const partitions = [meta(100, 3), meta(200, 3), meta(1_000_000, 19), meta(900, 19), meta(500_000, 3), meta(600_000, 3)];
    assert.deepEqual(planCompaction(partitions, { smallPartitionRowsMax: 1000, partitionRowsMax: 1_000_000 }).map((group) => group.map((p) => p.rows)),
      [[100, 200, 900, 500_000], [600_000]]);
    assert.deepEqual(planCompaction([meta(1_000_000, 19), meta(10, 19)], { partitionRowsMax: 1_000_000 }), [], 'a small archive partition with no partner stays');
  });

  it('merges, sorts and re-encodes: fewer partitions, same rows, archive level, load hashes kept, old versions readable', async () => {
    const before = await table.snapshot();
    const rowsBefore = await rowsOf(table, before.partitions);
    const result = await compactTable(table, { smallPartitionRowsMax: 10_000, partitionRowsMax: 6_000, pauseMs: 1 });
    assert.deepEqual([result.removed, result.added, result.rows], [5, 2, 10_000]);
    const after = await table.snapshot();
    assert.equal(after.version, result.version);
    assert.deepEqual(after.partitions.map((meta) => [meta.rows, meta.zstdLevel]), [[6_000, 19], [4_000, 19]]);
    assert.deepEqual(await rowsOf(table, after.partitions), rowsBefore);
    for (const meta of after.partitions) {
      const [ts] = columnsOf(await collect(table.readPartition(meta, [0])), 1) as number[][];
      assert.ok(ts.every((value, i) => i === 0 || ts[i - 1] <= value), 'rows are sorted by the sort key');
    }
    assert.deepEqual([...after.loadHashes].sort(), [...before.loadHashes].sort());
    // A query on the version before compaction still reads its files: they go only with vacuum.
    assert.deepEqual(await rowsOf(table, (await table.snapshot(before.version)).partitions), rowsBefore);
    const again = { smallPartitionRowsMax: 10_000, partitionRowsMax: 6_000 };
    assert.deepEqual(await compactTable(table, again), { removed: 0, added: 0, rows: 0, bytesBefore: 0, bytesAfter: 0, version: null });
  });

  it('refuses a sort key naming no column, and stops when cancelled', async () => {
    await rejection(compactTable(table, { sortKey: ['nope'] }), 'COMPACTION_SORT_KEY_INVALID');
    const meta = await table.writePartition([batchOf(schema, load(99))]);
    const version = await table.commit((await table.snapshot()).version, { add: [meta], remove: [], info: { operation: 'load' } });
    const controller = new AbortController();
    controller.abort();
    await rejection(compactTable(table, { signal: controller.signal }), 'COMPACTION_CANCELLED');
    assert.equal((await table.snapshot()).version, version);
  });
});
