/**
 * Acceptance: a partition written by strata (through the CLI) opens with a plain apache-arrow
 * reader — no strata code, only arrow's own compression registry given a zstd codec — and holds
 * the right rows.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionType, compressionRegistry, tableFromIPC } from 'apache-arrow';
import * as zstd from 'zstd-napi';
import { runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

describe('partitions are plain Arrow IPC files', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  after(() => temp.remove());

  it('opens with apache-arrow alone and holds the loaded rows', async () => {
    await runCliOk(['sql', '--store', store,
      'CREATE TABLE m (id INTEGER NOT NULL, small SMALLINT, big BIGINT, price DECIMAL(12,3), day DATE, ts TIMESTAMP, ok BOOLEAN, level VARCHAR, msg VARCHAR, x DOUBLE)']);
    const lines = ['id,small,big,price,day,ts,ok,level,msg,x'];
    for (let i = 0; i < 1000; i++) {
      lines.push(`${i},${i % 7},${i * 1_000_000_007},${(i * 1.125).toFixed(3)},2024-02-${String((i % 28) + 1).padStart(2, '0')},` +
        `2024-03-01 12:00:${String(i % 60).padStart(2, '0')},${i % 2 === 0},${['INFO', 'WARN', 'ERROR'][i % 3]},message number ${i},${i / 8}`);
    }
    lines.push('1000,,,,,,,,,');
    const file = join(temp.path, 'm.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    await runCliOk(['ingest', '--store', store, '--table', 'm', file]);

    compressionRegistry.set(CompressionType.ZSTD, {
      encode: (data: Uint8Array) => zstd.compress(data),
      decode: (data: Uint8Array) => zstd.decompress(data),
    });
    const dataDirectory = join(store, 'tables', 'm', 'data');
    const files = readdirSync(dataDirectory).filter((name) => name.endsWith('.arrow'));
    assert.equal(files.length, 1);
    const table = tableFromIPC(readFileSync(join(dataDirectory, files[0])));
    assert.equal(table.numRows, 1001);
    assert.deepEqual(table.schema.fields.map((field) => field.name), ['id', 'small', 'big', 'price', 'day', 'ts', 'ok', 'level', 'msg', 'x']);
    const row = table.get(9)!.toJSON() as Record<string, unknown>;
    assert.equal(Number(row.id), 9);
    assert.equal(Number(row.small), 2);
    assert.equal(Number(row.big), 9_000_000_063);
    assert.equal(Number(row.price), 10125); // the scaled integer; field metadata holds the scale
    assert.equal(row.msg, 'message number 9');
    assert.equal(row.level, 'INFO');
    assert.equal(row.ok, false);
    assert.equal(Number(row.x), 9 / 8);
    const last = table.get(1000)!.toJSON() as Record<string, unknown>;
    assert.equal(last.small, null);
    assert.equal(last.msg, null);
    const priceField = table.schema.fields.find((field) => field.name === 'price')!;
    assert.match(priceField.metadata.get('strata.type') ?? '', /decimal/);
  });
});
