import assert from 'node:assert/strict';
import { ingestFiles } from '../../ingest/index.js';
import { Types } from '../../storage/index.js';
import { newTable, rejection, schema, tableRows, TempDir } from './load-helpers.js';

describe('ingest/csv load', () => {
  let dir: TempDir;
  beforeEach(async () => { dir = await TempDir.create(); });
  afterEach(async () => { await dir.remove(); });

  const twoColumns = schema(['id', Types.int32], ['name', Types.string]);

  async function load(text: string | Buffer, options: Parameters<typeof ingestFiles>[2] = {}, name = 'data.csv', tableSchema = twoColumns): Promise<unknown[][]> {
    const table = await newTable(dir, tableSchema);
    const path = await dir.file(name, text);
    await ingestFiles(table, [path], options);
    return tableRows(table);
  }

  it('reads quoted fields holding delimiters, doubled quotes and line breaks', async () => {
    const rows = await load('id,name\n1,"a,b"\n2,"say ""hi"""\n3,"two\nlines"\n4,plain\n');
    assert.deepEqual(rows, [[1, 'a,b'], [2, 'say "hi"'], [3, 'two\nlines'], [4, 'plain']]);
  });

  it('reads CRLF line ends and a last line without a line end', async () => {
    assert.deepEqual(await load('id,name\r\n1,x\r\n2,y'), [[1, 'x'], [2, 'y']]);
  });

  it('ignores the trailing delimiter dbgen writes, with | as the .tbl default and no header', async () => {
    assert.deepEqual(await load('1|x|\n2|y|\n', {}, 'data.tbl'), [[1, 'x'], [2, 'y']]);
  });

  it('takes header and delimiter from options over the extension', async () => {
    assert.deepEqual(await load('1;x\n2;y\n', { header: false, delimiter: ';' }), [[1, 'x'], [2, 'y']]);
    await dir.remove();
    dir = await TempDir.create();
    assert.deepEqual(await load('id|name\n1|x\n', { header: true }, 'data.tbl'), [[1, 'x']]);
  });

  it('reads an empty unquoted field as NULL and an empty quoted field as an empty string', async () => {
    assert.deepEqual(await load('id,name\n,""\n2,\n'), [[null, ''], [2, null]]);
  });

  it('uses the given NULL markers instead of the empty field', async () => {
    const rows = await load('id,name\n\\N,NULL\n3,\n4,"NULL"\n', { nullMarkers: ['\\N', 'NULL'] });
    assert.deepEqual(rows, [[null, null], [3, ''], [4, 'NULL']], 'quoted text is never a NULL marker');
  });

  it('loads an empty file, a header-only file and blank lines as zero rows', async () => {
    const table = await newTable(dir, twoColumns);
    const files = [await dir.file('empty.csv', ''), await dir.file('header.csv', 'id,name\n'), await dir.file('blank.csv', 'id,name\n\n\r\n')];
    const summary = await ingestFiles(table, files, {});
    assert.equal(summary.rowsLoaded, 0);
    assert.equal(summary.partitions, 0);
    assert.equal(summary.version, 1);
    assert.deepEqual(await tableRows(table), []);
  });

  it('reads multi-byte UTF-8 split across read chunks, whatever the chunk size', async () => {
    const text = 'id,name\n1,Zürich\n2,"日本語, テキスト"\n3,😀 emoji\n4,naïve café\n';
    const expected = [[1, 'Zürich'], [2, '日本語, テキスト'], [3, '😀 emoji'], [4, 'naïve café']];
    for (const readChunkBytes of [1, 2, 3, 5, 7]) {
      await dir.remove();
      dir = await TempDir.create();
      assert.deepEqual(await load(text, { readChunkBytes }), expected, `chunks of ${readChunkBytes} bytes`);
    }
  });

  it('reads random CSV with quoting, line breaks and multi-byte text the same at every chunk size', async () => {
    // A seeded generator keeps the test deterministic while covering awkward combinations.
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pieces = ['a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '日', '😀', '|', ''];
    const expected: unknown[][] = [];
    let text = 'id,name\n';
    for (let i = 0; i < 300; i++) {
      let value = '';
      for (let k = random(6); k > 0; k--) value += pieces[random(pieces.length)];
      const isNull = random(10) === 0;
      expected.push([i, isNull ? null : value]);
      const field = isNull ? '' : `"${value.replaceAll('"', '""')}"`;
      text += `${i},${field}${random(2) === 0 ? '\n' : '\r\n'}`;
    }
    for (const readChunkBytes of [1, 3, 64, 1 << 20]) {
      await dir.remove();
      dir = await TempDir.create();
      assert.deepEqual(await load(text, { readChunkBytes }), expected, `chunks of ${readChunkBytes} bytes`);
    }
  });

  it('strips a UTF-8 byte order mark at the start of the file', async () => {
    assert.deepEqual(await load('\ufeffid,name\n1,x\n', { readChunkBytes: 2 }), [[1, 'x']]);
  });

  it('keeps a dictionary-friendly column and a unique column exact across batches and partitions', async () => {
    const lines = ['id,name'];
    const expected: unknown[][] = [];
    for (let i = 0; i < 5000; i++) {
      const name = i % 3 === 0 ? `unique-${i}` : ['red', 'green', 'blue'][i % 3];
      lines.push(`${i},${name}`);
      expected.push([i, name]);
    }
    const table = await newTable(dir, twoColumns);
    const path = await dir.file('many.csv', lines.join('\n'));
    const summary = await ingestFiles(table, [path], { partitionRowsTarget: 2000, batchRowsMax: 300, readChunkBytes: 4096 });
    assert.equal(summary.partitions, 3);
    assert.deepEqual((await table.snapshot()).partitions.map((p) => p.rows), [2000, 2000, 1000]);
    assert.deepEqual(await tableRows(table), expected);
  });

  it('fails with INGEST_FIELD_COUNT naming the line and both counts', async () => {
    const error = await rejection(load('id,name\n1,x\n2,y,z\n'));
    assert.equal(error.code, 'INGEST_FIELD_COUNT');
    assert.equal(error.details.line, 3);
    assert.equal(error.details.expected, 2);
    assert.equal(error.details.actual, 3);
    assert.match(error.message, /data\.csv:3: expected 2 fields, found 3/);
  });

  it('fails with INGEST_BAD_QUOTE on an unterminated quote and on text after a closing quote', async () => {
    const unterminated = await rejection(load('id,name\n1,x\n2,"never closed\n3,z\n'));
    assert.equal(unterminated.code, 'INGEST_BAD_QUOTE');
    assert.equal(unterminated.kind, 'input');
    assert.deepEqual([unterminated.details.line, unterminated.details.column], [3, 2]);
    await dir.remove();
    dir = await TempDir.create();
    const trailing = await rejection(load('id,name\n1,"x"y\n'));
    assert.equal(trailing.code, 'INGEST_BAD_QUOTE');
    assert.match(trailing.message, /data\.csv:2:2: text follows the closing quote/);
  });

  it('fails with INGEST_RECORD_TOO_LONG past recordBytesMax', async () => {
    const error = await rejection(load(`id,name\n1,"${'x'.repeat(5000)}\n`, { recordBytesMax: 1000, readChunkBytes: 256 }));
    assert.equal(error.code, 'INGEST_RECORD_TOO_LONG');
    assert.equal(error.details.line, 2);
  });

  it('refuses a delimiter that is not one ASCII character', async () => {
    const error = await rejection(load('1;x\n', { delimiter: ';;' }));
    assert.equal(error.code, 'INGEST_BAD_OPTION');
  });

  it('names a missing file with INGEST_FILE_NOT_FOUND', async () => {
    const table = await newTable(dir, twoColumns);
    const error = await rejection(ingestFiles(table, [`${dir.path}/absent.csv`], {}));
    assert.equal(error.code, 'INGEST_FILE_NOT_FOUND');
    assert.equal(error.kind, 'not_found');
  });
});
