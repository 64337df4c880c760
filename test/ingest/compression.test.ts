import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { compress as zstdCompress, CompressStream, DecompressStream } from 'zstd-napi';
import { ingestFiles } from '../../ingest/index.js';
import { Types } from '../../storage/index.js';
import { newTable, rejection, schema, tableRows, TempDir } from './load-helpers.js';

describe('ingest/compressed inputs', () => {
  let dir: TempDir;
  beforeEach(async () => { dir = await TempDir.create(); });
  afterEach(async () => { await dir.remove(); });

  const twoColumns = schema(['id', Types.int32], ['name', Types.string]);
  const lines: string[] = [];
  const expected: unknown[][] = [];
  for (let i = 0; i < 3000; i++) {
    lines.push(`${i}|name ${i % 7} ünï|`);
    expected.push([i, `name ${i % 7} ünï`]);
  }
  const text = Buffer.from(`${lines.join('\n')}\n`);

  it('reads .gz files in small chunks', async () => {
    const table = await newTable(dir, twoColumns);
    const summary = await ingestFiles(table, [await dir.file('data.tbl.gz', gzipSync(text))], { readChunkBytes: 1000 });
    assert.equal(summary.rowsLoaded, 3000);
    assert.deepEqual(await tableRows(table), expected);
  });

  it('reads .zst files, including several frames one after another', async () => {
    const table = await newTable(dir, twoColumns);
    const half = text.indexOf('\n', text.length / 2) + 1;
    const frames = Buffer.concat([zstdCompress(text.subarray(0, half)), zstdCompress(text.subarray(half))]);
    await ingestFiles(table, [await dir.file('data.tbl.zst', frames)], { readChunkBytes: 777 });
    assert.deepEqual(await tableRows(table), expected);
  });

  it('reads zstd frames with a 256 MiB window (long mode), which default decoders refuse', async () => {
    const longWindow = await buffer(Readable.from([text]).pipe(new CompressStream({ windowLog: 28, enableLongDistanceMatching: true })));
    await assert.rejects(buffer(Readable.from([longWindow]).pipe(new DecompressStream())), /too much memory/);
    const table = await newTable(dir, twoColumns);
    await ingestFiles(table, [await dir.file('long.tbl.zst', longWindow)], {});
    assert.deepEqual(await tableRows(table), expected);
  });

  it('decides by magic bytes: a compressed file without the extension still loads', async () => {
    const table = await newTable(dir, twoColumns);
    await ingestFiles(table, [await dir.file('data.tbl', zstdCompress(text))], {});
    assert.equal((await tableRows(table)).length, 3000);
  });

  it('fails with INGEST_BAD_COMPRESSION when the extension promises a compression the bytes lack', async () => {
    const table = await newTable(dir, twoColumns);
    const error = await rejection(ingestFiles(table, [await dir.file('data.tbl.gz', text)], {}));
    assert.equal(error.code, 'INGEST_BAD_COMPRESSION');
    assert.match(error.message, /the name says gzip but the file does not start with gzip magic bytes/);
  });

  it('fails with INGEST_BAD_COMPRESSION on truncated .zst and .gz files', async () => {
    const table = await newTable(dir, twoColumns);
    const zst = zstdCompress(text);
    const zstError = await rejection(ingestFiles(table, [await dir.file('cut.tbl.zst', zst.subarray(0, zst.length - 10))], {}));
    assert.equal(zstError.code, 'INGEST_BAD_COMPRESSION');
    const gz = gzipSync(text);
    const gzError = await rejection(ingestFiles(table, [await dir.file('cut.tbl.gz', gz.subarray(0, gz.length - 10))], {}));
    assert.equal(gzError.code, 'INGEST_BAD_COMPRESSION');
    assert.equal((await table.snapshot()).version, 0);
  });
});
