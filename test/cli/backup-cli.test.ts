/**
 * The real CLI (bin/strata as a child process): flip one byte in a partition, scrub names it and
 * exits non-zero, a query touching it fails with a corruption error, restore --repair fixes it and
 * the query answers correctly; backups through the CLI restore identical results; table history,
 * vacuum and replicate --once.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStore, Table } from '../../storage/index.js';
import { flipDataByte } from '../storage/backup-fixtures.js';
import { runCli, runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

const query = 'SELECT tag, count(*) AS n, sum(id) AS s FROM events GROUP BY tag ORDER BY tag';

describe('strata backup, scrub, table, vacuum, replicate (CLI)', function () {
  this.timeout(120_000);
  let temp: { path: string; remove(): void };
  let store: string;
  let backups: string;

  before(async () => {
    temp = makeTempDirectory('strata-backup-cli-');
    store = join(temp.path, 'store');
    backups = join(temp.path, 'backups');
    const csv = join(temp.path, 'events.csv');
    writeFileSync(csv, `id,tag\n${Array.from({ length: 3000 }, (_, i) => `${i},t${i % 4}`).join('\n')}\n`);
    await runCliOk(['sql', '--store', store, 'CREATE TABLE events (id BIGINT NOT NULL, tag VARCHAR)']);
    await runCliOk(['ingest', '--store', store, '--table', 'events', '--partition-rows', '1000', csv]);
  });
  after(() => temp.remove());

  it('scrub names a flipped byte and exits 1; the query fails with a corruption error; restore --repair fixes it', async () => {
    const expected = (await runCliOk(['sql', '--store', store, '--format', 'csv', query])).stdout;
    assert.match((await runCliOk(['backup', 'create', '--store', store, '--to', backups])).stdout, /^created backup \S+ \(full\): events@1;/);
    assert.match((await runCliOk(['backup', 'verify', '--from', backups])).stdout, /all intact/);
    assert.match((await runCliOk(['scrub', '--store', store])).stdout, /1 table\(s\), 3 partition file\(s\).*all intact/);

    const local = await LocalStore.open(store);
    const table = await Table.open(local, 'events');
    const meta = (await table.snapshot()).partitions[1];
    await flipDataByte(local.root, table, meta);
    const scrub = await runCli(['scrub', '--store', store]);
    assert.equal(scrub.code, 1);
    assert.match(scrub.stdout, new RegExp(`^CORRUPT tables/events/${meta.path} \\[PARTITION_CHECKSUM_MISMATCH\\]`, 'm'));
    assert.match(scrub.stderr, /error \[SCRUB_CORRUPTION_FOUND\]/);
    const broken = await runCli(['sql', '--store', store, query]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, new RegExp(`PARTITION_CHECKSUM_MISMATCH.*${meta.id}`));

    const repair = await runCliOk(['backup', 'restore', '--repair', '--from', backups, '--store', store]);
    assert.match(repair.stdout, new RegExp(`^repaired tables/events/${meta.path} from backup `, 'm'));
    await runCliOk(['scrub', '--store', store]);
    assert.equal((await runCliOk(['sql', '--store', store, '--format', 'csv', query])).stdout, expected);
  });

  it('incremental backups restore identical query results; history, vacuum and replicate --once work', async () => {
    const more = join(temp.path, 'more.csv');
    writeFileSync(more, `id,tag\n${Array.from({ length: 500 }, (_, i) => `${10_000 + i},t${i % 5}`).join('\n')}\n`);
    await runCliOk(['ingest', '--store', store, '--table', 'events', more]);
    assert.match((await runCliOk(['backup', 'create', '--store', store, '--to', backups, '--type', 'incremental'])).stdout, /\(incremental, parent /);
    const list = (await runCliOk(['backup', 'list', '--from', backups])).stdout.trim().split('\n');
    assert.deepEqual(list.slice(1).map((line) => line.split(/\s+/).slice(1, 3)), [['full', 'complete'], ['incremental', 'complete']]);

    const restored = join(temp.path, 'restored');
    await runCliOk(['backup', 'restore', '--from', backups, '--store', restored]);
    const expected = (await runCliOk(['sql', '--store', store, '--format', 'csv', query])).stdout;
    assert.equal((await runCliOk(['sql', '--store', restored, '--format', 'csv', query])).stdout, expected);
    const old = await runCliOk(['backup', 'restore', '--from', backups, '--store', restored, '--table', 'events', '--as', 'events_v1', '--as-of', '1']);
    assert.match(old.stdout, /restored events as events_v1 at version 1 .*: 3,000 rows/);
    const usage = await runCli(['backup', 'restore', '--from', backups, '--store', restored, '--as-of', '1']);
    assert.equal(usage.code, 2);

    const history = (await runCliOk(['table', 'history', '--store', store, 'events'])).stdout.trim().split('\n');
    assert.deepEqual(history.slice(1).map((line) => line.split(/\s+/)[3]), ['0', '3,000', '3,500']);
    assert.match((await runCliOk(['vacuum', '--store', store])).stdout, /^events: removed 0 file\(s\)/);

    const secondary = join(temp.path, 'secondary');
    const replicated = await runCliOk(['replicate', '--store', store, '--to', secondary, '--once']);
    assert.match(replicated.stdout, /shipped 3 version\(s\).*events@2; lag 0 version\(s\), 0\.0 s/);
    assert.equal((await runCliOk(['sql', '--store', secondary, '--format', 'csv', query])).stdout, expected);
  });
});
