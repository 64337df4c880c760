/**
 * Backups carry what a restore needs beyond tables: views (views/<name>.json) and the record-key
 * filters of partitions (tables/<t>/keys/<id>.bloom). A keyed table and two views go through a
 * full and an incremental backup into a new store; the views answer the same there, the key
 * filters are byte for byte the source's, and re-loading the same keyed rows adds none — also in
 * a table restored as of an earlier version under a new name.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../service-manager/index.js';
import { recordKeyProperty } from '../../ingest/index.js';
import {
  createBackup, fileDigest, LocalStore, readManifest, restoreBackup, StoreCatalog, StrataError, verifyBackups, type Store,
} from '../../storage/index.js';

/** name → sha256 of every key filter of table `table` in `store`. */
async function keyFilters(store: Store, table: string): Promise<Map<string, string>> {
  const filters = new Map<string, string>();
  for (const file of await store.list(`tables/${table}/keys`)) {
    filters.set(file.path.slice(file.path.lastIndexOf('/') + 1), (await fileDigest(store, file.path))!.checksum);
  }
  return filters;
}

function csvOf(first: number, count: number): string {
  let text = 'id,v\n';
  for (let id = first; id < first + count; id++) text += `${id},v${id}\n`;
  return text;
}

describe('backups carry views and record-key filters', function () {
  this.timeout(60_000);
  let directory: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'strata-backup-views-keys-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('full + incremental, restore to a new store: views answer the same, keyed re-loads add nothing', async () => {
    const first = join(directory, 'first.csv');
    const second = join(directory, 'second.csv');
    await writeFile(first, csvOf(1, 50));
    await writeFile(second, csvOf(51, 30));
    const source = await Database.open(join(directory, 'source'));
    const backups = await LocalStore.open(join(directory, 'backups'));
    const target = await Database.open(join(directory, 'target'));
    try {
      await source.sql('CREATE TABLE k (id INTEGER NOT NULL, v VARCHAR)');
      const table = await new StoreCatalog(source.store).openTable('k');
      await table.commit((await table.snapshot()).version, { add: [], remove: [], info: { operation: 'key' } }, { properties: { [recordKeyProperty]: ['id'] } });
      await source.ingest('k', [first], { header: true });
      const firstLoadVersion = (await table.snapshot()).version;
      await source.sql('CREATE VIEW even_k AS SELECT id, v FROM k WHERE id % 2 = 0');
      const full = await createBackup(source.store, backups);
      assert.deepEqual(full.manifest.views, ['even_k']);

      await source.ingest('k', [second], { header: true });
      await source.sql('CREATE VIEW k_count (n) AS SELECT count(*) FROM k');
      const incremental = await createBackup(source.store, backups, { type: 'incremental' });
      assert.deepEqual(incremental.manifest.views, ['even_k', 'k_count']);
      // The incremental holds the filter of the new partition only; the full holds the first one's.
      const filterFiles = (files: readonly { path: string }[]): number => files.filter((file) => file.path.endsWith('.bloom')).length;
      assert.equal(filterFiles(full.manifest.files), 1);
      assert.equal(filterFiles(incremental.manifest.files), 1);
      assert.deepEqual((await verifyBackups(backups)).problems, []);

      const restored = await restoreBackup(backups, target.store);
      assert.deepEqual(restored.views, ['even_k', 'k_count']);
      assert.deepEqual(await keyFilters(target.store, 'k'), await keyFilters(source.store, 'k'));
      assert.equal((await keyFilters(target.store, 'k')).size, 2);
      for (const sql of ['SELECT id, v FROM even_k ORDER BY id', 'SELECT n FROM k_count']) {
        assert.deepEqual((await target.query(sql)).rows, (await source.query(sql)).rows, sql);
      }
      assert.deepEqual((await target.query('SELECT n FROM k_count')).rows, [[80]]);

      const again = await target.ingest('k', [first, second], { header: true, force: true });
      assert.equal(again.rowsLoaded, 0);
      assert.equal(again.rowsDuplicate, 80);
      assert.deepEqual((await target.query('SELECT count(*) FROM k')).rows, [[80]]);

      // --table k --as k_old --as-of the first load: its one partition comes with its filter.
      const old = await restoreBackup(backups, target.store, { table: 'k', as: 'k_old', asOfVersion: firstLoadVersion });
      assert.deepEqual(old.views, [], 'restoring one table leaves views alone');
      const firstPartition = (await table.snapshot(firstLoadVersion)).partitions[0].id;
      assert.deepEqual(await keyFilters(target.store, 'k_old'), new Map([[`${firstPartition}.bloom`, (await keyFilters(source.store, 'k')).get(`${firstPartition}.bloom`)]]));
      const reload = await target.ingest('k_old', [first], { header: true, force: true });
      assert.equal(reload.rowsLoaded, 0);
      assert.deepEqual((await target.query('SELECT count(*) FROM k_old')).rows, [[50]]);

      // A restore into a store whose view of the same name differs is refused before anything is written.
      const other = await Database.open(join(directory, 'other'));
      try {
        await other.sql('CREATE TABLE unrelated (x INTEGER)');
        await other.sql('CREATE VIEW even_k AS SELECT x FROM unrelated');
        await assert.rejects(restoreBackup(backups, other.store), (error: unknown) => error instanceof StrataError && error.code === 'VIEW_EXISTS');
        assert.deepEqual(await other.tables(), ['unrelated']);
      } finally {
        await other.close();
      }
      assert.equal((await readManifest(backups, incremental.manifest.id)).manifest.views?.length, 2);
    } finally {
      await source.close();
      await target.close();
      await backups.close();
    }
  });
});
