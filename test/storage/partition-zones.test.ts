/** Zone maps per record batch: recorded for every column, and a batch filter skips batches without reading them. */
import assert from 'node:assert/strict';
import { loadPartitionLayout, readPartition, Types, writePartition, type BatchZone, type PartitionMeta, type Schema } from '../../storage/index.js';
import { batchOf, collect, columnsOf, RecordingStore, temporaryStore, type PlainValue } from './storage-fixtures.js';

const schema: Schema = { fields: [
  { name: 'id', type: Types.int64, nullable: false },
  { name: 'x', type: Types.float64, nullable: true },
  { name: 'ok', type: Types.boolean, nullable: true },
  { name: 'level', type: Types.string, nullable: true },
  { name: 'msg', type: Types.string, nullable: true },
] };
const rows = 5_000;
const batchRowsMax = 1_000;

function columnsData(): PlainValue[][] {
  return [
    Array.from({ length: rows }, (_, i) => i * 10),
    Array.from({ length: rows }, (_, i) => (i < 1_000 ? null : i === 1_500 ? NaN : i === 2_500 ? -Infinity : i / 4)),
    Array.from({ length: rows }, (_, i) => (i % 2000 < 1000 ? 1 : 0)),
    Array.from({ length: rows }, (_, i) => ['b', 'a', 'c'][Math.floor(i / 1000) % 3]),
    Array.from({ length: rows }, (_, i) => (i >= 4_000 && i === 4_321 ? 'z'.repeat(100) : `message ${String(i).padStart(5, '0')}`)),
  ];
}

describe('partition zone maps', () => {
  let recording: RecordingStore;
  let meta: PartitionMeta;
  let columns: PlainValue[][];
  let cleanup: () => Promise<void>;

  before(async () => {
    const temporary = await temporaryStore('zones');
    cleanup = temporary.cleanup;
    recording = new RecordingStore(temporary.store);
    columns = columnsData();
    meta = await writePartition(recording, 'z.arrow', schema, [batchOf(schema, columns)], { batchRowsMax });
  });
  after(() => cleanup());

  it('records min, max and NULL count of every column in every batch, in the units of partition stats', async () => {
    const layout = await loadPartitionLayout(recording, meta);
    assert.equal(layout.zones?.length, 5);
    assert.deepEqual(layout.zones!.map((batch) => batch[0]), [0, 1, 2, 3, 4].map((b) => ({ min: b * 10_000, max: b * 10_000 + 9_990, nullCount: 0 })));
    assert.deepEqual(layout.zones!.map((batch) => batch[1]), [
      { min: null, max: null, nullCount: 1_000 },
      { min: 250, max: NaN, nullCount: 0 },
      { min: -Infinity, max: 749.75, nullCount: 0 },
      { min: 750, max: 999.75, nullCount: 0 },
      { min: 1_000, max: 1_249.75, nullCount: 0 },
    ]);
    assert.deepEqual(layout.zones!.map((batch) => [batch[2]!.min, batch[2]!.max]), [[true, true], [false, false], [true, true], [false, false], [true, true]]);
    assert.deepEqual(layout.zones!.map((batch) => batch[3]!.min), ['b', 'a', 'c', 'b', 'a']);
    assert.deepEqual(layout.zones![0][4], { min: 'message 00000', max: 'message 00999', nullCount: 0 });
    assert.equal(layout.zones![4][4], null, 'a maximum longer than zoneStringCharsMax leaves the zone unknown');
  });

  it('skips the batches a filter rules out, reading none of their bytes, and yields the rest in order', async () => {
    const layout = await loadPartitionLayout(recording, meta);
    const all = await collect(readPartition(recording, meta, schema, [0, 3]));
    recording.reset();
    const seen: BatchZone[] = [];
    // id BETWEEN 12_000 AND 31_000: only batches 1, 2 and 3 can hold such rows.
    const filter = (zone: BatchZone): boolean => {
      seen.push(zone);
      const id = zone.columns[0]!;
      return (id.max as number) >= 12_000 && (id.min as number) <= 31_000;
    };
    const kept = await collect(readPartition(recording, meta, schema, [0, 3], undefined, filter));
    assert.deepEqual(seen.map((zone) => [zone.index, zone.rows]), [[0, 1000], [1, 1000], [2, 1000], [3, 1000], [4, 1000]]);
    assert.deepEqual(columnsOf(kept, 2), columnsOf(all.slice(1, 4), 2));
    const within = (offset: number, message: { bodyOffset: number; bodyLength: number }): boolean => offset >= message.bodyOffset && offset < message.bodyOffset + message.bodyLength;
    const messageOf = (offset: number): number | string => ([...layout.dictionaries.values()].some((dictionary) => within(offset, dictionary))
      ? 'dictionary' : layout.batches.findIndex((batch) => within(offset, batch)));
    assert.deepEqual([...new Set(recording.ranges.map((range) => messageOf(range.offset)))].sort(), [1, 2, 3, 'dictionary']);
    recording.reset();
    assert.deepEqual(await collect(readPartition(recording, meta, schema, [0], undefined, () => false)), []);
    assert.equal(recording.bytesRead, 0);
  });
});
