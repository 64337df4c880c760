/**
 * Vacuum keeps every version within the safety window readable (it deletes a removed partition
 * only when the commit that removed it is older than the window), removes orphans after the
 * window, and makes reads of the versions it broke fail by name; time travel by time.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Table, type LocalStore } from '../../storage/index.js';
import { compact, eventSchema, load, range, rowsOf } from './backup-fixtures.js';
import { batchOf, rejection, temporaryStore } from './storage-fixtures.js';

/** Commit times this far apart let a retention window fall between two commits with room to spare. */
const commitGapMs = 300;

describe('table vacuum and time travel', function () {
  this.timeout(30_000);
  let store: LocalStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => { ({ store, cleanup } = await temporaryStore('vacuum')); });
  afterEach(() => cleanup());

  async function dataFiles(): Promise<string[]> {
    return (await store.list('tables/events/data')).map((file) => `data/${path.basename(file.path)}`).sort();
  }

  it('deletes only partitions removed before the window; versions inside it stay readable; older ones fail with TABLE_VERSION_VACUUMED', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    await load(table, range(0, 10)); // v1: p1
    await compact(table); // v2: p1 -> p2
    const v1Partition = (await table.snapshot(1)).partitions[0];
    await new Promise((resolve) => setTimeout(resolve, commitGapMs));
    await load(table, range(10, 5)); // v3
    await compact(table); // v4: removes p2 and v3's partition
    const v2Rows = await rowsOf(table, 2);
    const orphan = await table.writePartition([batchOf(eventSchema, [[99], ['x']])]);
    const before = await dataFiles();

    // A window ending between the two compactions: v1's partition goes, v2 and later stay readable.
    const middleMs = ((await table.snapshot(2)).committedAtMs + (await table.snapshot(4)).committedAtMs) / 2;
    const dry = await table.vacuum({ retainMs: Date.now() - middleMs, dryRun: true });
    assert.deepEqual(dry.removed, [v1Partition.path]);
    assert.deepEqual(await dataFiles(), before, 'a dry run deletes nothing');
    const result = await table.vacuum({ retainMs: Date.now() - middleMs });
    assert.deepEqual(result.removed, [v1Partition.path], 'the orphan is too recent, v2..v4 partitions are in the window');
    assert.equal(result.readableFromVersion, 2);
    assert.equal(await table.oldestReadableVersion(), 2);
    assert.deepEqual(await rowsOf(table, 2), v2Rows);
    const error = await rejection(table.snapshot(1), 'TABLE_VERSION_VACUUMED');
    assert.match(error.message, /version 1 of table events .* read version 2 or later/);
    assert.equal((await rejection((await Table.open(store, 'events')).snapshot(0), 'TABLE_VERSION_VACUUMED')).details.readableFromVersion, 2);

    const live = (await table.snapshot()).partitions.map((p) => p.path);
    const all = await table.vacuum({ retainMs: 0 });
    assert.deepEqual([...all.removed].sort(), before.filter((file) => !live.includes(file) && file !== v1Partition.path));
    assert.ok(all.removed.includes(orphan.path));
    assert.equal(all.readableFromVersion, 4);
    assert.deepEqual(await dataFiles(), [...live].sort());
    assert.deepEqual(await rowsOf(table), [...range(0, 15)].map((id) => [id, `tag${id % 3}`]));
  });

  it('versionAt finds the version current at a time', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    const createdMs = (await table.snapshot(0)).committedAtMs;
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 5; i++) {
      await load(table, range(i * 10, 10));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (let version = 0; version <= 5; version++) {
      const atMs = (await table.snapshot(version)).committedAtMs;
      assert.equal(await table.versionAt(atMs), version);
      assert.equal(await table.versionAt(atMs + 1), version, 'between commits the earlier version is current');
    }
    assert.equal(await table.versionAt(Date.now() + 60_000), 5);
    await rejection(table.versionAt(createdMs - 1), 'TABLE_VERSION_NOT_FOUND');
  });
});
