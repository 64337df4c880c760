/** The partition reader fetches only the byte ranges of the columns it is asked for. */
import assert from 'node:assert/strict';
import { loadPartitionLayout, readGapBytesMax, readPartition, Types, writePartition, type PartitionMeta, type Schema } from '../../storage/index.js';
import { batchOf, collect, columnsOf, RecordingStore, temporaryStore, type PlainValue } from './storage-fixtures.js';

const schema: Schema = { fields: [
  { name: 'a', type: Types.float64, nullable: false },
  { name: 'b', type: Types.int64, nullable: false },
  { name: 'c', type: Types.string, nullable: false },
  { name: 'd', type: Types.float64, nullable: true },
] };
const rows = 20_000;

/** Pseudo-random values (a fixed LCG) so zstd cannot shrink a column to nothing. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state;
  };
}

describe('partition projection', () => {
  let recording: RecordingStore;
  let meta: PartitionMeta;
  let columns: PlainValue[][];
  let cleanup: () => Promise<void>;

  before(async () => {
    const temporary = await temporaryStore('projection');
    cleanup = temporary.cleanup;
    recording = new RecordingStore(temporary.store);
    const next = noise(7);
    columns = [
      Array.from({ length: rows }, () => next() / 3),
      Array.from({ length: rows }, () => next() * 1024),
      Array.from({ length: rows }, () => `s${next().toString(36)}`),
      Array.from({ length: rows }, (_, i) => (i % 10 === 0 ? null : next() / 7)),
    ];
    meta = await writePartition(recording, 'p.arrow', schema, [batchOf(schema, columns)], { batchRowsMax: 5000 });
  });
  after(() => cleanup());

  /** Absolute byte ranges of every column in every batch. */
  async function columnRanges(): Promise<{ column: number; start: number; end: number }[]> {
    const layout = await loadPartitionLayout(recording, meta);
    return layout.batches.flatMap((batch) => batch.columnRanges.map((range, column) => (
      { column, start: batch.bodyOffset + range.start, end: batch.bodyOffset + range.end })));
  }

  it('a cold read of one column costs that column plus a small footer and metadata', async () => {
    recording.reset();
    const batches = await collect(readPartition(recording, meta, schema, [0]));
    assert.deepEqual(columnsOf(batches, 1), [columns[0]]);
    const overhead = recording.bytesRead - meta.columns[0].bytes;
    assert.ok(overhead >= 0 && overhead < 16 * 1024, `read ${recording.bytesRead} bytes for a column of ${meta.columns[0].bytes}`);
    assert.ok(recording.bytesRead < meta.bytes / 3, `read ${recording.bytesRead} of ${meta.bytes} bytes`);
  });

  it('reads unrequested columns only in small gaps between requested ones, one request per batch here', async () => {
    const ranges = await columnRanges();
    for (const wanted of [[1], [0, 3], [1, 2], [3, 1, 2]]) {
      recording.reset();
      const batches = await collect(readPartition(recording, meta, schema, wanted));
      assert.deepEqual(columnsOf(batches, wanted.length), wanted.map((column) => columns[column]));
      for (const read of recording.ranges) {
        const touched = ranges.filter((range) => read.offset < range.end && range.start < read.offset + read.length);
        // A read starts and ends on requested columns; what it passes over is a gap of at most readGapBytesMax.
        assert.ok(wanted.includes(touched[0].column) && wanted.includes(touched[touched.length - 1].column), `read ${JSON.stringify(read)} touches ${JSON.stringify(touched)}`);
        const skipped = touched.filter((range) => !wanted.includes(range.column)).reduce((sum, range) => sum + range.end - range.start, 0);
        assert.ok(skipped <= readGapBytesMax, `read ${JSON.stringify(read)} passes over ${skipped} bytes`);
      }
      // Every column of a batch here is ~20 KB, far below the gap limit: one request per batch.
      assert.equal(recording.ranges.length, 4, `${wanted}: one request per batch`);
    }
  });

  it('reads no column bytes at all for a count (no columns)', async () => {
    await loadPartitionLayout(recording, meta);
    recording.reset();
    const batches = await collect(readPartition(recording, meta, schema, []));
    assert.deepEqual(batches.map((batch) => [batch.length, batch.columns.length]), [[5000, 0], [5000, 0], [5000, 0], [5000, 0]]);
    assert.equal(recording.bytesRead, 0);
  });
});
