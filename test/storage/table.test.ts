/** Table commit log: create/open, commits, snapshots, checkpoints, time travel, conflicts, vacuum. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  logEntryPath, checkpointPath, Table, Types,
  type CommitActions, type LocalStore, type PartitionMeta, type Schema, type Store,
} from '../../storage/index.js';
import { batchOf, collect, columnsOf, RecordingStore, rejection, temporaryStore } from './storage-fixtures.js';

const schema: Schema = { fields: [
  { name: 'id', type: Types.int64, nullable: false },
  { name: 'x', type: Types.float64, nullable: true },
] };

function add(partitions: PartitionMeta[], info: Record<string, unknown> = {}): CommitActions {
  return { add: partitions, remove: [], info };
}

describe('Table', () => {
  let store: LocalStore;
  let directory: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, directory, cleanup } = await temporaryStore('table'));
  });
  afterEach(() => cleanup());

  async function partition(table: Table, ids: number[]): Promise<PartitionMeta> {
    return table.writePartition([batchOf(schema, [ids, ids.map((id) => id / 2)])]);
  }

  async function tableIds(table: Table, version?: number): Promise<number[]> {
    const snapshot = await table.snapshot(version);
    const ids: number[] = [];
    for (const meta of snapshot.partitions) ids.push(...(columnsOf(await collect(table.readPartition(meta, [0])), 1)[0] as number[]));
    return ids.sort((a, b) => a - b);
  }

  it('creates at version 0 with schema and options; open finds it; names are case-insensitive', async () => {
    const created = await Table.create(store, 'Events', schema, { sortKey: ['id'] });
    assert.equal(created.name, 'events');
    const snapshot = await (await Table.open(store, 'EVENTS')).snapshot();
    assert.deepEqual([snapshot.table, snapshot.version, snapshot.partitions.length], ['events', 0, 0]);
    assert.deepEqual(snapshot.schema, schema);
    assert.deepEqual(snapshot.options, { sortKey: ['id'] });
    assert.ok(await store.stat(logEntryPath('tables/events/_log', 0)));
    assert.ok(logEntryPath('t', 12).endsWith('/00000000000000000012.json'));
  });

  it('refuses an existing table (TABLE_EXISTS), opens no absent one (TABLE_NOT_FOUND, hints SHOW TABLES), validates schemas', async () => {
    await Table.create(store, 't', schema);
    assert.equal((await rejection(Table.create(store, 'T', schema), 'TABLE_EXISTS')).kind, 'conflict');
    const missing = await rejection(Table.open(store, 'nope'), 'TABLE_NOT_FOUND');
    assert.equal(missing.kind, 'not_found');
    assert.match(missing.message, /SHOW TABLES/);
    await rejection(Table.create(store, 'dup', { fields: [schema.fields[0], { ...schema.fields[1], name: 'ID' }] }), 'SCHEMA_INVALID');
    await rejection(Table.create(store, 'dec', { fields: [{ name: 'd', type: Types.decimal(30, 2), nullable: true }] }), 'SCHEMA_INVALID');
    await rejection(Table.create(store, 'bad-name', schema), 'TABLE_NAME_INVALID');
  });

  it('commits make partitions visible; written but uncommitted partitions never are', async () => {
    const table = await Table.create(store, 't', schema);
    const first = await partition(table, [1, 2, 3]);
    assert.equal(first.path, `data/${first.id}.arrow`);
    assert.deepEqual(await tableIds(table), [], 'not visible before the commit');
    assert.equal(await table.commit(0, add([first], { operation: 'load' })), 1);
    await partition(table, [99]); // an orphan: written, never committed
    const second = await partition(table, [4]);
    assert.equal(await table.commit(1, add([second])), 2);
    assert.deepEqual(await tableIds(table), [1, 2, 3, 4]);
    const reopened = await Table.open(store, 't');
    assert.deepEqual(await tableIds(reopened), [1, 2, 3, 4]);
    const history = await reopened.history();
    assert.deepEqual(history.map((entry) => [entry.version, entry.add.length, entry.info.operation]), [[0, 0, 'create'], [1, 1, 'load'], [2, 1, undefined]]);
    assert.deepEqual(history[1].add[0], first);
  });

  it('time travels: each version shows exactly its partitions; beyond the latest is TABLE_VERSION_NOT_FOUND', async () => {
    const table = await Table.create(store, 't', schema, {}, { checkpointInterval: 3 });
    const metas: PartitionMeta[] = [];
    for (let version = 1; version <= 8; version++) {
      const meta = await partition(table, [version]);
      metas.push(meta);
      // Version 5 removes version 2's partition, as a compaction would.
      const actions = version === 5 ? { add: [meta], remove: [metas[1].id], info: {} } : add([meta]);
      assert.equal(await table.commit(version - 1, actions), version);
    }
    const fresh = await Table.open(store, 't');
    assert.deepEqual(await tableIds(fresh, 0), []);
    assert.deepEqual(await tableIds(fresh, 2), [1, 2]);
    assert.deepEqual(await tableIds(fresh, 4), [1, 2, 3, 4]);
    assert.deepEqual(await tableIds(fresh, 5), [1, 3, 4, 5]);
    assert.deepEqual(await tableIds(fresh), [1, 3, 4, 5, 6, 7, 8]);
    assert.equal((await fresh.snapshot(7)).version, 7);
    const error = await rejection(fresh.snapshot(9), 'TABLE_VERSION_NOT_FOUND');
    assert.equal(error.kind, 'not_found');
    const snapshot = await fresh.snapshot(3);
    assert.ok(snapshot.committedAtMs >= (await fresh.snapshot(2)).committedAtMs);
  });

  it('writes a checkpoint every checkpointInterval commits and reads from it instead of replaying everything', async () => {
    const table = await Table.create(store, 't', schema, {}, { checkpointInterval: 4 });
    for (let version = 1; version <= 9; version++) await table.commit(version - 1, add([await partition(table, [version])]));
    const log = (await store.list('tables/t/_log')).map((file) => path.basename(file.path));
    assert.ok(log.includes(path.basename(checkpointPath('x', 4))) && log.includes(path.basename(checkpointPath('x', 8))), log.join(' '));
    const recording = new CountingStore(store);
    const fresh = await Table.open(recording, 't');
    assert.deepEqual(await tableIds(fresh), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const entriesRead = recording.reads.filter((read) => /_log\/\d{20}\.json$/.test(read));
    assert.ok(entriesRead.length <= 4, `read ${entriesRead.join(', ')}`);
    assert.ok(recording.reads.some((read) => read.endsWith(path.basename(checkpointPath('x', 8)))));
  });

  it('falls back to the log entries when a checkpoint is damaged', async () => {
    const table = await Table.create(store, 't', schema, {}, { checkpointInterval: 2 });
    for (let version = 1; version <= 5; version++) await table.commit(version - 1, add([await partition(table, [version])]));
    await fs.writeFile(path.join(directory, checkpointPath('tables/t/_log', 4)), '{"format":1,"version":4,"partiti');
    assert.deepEqual(await tableIds(await Table.open(store, 't')), [1, 2, 3, 4, 5]);
    assert.deepEqual(await tableIds(await Table.open(store, 't'), 4), [1, 2, 3, 4]);
  });

  it('reports a damaged log entry as LOG_CORRUPT naming the file', async () => {
    const table = await Table.create(store, 't', schema);
    await table.commit(0, add([await partition(table, [1])]));
    const entry = logEntryPath('tables/t/_log', 2);
    await fs.writeFile(path.join(directory, entry), '{"format":1,"version":2,"add":[{"id":42}],"remove":[],"committedAtMs":1}');
    const error = await rejection((await Table.open(store, 't')).snapshot(), 'LOG_CORRUPT');
    assert.equal(error.kind, 'corruption');
    assert.match(error.message, /00000000000000000002\.json/);
  });

  it('keeps NaN and infinite float statistics exact through the log', async () => {
    const table = await Table.create(store, 't', schema);
    const meta = await table.writePartition([batchOf(schema, [[1, 2, 3], [-Infinity, NaN, 1]])]);
    await table.commit(0, add([meta]));
    const stats = (await (await Table.open(store, 't')).snapshot()).partitions[0].columns[1];
    assert.deepEqual([stats.min, stats.max], [-Infinity, NaN]);
  });

  it('concurrent writers with adds all win distinct versions (adds commute)', async () => {
    await Table.create(store, 't', schema);
    const writers = await Promise.all(Array.from({ length: 6 }, () => Table.open(store, 't')));
    const metas = await Promise.all(writers.map((writer, i) => partition(writer, [i])));
    const versions = await Promise.all(writers.map((writer, i) => writer.commit(0, add([metas[i]]))));
    assert.deepEqual([...versions].sort(), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await tableIds(await Table.open(store, 't')), [0, 1, 2, 3, 4, 5]);
  });

  it('removing a partition another writer removed first is COMMIT_CONFLICT; the loser changes nothing', async () => {
    const table = await Table.create(store, 't', schema);
    const meta = await partition(table, [1]);
    await table.commit(0, add([meta]));
    const [a, b] = [await Table.open(store, 't'), await Table.open(store, 't')];
    const [compactedA, compactedB] = [await partition(a, [1]), await partition(b, [1])];
    await a.commit(1, { add: [compactedA], remove: [meta.id], info: { operation: 'compact' } });
    const error = await rejection(b.commit(1, { add: [compactedB], remove: [meta.id], info: { operation: 'compact' } }), 'COMMIT_CONFLICT');
    assert.equal(error.kind, 'conflict');
    assert.equal(error.details.partition, meta.id);
    const snapshot = await (await Table.open(store, 't')).snapshot();
    assert.deepEqual([snapshot.version, snapshot.partitions.map((p) => p.id)], [2, [compactedA.id]]);
  });

  it('records load hashes; a concurrent load of the same content is LOAD_ALREADY_COMMITTED, a forced reload is not', async () => {
    const table = await Table.create(store, 't', schema);
    const [a, b] = [await Table.open(store, 't'), await Table.open(store, 't')];
    await a.commit(0, { add: [await partition(a, [1])], remove: [], loadHashes: ['sha256:aa'], info: {} });
    await rejection(b.commit(0, { add: [await partition(b, [1])], remove: [], loadHashes: ['sha256:aa'], info: {} }), 'LOAD_ALREADY_COMMITTED');
    const snapshot = await table.snapshot();
    assert.deepEqual([...snapshot.loadHashes], ['sha256:aa']);
    // A writer that saw the hash in its base snapshot and loads anyway (force) is allowed.
    assert.equal(await table.commit(snapshot.version, { add: [await partition(table, [1])], remove: [], loadHashes: ['sha256:aa'], info: {} }), 2);
  });

  it('gives up with COMMIT_RETRIES_EXHAUSTED after losing the race commitRetriesMax times', async () => {
    await Table.create(store, 't', schema);
    const rival = await Table.open(store, 't');
    // Before each attempt of the loser, the rival really commits the version the loser is after.
    const racing = new RacingStore(store, async () => { await rival.commit((await rival.snapshot()).version, add([await partition(rival, [7])])); });
    const loser = await Table.open(racing, 't', { commitRetriesMax: 3 });
    const meta = await partition(loser, [1]);
    racing.armed = true;
    await rejection(loser.commit(0, add([meta])), 'COMMIT_RETRIES_EXHAUSTED');
    racing.armed = false;
    assert.equal((await rival.snapshot()).version, 3);
    assert.equal(await loser.commit(0, add([meta])), 4, 'once the rival stops, the commit goes through');
  });

  it('vacuum removes unreferenced files older than retainMs (orphans, removed partitions) and nothing else', async () => {
    const table = await Table.create(store, 't', schema);
    const kept = await partition(table, [1]);
    const replaced = await partition(table, [2]);
    await table.commit(0, add([kept, replaced]));
    const replacement = await partition(table, [2]);
    await table.commit(1, { add: [replacement], remove: [replaced.id], info: {} });
    const orphan = await partition(table, [3]);
    assert.deepEqual((await table.vacuum({ retainMs: 3_600_000 })).removed, [], 'recent files are kept: a load may be about to commit them');
    const result = await table.vacuum({ retainMs: 0 });
    assert.deepEqual([...result.removed].sort(), [orphan.path, replaced.path].sort());
    assert.equal(result.bytes, orphan.bytes + replaced.bytes);
    const left = (await store.list('tables/t/data')).map((file) => `data/${path.basename(file.path)}`).sort();
    assert.deepEqual(left, [kept.path, replacement.path].sort());
    assert.deepEqual(await tableIds(table), [1, 2]);
    await rejection(table.vacuum({ retainMs: -1 }), 'VACUUM_RETAIN_INVALID');
  });
});

/** A store that remembers which files were read whole. */
class CountingStore extends RecordingStore {
  readonly reads: string[] = [];
  override read(p: string): Promise<Uint8Array> {
    this.reads.push(p);
    return super.read(p);
  }
}

/** A store that, when armed, runs `rival` before every create-if-absent of a log entry. */
class RacingStore extends RecordingStore {
  armed = false;
  constructor(inner: Store, private readonly rival: () => Promise<void>) {
    super(inner);
  }
  override async createIfAbsent(p: string, data: Uint8Array): Promise<boolean> {
    if (this.armed && /_log\/\d{20}\.json$/.test(p)) await this.rival();
    return super.createIfAbsent(p, data);
  }
}
