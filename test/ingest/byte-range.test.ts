/**
 * Byte ranges of plain files (a distributed load's parts): ranges meet on record boundaries so
 * every record is read once whatever the cut points; a worker's load of ranges writes partitions
 * without committing; errors in a range mid-file name the file's true line; the plan splits only
 * what may be split.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  countLineEnds, ingestFiles, ingestParts, planParts, RecordingTarget, type ByteRange, type IngestPart,
} from '../../ingest/index.js';
import { RangeByteSource } from '../../ingest/byte-range.js';
import { Types } from '../../storage/index.js';
import { newTable, rejection, schema, tableRows, TempDir } from './load-helpers.js';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Cuts [0, size) at `cuts` random points (duplicates dropped). */
function randomRanges(size: number, cuts: number, next: () => number): ByteRange[] {
  const points = [...new Set(Array.from({ length: cuts }, () => 1 + Math.floor(next() * (size - 1))))].sort((a, b) => a - b);
  const bounds = [0, ...points, size];
  const ranges: ByteRange[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) if (bounds[i + 1] > bounds[i]) ranges.push({ start: bounds[i], end: bounds[i + 1] });
  return ranges;
}

async function rangeBytes(path: string, range: ByteRange, readChunkBytes: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const chunk of new RangeByteSource(path, range, readChunkBytes).chunks()) pieces.push(Buffer.from(chunk));
  return Buffer.concat(pieces);
}

describe('ingest/byte ranges', () => {
  let dir: TempDir;
  beforeEach(async () => { dir = await TempDir.create(); });
  afterEach(async () => { await dir.remove(); });

  const twoColumns = schema(['id', Types.int32], ['name', Types.string]);

  it('ranges cut anywhere read every byte once, from record boundary to record boundary', async () => {
    const next = random(7);
    for (let round = 0; round < 30; round++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 40) }, (_, i) => (next() < 0.1 ? '' : `${i}|${'x'.repeat(Math.floor(next() * 30))}`));
      const text = lines.join(next() < 0.5 ? '\n' : '\r\n') + (next() < 0.5 ? '\n' : '');
      const path = await dir.file(`r${round}.tbl`, text);
      const size = Buffer.byteLength(text);
      if (size < 2) continue;
      const chunkBytes = 1 + Math.floor(next() * 16);
      const ranges = randomRanges(size, 1 + Math.floor(next() * 12), next);
      const pieces = await Promise.all(ranges.map((range) => rangeBytes(path, range, chunkBytes)));
      assert.equal(Buffer.concat(pieces).toString(), text, `round ${round}`);
      const filled = pieces.filter((piece) => piece.length > 0);
      // Each piece holds whole records: it ends with a line feed unless it is the file's tail.
      for (const piece of filled.slice(0, -1)) assert.equal(piece[piece.length - 1], 0x0a, `round ${round}`);
    }
  });

  it('loads a file from ranges into uncommitted partitions equal to a whole-file load', async () => {
    const text = `id,name\n${Array.from({ length: 500 }, (_, i) => `${i},name ${i % 7}`).join('\n')}\n`;
    const path = await dir.file('data.csv', text);
    const table = await newTable(dir, twoColumns);
    const before = await table.snapshot();
    const parts: IngestPart[] = randomRanges(Buffer.byteLength(text), 9, random(3)).map((range) => ({ file: path, range }));
    const recording = new RecordingTarget(table, before);
    const summary = await ingestParts(recording, parts, { partitionRowsTarget: 64, readChunkBytes: 100 });
    assert.equal(summary.rowsLoaded, 500);
    assert.equal((await table.snapshot()).version, before.version, 'a worker load must not commit');
    const actions = recording.actions!;
    assert.equal(actions.add.reduce((sum, partition) => sum + partition.rows, 0), 500);
    await table.commit(before.version, actions);
    const rows = await tableRows(table);
    assert.deepEqual(rows.map((row) => row[0]).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 500 }, (_, i) => i));
  });

  it('names the true file line of a bad record in a range that starts mid-file', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i}|n${i}|`);
    lines[236] = '236|n|extra';
    lines[100] = '\r';
    const text = `${lines.join('\n')}\n`;
    const path = await dir.file('bad.tbl', text);
    const table = await newTable(dir, twoColumns);
    const start = text.indexOf('200|');
    const error = await rejection(ingestParts(new RecordingTarget(table, await table.snapshot()), [{ file: path, range: { start, end: text.length } }]));
    assert.equal(error.code, 'INGEST_FIELD_COUNT');
    assert.match(error.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:237: expected 2 fields, found 3`));
    assert.equal(error.details.line, 237);
    assert.equal(error.details.rangeStart, start);
    // The same record in a whole-file load gets the same line.
    const whole = await rejection(ingestFiles(table, [path]));
    assert.equal(whole.details.line, 237);
    assert.equal(await countLineEnds(path, start), 200);
  });

  it('splits NDJSON too, where a lone CR inside a line is not a line end', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `{"id": ${i},\r"name": "n${i}"}`);
    lines[97] = '{"id": "x"}';
    const text = `${lines.join('\n')}\n`;
    const path = await dir.file('data.ndjson', text);
    const table = await newTable(dir, twoColumns);
    const parts: IngestPart[] = [{ file: path, range: { start: 0, end: 500 } }, { file: path, range: { start: 500, end: text.length } }];
    const error = await rejection(ingestParts(new RecordingTarget(table, await table.snapshot()), parts));
    assert.equal(error.code, 'INGEST_BAD_VALUE');
    assert.equal(error.details.line, 98);
    lines[97] = '{"id": 97}';
    const good = await dir.file('good.ndjson', `${lines.join('\n')}\n`);
    const summary = await ingestParts(new RecordingTarget(table, await table.snapshot()), [
      { file: good, range: { start: 0, end: 777 } }, { file: good, range: { start: 777, end: 2000 } }, { file: good, range: { start: 2000, end: text.length + 10 } },
    ]);
    assert.equal(summary.rowsLoaded, 120);
  });

  it('makes reject samples of a range name true lines too', async () => {
    const text = `${Array.from({ length: 50 }, (_, i) => (i === 40 ? 'x|bad|' : `${i}|ok|`)).join('\n')}\n`;
    const path = await dir.file('rej.tbl', text);
    const table = await newTable(dir, twoColumns);
    const summary = await ingestParts(new RecordingTarget(table, await table.snapshot()), [{ file: path, range: { start: text.indexOf('30|'), end: text.length } }],
      { onError: 'reject', rejectsPath: `${path}.rejects` });
    assert.equal(summary.rowsRejected, 1);
    assert.equal(summary.rowsLoaded, 19);
    assert.match(summary.rejectSamples[0].message, /rej\.tbl:41:1: cannot read 'x' as INTEGER/);
  });

  it('plans ranges for large plain files only: compressed files and CSV with quotes load whole', async () => {
    const table = await newTable(dir, twoColumns);
    const snapshot = await table.snapshot();
    const line = `${'1'.repeat(9)},${'y'.repeat(90)}\n`;
    const big = Buffer.from(line.repeat(Math.ceil((20 * 1024 * 1024) / line.length)));
    const plain = await dir.file('big.csv', big);
    const quoted = await dir.file('quoted.csv', Buffer.concat([Buffer.from('1,"a\nb"\n'), big]));
    const gzip = await dir.file('big.csv.gz', gzipSync(big, { level: 1 }));
    const plan = await planParts([plain, quoted, gzip, plain], snapshot, {}, 2);
    assert.deepEqual(plan.files, [plain, quoted, gzip]);
    assert.deepEqual(plan.skipped, [plain], 'the same content given twice loads once');
    const ranges = plan.parts.filter((part) => part.file === plain);
    assert.equal(ranges.length, 2);
    assert.equal(ranges[0].range!.start, 0);
    assert.equal(ranges.at(-1)!.range!.end, big.length);
    for (const file of [quoted, gzip]) {
      const parts = plan.parts.filter((part) => part.file === file);
      assert.equal(parts.length, 1);
      assert.equal(parts[0].range, undefined);
      assert.match(parts[0].expectedHash!, /^sha256:[0-9a-f]{64}$/);
    }
    assert.equal(plan.hashes.length, 3);
    const forced = await planParts([plain, plain], snapshot, { force: true }, 1);
    assert.equal(forced.files.length, 2);
  });
});
