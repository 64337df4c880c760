import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ingestFiles } from '../../ingest/index.js';
import { Types } from '../../storage/index.js';
import { newTable, rejection, schema, tableRows, TempDir } from './load-helpers.js';

describe('ingest/ndjson load', () => {
  let dir: TempDir;
  beforeEach(async () => { dir = await TempDir.create(); });
  afterEach(async () => { await dir.remove(); });

  const events = schema(
    ['id', Types.int64, false], ['host', Types.string], ['ok', Types.boolean], ['price', Types.decimal(10, 2)],
    ['day', Types.date], ['at', Types.timestamp], ['ratio', Types.float64],
  );

  it('matches fields to columns by name, case-insensitively; missing fields are NULL, unknown ones ignored', async () => {
    const table = await newTable(dir, events);
    const path = await dir.file('events.ndjson', [
      '{"id": 1, "HOST": "a", "ok": true, "price": 12.345, "day": "2024-01-02", "at": "2024-01-02 03:04:05", "ratio": 0.5, "extra": [1]}',
      '',
      '{"Id": 2, "price": "99999999.99"}\r',
      '{"id": 3, "host": null, "ok": false, "price": 0.1, "ratio": 1e-3}',
    ].join('\n'));
    const summary = await ingestFiles(table, [path], { readChunkBytes: 16 });
    assert.equal(summary.rowsLoaded, 3);
    assert.deepEqual(await tableRows(table), [
      [1, 'a', true, '12.35', '2024-01-02', '2024-01-02 03:04:05', 0.5],
      [2, null, null, '99999999.99', null, null, null],
      [3, null, false, '0.10', null, null, 0.001],
    ]);
  });

  it('refuses a value of the wrong JSON type with line and column', async () => {
    const table = await newTable(dir, events);
    const path = await dir.file('events.jsonl', '{"id": 1}\n{"id": 2, "ok": "yes"}\n');
    const error = await rejection(ingestFiles(table, [path], {}));
    assert.equal(error.code, 'INGEST_BAD_VALUE');
    assert.deepEqual([error.details.line, error.details.column], [2, 3]);
    assert.match(error.message, /events\.jsonl:2:3: cannot read 'yes' as BOOLEAN for column ok \(a JSON string, expected true or false\)/);
  });

  it('refuses non-integers for integer columns and numbers for string columns', async () => {
    const table = await newTable(dir, events);
    const path = await dir.file('a.ndjson', '{"id": 1.5}\n');
    assert.equal((await rejection(ingestFiles(table, [path], {}))).code, 'INGEST_BAD_VALUE');
    const other = await dir.file('b.ndjson', '{"id": 1, "host": 7}\n');
    const error = await rejection(ingestFiles(table, [other], {}));
    assert.match(error.message, /cannot read '7' as VARCHAR for column host \(a JSON number, expected a string\)/);
  });

  it('fails with INGEST_NULL_VIOLATION when a NOT NULL field is missing', async () => {
    const table = await newTable(dir, events);
    const path = await dir.file('a.ndjson', '{"host": "x"}\n');
    const error = await rejection(ingestFiles(table, [path], {}));
    assert.deepEqual([error.code, error.details.line, error.details.column], ['INGEST_NULL_VIOLATION', 1, 1]);
  });

  it('fails with INGEST_BAD_JSON on a malformed line or a line that is not an object', async () => {
    const table = await newTable(dir, events);
    const broken = await dir.file('a.ndjson', '{"id": 1}\n{"id": 2,\n');
    const error = await rejection(ingestFiles(table, [broken], {}));
    assert.deepEqual([error.code, error.details.line], ['INGEST_BAD_JSON', 2]);
    const array = await dir.file('b.ndjson', '[1, 2]\n');
    const notObject = await rejection(ingestFiles(table, [array], {}));
    assert.equal(notObject.code, 'INGEST_BAD_JSON');
    assert.match(notObject.message, /expected a JSON object, found a JSON array/);
  });

  it('rejects bad lines verbatim and loads the rest', async () => {
    const table = await newTable(dir, events);
    const bad = ['{"id": "one"}\n', 'not json\r\n', '{"host": "no id"}\n'];
    const path = await dir.file('mixed.ndjson', `{"id": 1}\n${bad[0]}${bad[1]}{"id": 2}\n${bad[2]}`);
    const summary = await ingestFiles(table, [path], { onError: 'reject' });
    assert.deepEqual([summary.rowsLoaded, summary.rowsRejected], [2, 3]);
    assert.equal(await readFile(`${path}.rejects`, 'utf8'), bad.join(''));
    assert.deepEqual((await tableRows(table)).map((row) => row[0]), [1, 2]);
  });

  it('reads .json as NDJSON by extension, and any file name with format: ndjson', async () => {
    const table = await newTable(dir, schema(['id', Types.int32]));
    await ingestFiles(table, [await dir.file('x.json', '{"id": 1}\n')], {});
    await ingestFiles(table, [await dir.file('x.log', '{"id": 2}\n')], { format: 'ndjson' });
    assert.deepEqual(await tableRows(table), [[1], [2]]);
  });
});
