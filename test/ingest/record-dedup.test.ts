/**
 * Acceptance (issue 7): with a declared record key, loading a file twice adds no rows and an
 * overlapping file adds only the new keys; duplicates within one load go too. Key filters: no
 * false negatives, few false positives.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyFilter } from '../../ingest/record-key.js';
import { runCli, runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

/** CSV lines for ids [from, to): key (id, region), region NULL for every 50th id. */
function lines(from: number, to: number): string[] {
  const out: string[] = [];
  for (let id = from; id < to; id++) out.push(`${id},${id % 50 === 0 ? '' : `r${id % 3}`},${id * 2}`);
  return out;
}

describe('record de-duplication by a declared key', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  after(() => temp.remove());

  async function ingest(file: string, ...extra: string[]): Promise<string> {
    return (await runCliOk(['ingest', '--store', store, '--table', 'events', '--partition-rows', '1000', ...extra, file])).stdout;
  }

  async function totals(): Promise<string> {
    return (await runCliOk(['sql', '--store', store, '--format', 'csv', 'SELECT count(*), count(DISTINCT id), sum(v) FROM events'])).stdout.trim().split('\n').at(-1)!;
  }

  before(async () => {
    await runCliOk(['sql', '--store', store, 'CREATE TABLE events (id INTEGER NOT NULL, region VARCHAR, v BIGINT)']);
    await runCliOk(['table', 'key', '--store', store, 'events', '--columns', 'id,region']);
    // 3,000 keys; the last 100 lines repeat inside the same file.
    writeFileSync(join(temp.path, 'a.csv'), `id,region,v\n${[...lines(0, 3000), ...lines(2900, 3000)].join('\n')}\n`);
    writeFileSync(join(temp.path, 'b.csv'), `id,region,v\n${lines(2500, 4000).join('\n')}\n`);
  });

  it('drops duplicates within a load, on a second load of the same file, and keeps only new keys of an overlapping file', async () => {
    const first = await ingest(join(temp.path, 'a.csv'));
    assert.match(first, /loaded 3,000 rows/);
    assert.match(first, /100 duplicate record\(s\) dropped/);
    assert.equal(await totals(), `3000,3000,${2 * (2999 * 3000) / 2}`);
    // One key filter per partition written, beside the table's data.
    assert.equal(readdirSync(join(store, 'tables', 'events', 'keys')).filter((name) => name.endsWith('.bloom')).length, 3);
    const again = await ingest(join(temp.path, 'a.csv'), '--force');
    assert.match(again, /loaded 0 rows/);
    assert.match(again, /3,100 duplicate record\(s\) dropped/);
    assert.equal(await totals(), `3000,3000,${2999 * 3000}`);
    const overlap = await ingest(join(temp.path, 'b.csv'));
    assert.match(overlap, /loaded 1,000 rows/);
    assert.match(overlap, /500 duplicate record\(s\) dropped/);
    assert.equal(await totals(), `4000,4000,${3999 * 4000}`);
  });

  it('still finds keys in partitions without filters (compacted ones), and a key differs by any of its columns', async () => {
    await runCliOk(['compact', '--store', store, '--table', 'events']);
    const again = await ingest(join(temp.path, 'b.csv'), '--force');
    assert.match(again, /loaded 0 rows/);
    assert.match(again, /1,500 duplicate record\(s\) dropped/);
    // Same ids, another region: new keys.
    writeFileSync(join(temp.path, 'c.csv'), `id,region,v\n1,other,0\n2,other,0\n3,r0,0\n`);
    const other = await ingest(join(temp.path, 'c.csv'));
    assert.match(other, /loaded 2 rows/);
    assert.match(other, /1 duplicate record\(s\) dropped/);
    assert.equal(await totals(), `4002,4000,${3999 * 4000}`);
  });

  it('rejects a key column the table does not have', async () => {
    const run = await runCli(['table', 'key', '--store', store, 'events', '--columns', 'nope']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /RECORD_KEY_INVALID/);
  });
});

describe('KeyFilter', () => {
  it('never misses a key it holds and rarely claims one it does not', () => {
    const filter = KeyFilter.forKeys(10_000);
    for (let i = 0; i < 10_000; i++) filter.add(`key ${i}`);
    const decoded = KeyFilter.decode(filter.encode())!;
    for (let i = 0; i < 10_000; i++) assert.ok(decoded.mayContain(`key ${i}`), `key ${i}`);
    let falsePositives = 0;
    for (let i = 10_000; i < 20_000; i++) if (decoded.mayContain(`key ${i}`)) falsePositives++;
    assert.ok(falsePositives < 300, `false positives ${falsePositives} of 10,000`);
    assert.equal(KeyFilter.decode(new Uint8Array(3)), null);
  });
});
