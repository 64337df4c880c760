/**
 * `strata export`: a compacted (encoded) table comes out as a plain Arrow IPC file that
 * apache-arrow alone reads, and as CSV that loads back into the same rows; Parquet is refused clearly.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionType, compressionRegistry, tableFromIPC } from 'apache-arrow';
import * as zstd from 'zstd-napi';
import { runCli, runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

describe('strata export', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  after(() => temp.remove());
  const query = 'SELECT id, day, price, level, msg, ok FROM t ORDER BY id';

  before(async () => {
    await runCliOk(['sql', '--store', store, 'CREATE TABLE t (id BIGINT NOT NULL, day DATE, price DECIMAL(12,2), level VARCHAR, msg VARCHAR, ok BOOLEAN)']);
    const lines = ['id,day,price,level,msg,ok'];
    for (let i = 0; i < 5000; i++) {
      lines.push(`${i},2024-01-${String((i % 28) + 1).padStart(2, '0')},${(i * 1.25).toFixed(2)},${['INFO', 'WARN', 'ERROR'][i % 3]},` +
        `"request ${i % 97}, served ""ok""",${i % 2 === 0}`);
    }
    lines.push('5000,,,,,');
    lines.push('5001,,,,"",'); // an empty string, not NULL
    writeFileSync(join(temp.path, 't.csv'), `${lines.join('\n')}\n`);
    await runCliOk(['ingest', '--store', store, '--table', 't', '--partition-rows', '2000', join(temp.path, 't.csv')]);
    // The archive tier's encodings are what export must undo.
    await runCliOk(['compact', '--store', store, '--table', 't']);
  });

  it('writes one plain Arrow IPC file that apache-arrow reads', async () => {
    const out = join(temp.path, 't.arrow');
    const run = await runCliOk(['export', '--store', store, '--table', 't', '--format', 'arrow', '--out', out]);
    assert.match(run.stdout, /t: exported 5,002 rows .* as arrow to /);
    compressionRegistry.set(CompressionType.ZSTD, { encode: (data: Uint8Array) => zstd.compress(data), decode: (data: Uint8Array) => zstd.decompress(data) });
    const table = tableFromIPC(readFileSync(out));
    assert.equal(table.numRows, 5002);
    const ids = new Set<number>();
    for (let i = 0; i < table.numRows; i++) ids.add(Number(table.get(i)!.toJSON().id));
    assert.equal(ids.size, 5002);
    const row = [...Array(table.numRows).keys()].map((i) => table.get(i)!.toJSON() as Record<string, unknown>).find((r) => Number(r.id) === 7)!;
    assert.equal(row.level, 'WARN');
    assert.equal(row.msg, 'request 7, served "ok"');
    assert.equal(row.ok, false);
    const again = await runCli(['export', '--store', store, '--table', 't', '--format', 'arrow', '--out', out]);
    assert.equal(again.code, 1, 'an existing file is not overwritten');
  });

  it('writes CSV that loads back into the same rows', async () => {
    const out = join(temp.path, 't-export.csv');
    await runCliOk(['export', '--store', store, '--table', 't', '--format', 'csv', '--out', out]);
    await runCliOk(['sql', '--store', store, 'CREATE TABLE u (id BIGINT NOT NULL, day DATE, price DECIMAL(12,2), level VARCHAR, msg VARCHAR, ok BOOLEAN)']);
    await runCliOk(['ingest', '--store', store, '--table', 'u', out]);
    const original = await runCliOk(['sql', '--store', store, '--format', 'csv', query]);
    const reloaded = await runCliOk(['sql', '--store', store, '--format', 'csv', query.replace('FROM t', 'FROM u')]);
    assert.equal(reloaded.stdout, original.stdout);
    assert.equal(original.stdout.trim().split('\n').length, 5003);
    // The empty string and the NULL stay apart.
    for (const condition of ["msg = ''", 'msg IS NULL']) {
      const count = await runCliOk(['sql', '--store', store, '--format', 'csv', `SELECT count(*) FROM u WHERE ${condition}`]);
      assert.equal(count.stdout.trim().split('\n').at(-1), '1', condition);
    }
  });

  it('refuses parquet with a clear error', async () => {
    const run = await runCli(['export', '--store', store, '--table', 't', '--format', 'parquet', '--out', join(temp.path, 't.parquet')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /EXPORT_FORMAT_UNSUPPORTED.*arrow/s);
  });
});
