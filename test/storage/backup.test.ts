/**
 * Backups: full, incremental and differential backups restore identical to the source (log and
 * partition checksums, rows through storage reads), a backup taken during loads restores exactly
 * the committed version it pinned, verify names missing and corrupt files and broken links, and an
 * interrupted backup resumes without copying again what it already copied.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  backupChain, createBackup, listBackups, manifestPath, restoreBackup, StoreCatalog, Table, verifyBackups,
  type BackupManifest, type LocalStore,
} from '../../storage/index.js';
import { compact, eventSchema, fingerprint, flipByte, load, onDisk, range, rowsOf } from './backup-fixtures.js';
import { collect, columnsOf, rejection, temporaryStore } from './storage-fixtures.js';

interface Stores {
  source: LocalStore;
  backups: LocalStore;
  cleanup(): Promise<void>;
}

async function stores(): Promise<Stores> {
  const source = await temporaryStore('backup-source');
  const backups = await temporaryStore('backup-dest');
  return { source: source.store, backups: backups.store, cleanup: async () => { await source.cleanup(); await backups.cleanup(); } };
}

/** Restores backup `id` into a fresh store and returns the store and its cleanup. */
async function restoreFresh(backups: LocalStore, id: string, options: Parameters<typeof restoreBackup>[2] = {}): Promise<{ store: LocalStore; cleanup: () => Promise<void> }> {
  const target = await temporaryStore('backup-target');
  await restoreBackup(backups, target.store, { ...options, backup: id });
  return target;
}

/** Asserts every table of `manifest` restores identical to the source at the pinned version. */
async function assertRestoresIdentical(source: LocalStore, backups: LocalStore, manifest: BackupManifest): Promise<void> {
  const target = await restoreFresh(backups, manifest.id);
  try {
    assert.deepEqual(await new StoreCatalog(target.store).listTables(), manifest.tables.map((table) => table.name));
    for (const table of manifest.tables) {
      assert.deepEqual(await fingerprint(target.store, table.name), await fingerprint(source, table.name, table.version), `table ${table.name} of ${manifest.id}`);
    }
  } finally {
    await target.cleanup();
  }
}

describe('backups', function () {
  this.timeout(60_000);
  let s: Stores;
  beforeEach(async () => { s = await stores(); });
  afterEach(() => s.cleanup());

  it('full + three incrementals and full + differential restore identical to the source; incrementals copy only what changed', async () => {
    const events = await Table.create(s.source, 'events', eventSchema);
    const calls = await Table.create(s.source, 'calls', eventSchema);
    await load(events, range(0, 50));
    await load(calls, range(0, 20));
    const full = (await createBackup(s.source, s.backups, { type: 'full' })).manifest;
    assert.equal(full.parent, null);
    assert.equal(full.files.length, 2 * 2 + 2, 'two log entries and one partition per table');

    await load(events, range(50, 10));
    const inc1 = (await createBackup(s.source, s.backups, { type: 'incremental' })).manifest;
    assert.equal(inc1.parent, full.id);
    assert.deepEqual(inc1.files.map((file) => file.path).filter((path) => path.includes('/data/')).length, 1, 'only the new partition');
    assert.deepEqual(inc1.tables.map((table) => [table.name, table.fromVersion, table.version]), [['calls', 2, 1], ['events', 2, 2]]);

    await compact(events); // removes two partitions and adds one
    await load(calls, range(20, 5));
    const inc2 = (await createBackup(s.source, s.backups, { type: 'incremental' })).manifest;
    await Table.create(s.source, 'late', eventSchema).then((late) => load(late, range(7, 3)));
    await load(events, range(60, 1));
    const inc3 = (await createBackup(s.source, s.backups, { type: 'incremental' })).manifest;
    assert.equal(inc3.parent, inc2.id);
    assert.equal(inc3.tables.find((table) => table.name === 'late')?.fromVersion, 0, 'a new table is backed up whole');
    const diff = (await createBackup(s.source, s.backups, { type: 'differential' })).manifest;
    assert.equal(diff.parent, full.id, 'a differential builds on the last full');
    assert.deepEqual(diff.tables.map((table) => [table.name, table.fromVersion]), [['calls', 2], ['events', 2], ['late', 0]]);

    assert.deepEqual((await backupChain(s.backups, inc3.id)).map((m) => m.id), [inc3.id, inc2.id, inc1.id, full.id]);
    for (const manifest of [full, inc1, inc2, inc3, diff]) await assertRestoresIdentical(s.source, s.backups, manifest);
    assert.deepEqual((await listBackups(s.backups)).map((info) => [info.type, info.status]),
      [['full', 'complete'], ['incremental', 'complete'], ['incremental', 'complete'], ['incremental', 'complete'], ['differential', 'complete']]);
    const report = await verifyBackups(s.backups);
    assert.deepEqual(report.problems, []);
    assert.equal(report.backups.length, 5);
  });

  it('restores as of a version or a time, one table under a new name, and refuses to overwrite a table', async () => {
    const events = await Table.create(s.source, 'events', eventSchema);
    await load(events, range(0, 10));
    await load(events, range(10, 10));
    await createBackup(s.source, s.backups);
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later commit time than version 2
    await load(events, range(20, 10));
    const inc = (await createBackup(s.source, s.backups, { type: 'incremental' })).manifest;
    const target = await temporaryStore('backup-asof');
    try {
      const atOne = await restoreBackup(s.backups, target.store, { backup: inc.id, table: 'events', as: 'events_v1', asOfVersion: 1 });
      assert.deepEqual(atOne.tables.map((t) => [t.name, t.as, t.version, t.rows]), [['events', 'events_v1', 1, 10]]);
      assert.deepEqual(await rowsOf(await Table.open(target.store, 'events_v1')), await rowsOf(events, 1));
      const versionTwoMs = (await events.snapshot(2)).committedAtMs;
      const byTime = await restoreBackup(s.backups, target.store, { table: 'events', as: 'events_t', asOfTimeMs: versionTwoMs });
      assert.equal(byTime.tables[0].version, 2);
      assert.deepEqual(await fingerprint(target.store, 'events_t'), await fingerprint(s.source, 'events', 2));
      await restoreBackup(s.backups, target.store, {});
      assert.deepEqual(await fingerprint(target.store, 'events'), await fingerprint(s.source, 'events'));
      await rejection(restoreBackup(s.backups, target.store, {}), 'TABLE_EXISTS');
      await rejection(restoreBackup(s.backups, target.store, { table: 'events', as: 'x', asOfVersion: 9 }), 'TABLE_VERSION_NOT_FOUND');
      await rejection(restoreBackup(s.backups, target.store, { asOfVersion: 1 }), 'RESTORE_OPTIONS_INVALID');
      await rejection(restoreBackup(s.backups, target.store, { table: 'nope', as: 'y' }), 'BACKUP_TABLE_NOT_FOUND');
      await rejection(restoreBackup(s.backups, target.store, { table: 'events', as: 'z', asOfTimeMs: 0 }), 'TABLE_VERSION_NOT_FOUND');
    } finally {
      await target.cleanup();
    }
  });

  it('a version whose partitions no backup holds is refused by name (BACKUP_VERSION_NOT_RESTORABLE)', async () => {
    const events = await Table.create(s.source, 'events', eventSchema);
    await load(events, range(0, 10));
    await compact(events);
    const full = (await createBackup(s.source, s.backups)).manifest;
    const target = await temporaryStore('backup-gone');
    try {
      const error = await rejection(restoreBackup(s.backups, target.store, { backup: full.id, table: 'events', asOfVersion: 1 }), 'BACKUP_VERSION_NOT_RESTORABLE');
      assert.equal(error.details.partition, (await events.snapshot(1)).partitions[0].id);
      assert.equal(await target.store.stat('tables/events'), null, 'nothing was written');
    } finally {
      await target.cleanup();
    }
  });

  it('verify names a missing file, a corrupted file and a broken chain link; restore refuses the broken chain', async () => {
    const events = await Table.create(s.source, 'events', eventSchema);
    await load(events, range(0, 30));
    const full = (await createBackup(s.source, s.backups)).manifest;
    await load(events, range(30, 30));
    const inc1 = (await createBackup(s.source, s.backups, { type: 'incremental' })).manifest;
    await load(events, range(60, 30));
    const inc2 = (await createBackup(s.source, s.backups, { type: 'incremental' })).manifest;
    assert.deepEqual((await verifyBackups(s.backups, { backup: inc2.id })).problems, []);

    const fullPartition = full.files.find((file) => file.path.includes('/data/'))!;
    await flipByte(onDisk(s.backups.root, `backups/${full.id}/${fullPartition.path}`));
    const inc2Log = inc2.files.find((file) => file.path.includes('/_log/'))!;
    await fs.rm(onDisk(s.backups.root, `backups/${inc2.id}/${inc2Log.path}`));
    const damaged = await verifyBackups(s.backups, { backup: inc2.id });
    assert.deepEqual(damaged.backups, [full.id, inc1.id, inc2.id].sort(), 'verifying one backup checks its whole chain');
    assert.deepEqual(damaged.problems.map((p) => [p.code, p.backup, p.path]), [
      ['BACKUP_FILE_MISSING', inc2.id, `backups/${inc2.id}/${inc2Log.path}`],
      ['BACKUP_FILE_CORRUPT', full.id, `backups/${full.id}/${fullPartition.path}`],
    ]);

    // A parent manifest changed after its child was taken breaks the link, even when it still parses.
    await fs.appendFile(onDisk(s.backups.root, manifestPath(full.id)), ' ');
    const changed = await verifyBackups(s.backups, { backup: inc1.id });
    assert.ok(changed.problems.some((p) => p.code === 'BACKUP_CHAIN_BROKEN' && p.backup === inc1.id && p.message.includes(full.id)), JSON.stringify(changed.problems));

    await fs.rm(onDisk(s.backups.root, manifestPath(inc1.id)));
    const broken = await verifyBackups(s.backups, { backup: inc2.id });
    const link = broken.problems.find((p) => p.code === 'BACKUP_CHAIN_BROKEN');
    assert.ok(link !== undefined && link.backup === inc2.id && link.message.includes(inc1.id), JSON.stringify(broken.problems));
    const target = await temporaryStore('backup-broken');
    try {
      const error = await rejection(restoreBackup(s.backups, target.store, { backup: inc2.id }), 'BACKUP_CHAIN_BROKEN');
      assert.match(error.message, new RegExp(inc1.id));
    } finally {
      await target.cleanup();
    }
  });

  it('an interrupted backup resumes: files already copied and verified are skipped', async () => {
    const events = await Table.create(s.source, 'events', eventSchema);
    for (let i = 0; i < 6; i++) await load(events, range(i * 10, 10));
    const controller = new AbortController();
    await rejection(createBackup(s.source, s.backups, {
      signal: controller.signal,
      onProgress: (progress) => { if (progress.filesDone >= 5) controller.abort(); },
    }), 'BACKUP_CANCELLED');
    const [interrupted] = await listBackups(s.backups);
    assert.equal(interrupted.status, 'incomplete');
    await load(events, range(100, 5)); // committed after the pinned version: not in this backup
    const resumed = await createBackup(s.source, s.backups);
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.manifest.id, interrupted.id);
    assert.ok(resumed.filesSkipped >= 5, `skipped ${resumed.filesSkipped}`);
    assert.equal(resumed.filesSkipped + resumed.filesCopied, resumed.manifest.files.length);
    assert.equal(resumed.manifest.tables[0].version, 6, 'the version pinned before the interruption');
    await assertRestoresIdentical(s.source, s.backups, resumed.manifest);
    const again = await createBackup(s.source, s.backups, { type: 'incremental' });
    assert.equal(again.resumed, false);
    assert.equal(again.manifest.tables[0].version, 7);
  });

  it('an incremental needs a full first; a dropped and re-created table is backed up whole', async () => {
    await rejection(createBackup(s.source, s.backups, { type: 'incremental' }), 'BACKUP_PARENT_MISSING');
    const catalog = new StoreCatalog(s.source);
    const first = await catalog.createTable('events', eventSchema);
    await load(first, range(0, 5));
    await load(first, range(5, 5));
    await createBackup(s.source, s.backups);
    await catalog.dropTable('events');
    const second = await catalog.createTable('events', eventSchema);
    await load(second, range(100, 3));
    const inc = (await createBackup(s.source, s.backups, { type: 'incremental' })).manifest;
    assert.equal(inc.tables[0].fromVersion, 0);
    await assertRestoresIdentical(s.source, s.backups, inc);
  });

  it('a backup taken while another process keeps loading restores exactly one committed version per table', async () => {
    const names = ['alpha', 'beta'];
    for (const name of names) await Table.create(s.source, name, { fields: [eventSchema.fields[0]] });
    const child = spawn(process.execPath, [fileURLToPath(new URL('./backup-load-child.js', import.meta.url)), s.source.root, '0', ...names],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => { stderr += data.toString('utf8'); });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        let commits = 0;
        createInterface({ input: child.stdout }).on('line', (line) => { if (line.startsWith('committed') && ++commits === 10) resolve(); });
        void exited.then(() => reject(new Error(`loader exited early: ${stderr}`)));
      });
      const full = (await createBackup(s.source, s.backups)).manifest;
      const inc = (await createBackup(s.source, s.backups, { type: 'incremental' })).manifest;
      child.kill('SIGKILL');
      await exited;
      for (const manifest of [full, inc]) {
        const target = await restoreFresh(s.backups, manifest.id);
        try {
          for (const pinned of manifest.tables) {
            const restored = await Table.open(target.store, pinned.name);
            const snapshot = await restored.snapshot();
            assert.equal(snapshot.version, pinned.version);
            const expected: number[] = [];
            for (let v = 1; v <= pinned.version; v++) for (let i = 0; i < 1 + (v % 7) * 30; i++) expected.push(v * 1000 + i);
            const ids = (await rowsOfIds(restored));
            assert.deepEqual(ids, expected, `${pinned.name} at version ${pinned.version}`);
            assert.equal(manifest.totals[pinned.name].rows, expected.length);
          }
        } finally {
          await target.cleanup();
        }
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});

async function rowsOfIds(table: Table): Promise<number[]> {
  const ids: number[] = [];
  for (const meta of (await table.snapshot()).partitions) ids.push(...(columnsOf(await collect(table.readPartition(meta, [0])), 1)[0] as number[]));
  return ids.sort((a, b) => a - b);
}
