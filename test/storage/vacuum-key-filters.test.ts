/**
 * Vacuum deletes the record-key Bloom filters (keys/<id>.bloom) of the partitions it deletes, so
 * purge + vacuum leaves no hashes of purged keys behind, and sweeps filters no commit names once
 * they are older than the window; a live partition's filter and a fresh uncommitted one stay.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { keyFilterPath, keyFilterRelativePath, purgeRows, Table, type LocalStore } from '../../storage/index.js';
import { eventSchema, load, range } from './backup-fixtures.js';
import { batchOf, temporaryStore } from './storage-fixtures.js';

describe('vacuum of record-key filters', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await temporaryStore('vacuum-key-filters')));
  afterEach(async () => cleanup());

  /** The filter files of table events, relative to its directory, sorted. */
  async function filters(): Promise<string[]> {
    return (await store.list('tables/events/keys')).map((file) => `keys/${path.basename(file.path)}`).sort();
  }

  /** Writes a key filter for a partition as ingest does (its content is opaque to storage). */
  async function writeFilter(table: Table, id: string): Promise<void> {
    await store.write(keyFilterPath(table.directory, id), new Uint8Array(64).fill(7));
  }

  it('deletes the filters of purged partitions and stale orphans; keeps a live partition\'s and a fresh uncommitted one', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    await load(table, range(0, 5));
    await load(table, range(100, 5));
    const [purged, live] = (await table.snapshot()).partitions;
    for (const meta of [purged, live]) await writeFilter(table, meta.id);
    assert.equal((await purgeRows(table, { column: 'id', from: 0, to: 5 })).partitionsDropped, 1);
    // A load in flight: its partition and filter are written, its commit is yet to come (it is
    // older than the window of the last vacuum below, so that one treats it as abandoned).
    const pending = await table.writePartition([batchOf(eventSchema, [[7], ['x']])]);
    await writeFilter(table, pending.id);

    const windowed = await table.vacuum({ retainMs: 60_000 });
    assert.deepEqual(windowed.removed, [], 'the purge is inside the window: its partition and filter stay');
    const dry = await table.vacuum({ retainMs: 60_000 * 60, dryRun: true });
    assert.deepEqual(dry.removed, []);

    const stale = await table.writePartition([batchOf(eventSchema, [[8], ['y']])]);
    await writeFilter(table, stale.id);
    const cutoffMs = Date.now();
    // Coarse file clocks may lag Date.now() by a tick: keep the fresh filter well after the cutoff.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writeFilter(table, 'fresh-uncommitted');
    const retainMs = (): number => Date.now() - cutoffMs;
    const result = await table.vacuum({ retainMs: retainMs(), dryRun: true });
    const expected = [keyFilterRelativePath(purged.id), keyFilterRelativePath(pending.id), keyFilterRelativePath(stale.id)];
    assert.deepEqual(result.removed.filter((file) => file.startsWith('keys/')).sort(), [...expected].sort(), 'dry run lists the filters');
    assert.equal((await filters()).length, 5, 'a dry run deletes nothing');
    await table.vacuum({ retainMs: retainMs() });
    assert.deepEqual(await filters(), [keyFilterRelativePath('fresh-uncommitted'), keyFilterRelativePath(live.id)].sort());
    assert.deepEqual((await table.snapshot()).partitions.map((meta) => meta.id), [live.id]);
  });

  it('after deleting every row, vacuum with retainMs 0 leaves no filter of the removed partitions', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    await load(table, range(0, 3));
    await load(table, range(3, 3));
    const ids = (await table.snapshot()).partitions.map((meta) => meta.id);
    for (const id of ids) await writeFilter(table, id);
    await purgeRows(table, { column: 'id', from: 0, to: 10 });
    const result = await table.vacuum({ retainMs: 0 });
    assert.deepEqual(result.removed.filter((file) => file.startsWith('keys/')).sort(), ids.map(keyFilterRelativePath).sort());
    assert.deepEqual(await filters(), []);
  });
});
