/**
 * Replication ships what a secondary needs to take over beyond table data: record-key filters
 * (each before the commit that references its partition, and those a later load wrote for older
 * partitions) and views (created, replaced and dropped on the primary, converged by content). A
 * keyed table and views are replicated; the views answer the same on the secondary, re-loading the
 * same keyed rows into a store restored from the secondary adds none; a replicator killed at
 * random points never leaves a committed partition without its filter.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordKeyProperty } from '../../ingest/index.js';
import { Database } from '../../service-manager/index.js';
import {
  createBackup, fileDigest, LocalStore, replicateOnce, restoreBackup, StoreCatalog, StrataError, Table,
  type ReplicationRound, type Store, type StoreFileStatus,
} from '../../storage/index.js';

/** A real store that remembers the order of the files written to it. */
class WriteOrderStore implements Store {
  readonly written: string[] = [];
  constructor(private readonly inner: Store) {}
  get url(): string { return this.inner.url; }
  read(path: string): Promise<Uint8Array> { return this.inner.read(path); }
  readRange(path: string, offset: number, length: number): Promise<Uint8Array> { return this.inner.readRange(path, offset, length); }
  stat(path: string): Promise<StoreFileStatus | null> { return this.inner.stat(path); }
  async write(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    await this.inner.write(path, data);
    this.written.push(path);
  }
  async createIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    const created = await this.inner.createIfAbsent(path, data);
    if (created) this.written.push(path);
    return created;
  }
  rename(from: string, to: string): Promise<void> { return this.inner.rename(from, to); }
  list(directory: string): Promise<StoreFileStatus[]> { return this.inner.list(directory); }
  delete(path: string): Promise<void> { return this.inner.delete(path); }
  mkdirs(path: string): Promise<void> { return this.inner.mkdirs(path); }
  close(): Promise<void> { return this.inner.close(); }
}

/** File name → sha256 of every key filter of `table` in `store`. */
async function keyFilters(store: Store, table: string): Promise<Map<string, string>> {
  const filters = new Map<string, string>();
  for (const file of await store.list(`tables/${table}/keys`)) {
    filters.set(file.path.slice(file.path.lastIndexOf('/') + 1), (await fileDigest(store, file.path))!.checksum);
  }
  return filters;
}

/** Ids of the partitions committed at the latest version of `table` in `store` that lack a key filter there. */
async function partitionsWithoutFilter(store: Store, table: string): Promise<string[]> {
  const filters = await keyFilters(store, table);
  return (await (await Table.open(store, table)).snapshot()).partitions.map((meta) => meta.id).filter((id) => !filters.has(`${id}.bloom`));
}

/** Rounds until the secondary has caught up; the rounds run. */
async function catchUp(primary: Store, secondary: Store): Promise<ReplicationRound[]> {
  const rounds = [await replicateOnce(primary, secondary)];
  while (rounds[rounds.length - 1].lagVersions > 0) rounds.push(await replicateOnce(primary, secondary));
  return rounds;
}

function csvOf(first: number, count: number): string {
  let text = 'id,v\n';
  for (let id = first; id < first + count; id++) text += `${id},v${id}\n`;
  return text;
}

/** Declares `id` the record key of table k (the commit `strata table key` makes). */
async function declareKey(database: Database): Promise<void> {
  const table = await new StoreCatalog(database.store).openTable('k');
  await table.commit((await table.snapshot()).version, { add: [], remove: [], info: { operation: 'key' } }, { properties: { [recordKeyProperty]: ['id'] } });
}

describe('replication ships key filters and views', function () {
  this.timeout(120_000);
  let directory: string;
  const databases: Database[] = [];
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'strata-replicate-views-keys-'));
  });
  afterEach(async () => {
    for (const database of databases.splice(0)) await database.close();
    await rm(directory, { recursive: true, force: true });
  });
  async function open(name: string): Promise<Database> {
    const database = await Database.open(join(directory, name));
    databases.push(database);
    return database;
  }
  async function csv(name: string, first: number, count: number): Promise<string> {
    const path = join(directory, name);
    await writeFile(path, csvOf(first, count));
    return path;
  }

  it('a keyed table and views: filters before commits, views answer the same, restored re-loads add none, views follow', async () => {
    const early = await csv('early.csv', 1, 20);
    const first = await csv('first.csv', 1, 50);
    const second = await csv('second.csv', 51, 30);
    const source = await open('primary');
    const secondaryStore = new WriteOrderStore(await LocalStore.open(join(directory, 'secondary')));
    await source.sql('CREATE TABLE k (id INTEGER NOT NULL, v VARCHAR)');
    await source.ingest('k', [early], { header: true });
    await source.sql('CREATE VIEW even_k AS SELECT id, v FROM k WHERE id % 2 = 0');
    const initial = await catchUp(source.store, secondaryStore);
    assert.deepEqual(initial[0].viewsCopied, ['even_k']);
    assert.equal(initial[0].keyFiltersCopied, 0, 'no key yet, no filters');

    // Keyed loads: the first meets the early partition without a filter and writes one for it.
    await declareKey(source);
    assert.equal((await source.ingest('k', [first], { header: true })).rowsDuplicate, 20);
    await source.ingest('k', [second], { header: true });
    await source.sql('CREATE VIEW k_count (n) AS SELECT count(*) FROM k');
    assert.equal((await keyFilters(source.store, 'k')).size, 3);
    secondaryStore.written.length = 0;
    const keyed = await catchUp(source.store, secondaryStore);
    assert.equal(keyed.reduce((sum, round) => sum + round.keyFiltersCopied, 0), 3);
    assert.deepEqual(keyed.flatMap((round) => round.viewsCopied), ['k_count']);
    assert.deepEqual(await keyFilters(secondaryStore, 'k'), await keyFilters(source.store, 'k'));
    // Each new partition's filter landed before the log entry that commits it.
    const table = await Table.open(source.store, 'k');
    for (const entry of await table.history(2)) {
      const logAt = secondaryStore.written.indexOf(table.logEntryPath(entry.version));
      assert.ok(logAt >= 0, `version ${entry.version} shipped`);
      for (const meta of entry.add) {
        const filterAt = secondaryStore.written.indexOf(`${table.directory}/keys/${meta.id}.bloom`);
        assert.ok(filterAt >= 0 && filterAt < logAt, `filter of ${meta.id} before version ${entry.version}`);
      }
    }

    const replica = await open('secondary');
    for (const sql of ['SELECT id, v FROM even_k ORDER BY id', 'SELECT n FROM k_count']) {
      assert.deepEqual((await replica.query(sql)).rows, (await source.query(sql)).rows, sql);
    }
    assert.deepEqual((await replica.query('SELECT n FROM k_count')).rows, [[80]]);

    // A store restored from the secondary takes over: re-loading the same keyed rows adds none.
    const backups = await LocalStore.open(join(directory, 'backups'));
    await createBackup(secondaryStore, backups);
    const takeover = await open('takeover');
    await restoreBackup(backups, takeover.store);
    await backups.close();
    const again = await takeover.ingest('k', [first, second], { header: true, force: true });
    assert.deepEqual([again.rowsLoaded, again.rowsDuplicate], [0, 80]);
    assert.deepEqual((await takeover.query('SELECT n FROM k_count')).rows, [[80]]);

    // Views replaced and dropped on the primary follow on the secondary; an idle round changes nothing.
    await source.sql('CREATE OR REPLACE VIEW even_k AS SELECT id, v FROM k WHERE id % 2 = 0 AND id > 70');
    await source.sql('DROP VIEW k_count');
    const followed = await replicateOnce(source.store, secondaryStore);
    assert.deepEqual([followed.viewsCopied, followed.viewsDropped, followed.versionsShipped], [['even_k'], ['k_count'], 0]);
    assert.deepEqual((await replica.query('SELECT id FROM even_k ORDER BY id')).rows, [[72], [74], [76], [78], [80]]);
    await assert.rejects(replica.query('SELECT n FROM k_count'), (error: unknown) => error instanceof StrataError);
    assert.deepEqual(await secondaryStore.list('views').then((files) => files.map((file) => file.path)), ['views/even_k.json']);
    const idle = await replicateOnce(source.store, secondaryStore);
    assert.deepEqual([idle.versionsShipped, idle.filesCopied, idle.keyFiltersCopied, idle.viewsCopied, idle.viewsDropped], [0, 0, 0, [], []]);

    // Replicating chosen tables leaves the secondary's views alone.
    await source.sql('DROP VIEW even_k');
    const chosen = await replicateOnce(source.store, secondaryStore, { tables: ['k'] });
    assert.deepEqual([chosen.viewsCopied, chosen.viewsDropped], [[], []]);
    assert.equal((await secondaryStore.list('views')).length, 1);
  });

  it('a replicator killed at random points never leaves a committed partition without its filter', async () => {
    const source = await open('primary');
    await source.sql('CREATE TABLE k (id INTEGER NOT NULL, v VARCHAR)');
    await declareKey(source);
    for (let i = 0; i < 12; i++) await source.ingest('k', [await csv(`part${i}.csv`, i * 10, 10)], { header: true });
    const secondaryDirectory = join(directory, 'secondary');
    const secondary = await LocalStore.open(secondaryDirectory);
    try {
      // Each replicator SIGKILLs itself 0-3 ms after shipping its nth version: mid-stream, at a different point each run.
      for (const killAfter of [1, 2, 2]) {
        const child = spawn(process.execPath, [fileURLToPath(new URL('./replicate-child.js', import.meta.url)),
          join(directory, 'primary'), secondaryDirectory, '20', String(killAfter)], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (data: Buffer) => { stderr += data.toString('utf8'); });
        // A replicator that caught up before its kill would poll forever: stop it, and the assertion below says so.
        const guard = setTimeout(() => child.kill('SIGTERM'), 60_000);
        await new Promise<void>((resolve) => child.once('close', () => resolve()));
        clearTimeout(guard);
        assert.equal(child.signalCode, 'SIGKILL', `killed mid-stream: ${stderr}`);
        assert.deepEqual(await partitionsWithoutFilter(secondary, 'k'), [], `after a kill past ${killAfter} version(s)`);
        await source.ingest('k', [await csv(`more${killAfter}-${Date.now()}.csv`, 1000 + (await source.store.list('tables/k/keys')).length * 10, 10)], { header: true });
      }
      await catchUp(source.store, secondary);
      assert.deepEqual(await keyFilters(secondary, 'k'), await keyFilters(source.store, 'k'));
      assert.equal((await keyFilters(secondary, 'k')).size, (await (await Table.open(source.store, 'k')).snapshot()).partitions.length);
      const replica = await open('secondary');
      assert.deepEqual((await replica.query('SELECT count(*), sum(id) FROM k')).rows, (await source.query('SELECT count(*), sum(id) FROM k')).rows);
    } finally {
      await secondary.close();
    }
  });
});
