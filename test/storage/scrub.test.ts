/**
 * Scrub and repair: a flipped byte or a lost partition file is named by scrub, a read touching it
 * fails with a corruption error naming the partition (never a wrong answer), and repair from a
 * backup restores the exact bytes so reads answer correctly again.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import {
  createBackup, repairFromBackups, scrubStore, StrataError, Table, type LocalStore,
} from '../../storage/index.js';
import { compact, eventSchema, flipByte, flipDataByte, load, onDisk, range, rowsOf } from './backup-fixtures.js';
import { temporaryStore } from './storage-fixtures.js';

describe('scrub and repair', function () {
  this.timeout(60_000);
  let store: LocalStore;
  let backups: LocalStore;
  let cleanups: (() => Promise<void>)[];

  beforeEach(async () => {
    const a = await temporaryStore('scrub');
    const b = await temporaryStore('scrub-backup');
    store = a.store;
    backups = b.store;
    cleanups = [a.cleanup, b.cleanup];
  });
  afterEach(async () => { for (const cleanup of cleanups) await cleanup(); });

  it('names a flipped byte and a missing file; reads fail with a corruption error; repair from a backup fixes both', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    for (let i = 0; i < 3; i++) await load(table, range(i * 100, 100));
    const expected = await rowsOf(table);
    assert.deepEqual((await scrubStore(store)).problems, []);
    await createBackup(store, backups);

    const [first, second] = (await table.snapshot()).partitions;
    const firstPath = `${table.directory}/${first.path}`;
    const secondPath = `${table.directory}/${second.path}`;
    await flipDataByte(store.root, table, first);
    await fs.rm(onDisk(store.root, secondPath));
    const report = await scrubStore(store);
    assert.equal(report.partitionsChecked, 2, 'the missing file is reported, not checked');
    assert.deepEqual(report.problems.map((p) => [p.path, p.code]).sort(), [
      [firstPath, 'PARTITION_CHECKSUM_MISMATCH'], [secondPath, 'PARTITION_MISSING'],
    ].sort());
    assert.match(report.problems.find((p) => p.path === firstPath)!.message, new RegExp(first.id));

    await assert.rejects(rowsOf(table), (error: unknown) => {
      assert.ok(error instanceof StrataError);
      assert.equal(error.kind, 'corruption', error.message);
      assert.equal(error.details.partition, first.id);
      return true;
    });

    const repair = await repairFromBackups(backups, store);
    assert.deepEqual(repair.repaired.map((p) => p.path).sort(), [firstPath, secondPath].sort());
    assert.deepEqual(repair.unrepaired, []);
    assert.deepEqual((await scrubStore(store)).problems, []);
    assert.deepEqual(await rowsOf(table), expected);
  });

  it('reports what no backup holds as unrepaired, skips vacuumed history, and names a corrupt log entry', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    await load(table, range(0, 10));
    await compact(table); // version 1's partition is now only history
    await table.vacuum({ retainMs: 0 });
    await load(table, range(10, 10));
    assert.deepEqual((await scrubStore(store)).problems, [], 'a vacuumed partition of an old version is not a problem');
    const latest = (await table.snapshot()).partitions.at(-1)!;
    await flipByte(onDisk(store.root, `${table.directory}/${latest.path}`));
    const repair = await repairFromBackups(backups, store);
    assert.equal(repair.repaired.length, 0);
    assert.equal(repair.unrepaired.length, 1);
    assert.match(repair.unrepaired[0].reason, /no backup/);

    const other = await Table.create(store, 'other', eventSchema);
    await load(other, range(0, 3));
    await fs.writeFile(onDisk(store.root, other.logEntryPath(1)), '{"format":1,');
    const report = await scrubStore(store);
    assert.deepEqual(report.problems.map((p) => [p.table, p.code]), [['events', 'PARTITION_CHECKSUM_MISMATCH'], ['other', 'LOG_CORRUPT']]);
  });
});
