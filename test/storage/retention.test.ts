/**
 * Data lifecycle: purge rewrites the affected partitions in one commit, legal holds make purge and
 * expiry fail without changing anything, retention expires old rows (whole partitions dropped,
 * boundary partitions rewritten), purge + vacuum leaves no byte of the purged values in the store
 * or in new backups, time travel sees the old version until vacuum, and every action is audited.
 */
import assert from 'node:assert/strict';
import {
  applyRetention, createBackup, placeHold, purgeRows, readAuditLog, releaseHold, setRetention, Table, Types,
  type LocalStore, type PartitionMeta, type Schema,
} from '../../storage/index.js';
import { eventSchema, rowsOf } from './backup-fixtures.js';
import { batchOf, collect, columnsOf, rejection, temporaryStore } from './storage-fixtures.js';
import { filesContaining } from '../support/byte-scan.js';

/** Decoded tag values of every partition file still on disk that any commit ever named. */
async function decodedTags(table: Table): Promise<string[]> {
  const named = new Map<string, PartitionMeta>();
  for (const entry of await table.history()) for (const meta of entry.add) named.set(meta.id, meta);
  const tags: string[] = [];
  for (const meta of named.values()) {
    if ((await table.store.stat(`${table.directory}/${meta.path}`)) === null) continue;
    tags.push(...(columnsOf(await collect(table.readPartition(meta, [1])), 1)[0] as string[]));
  }
  return tags;
}

async function loadRows(table: Table, ids: number[], tags: string[]): Promise<void> {
  const meta = await table.writePartition([batchOf(table.schema, [ids, tags])]);
  await table.commit((await table.snapshot()).version, { add: [meta], remove: [], info: { operation: 'load', rows: ids.length } });
}

describe('purge, legal hold, retention, vacuum, audit', function () {
  this.timeout(60_000);
  let store: LocalStore;
  let cleanups: (() => Promise<void>)[];
  beforeEach(async () => {
    const a = await temporaryStore('lifecycle');
    store = a.store;
    cleanups = [a.cleanup];
  });
  afterEach(async () => { for (const cleanup of cleanups) await cleanup(); });

  it('purge + vacuum leaves no trace of the purged values in the store or a new backup; holds block it; time travel until vacuum', async () => {
    const table = await Table.create(store, 'people', eventSchema, {}, { checkpointInterval: 2 });
    const secret = 'zz-secret-erasure-request-4711';
    await loadRows(table, [1, 2, 3, 4], ['alice', 'bob', secret, 'carol']);
    await loadRows(table, [5, 6], ['dave', 'erin']);
    await loadRows(table, [7, 8, 9], [secret, 'frank', 'grace']);
    const before = await rowsOf(table);
    assert.ok((await filesContaining(store.root, secret)).length > 0, 'before the purge the value is in the store (log statistics at least)');

    await placeHold(table, { name: 'case-17', reason: 'litigation 17/2024' });
    const heldVersion = (await table.snapshot()).version;
    const held = await rejection(purgeRows(table, { column: 'tag', in: [secret] }), 'LEGAL_HOLD_ACTIVE');
    assert.match(held.message, /legal hold case-17 \(litigation 17\/2024/);
    assert.equal((await table.snapshot()).version, heldVersion, 'a refused purge commits nothing');
    await releaseHold(table, 'case-17');
    await placeHold(table, { name: 'ids-5-8', reason: 'audit', column: 'id', from: 5, to: 8 });
    await rejection(purgeRows(table, { column: 'tag', in: [secret] }), 'LEGAL_HOLD_ACTIVE');
    await releaseHold(table, 'ids-5-8');
    await rejection(releaseHold(table, 'ids-5-8'), 'HOLD_NOT_FOUND');

    const prePurge = (await table.snapshot()).version;
    const result = await purgeRows(table, { column: 'tag', in: [secret] });
    assert.deepEqual([result.rowsDeleted, result.partitionsRewritten, result.partitionsDropped], [2, 2, 0]);
    assert.equal(result.version, prePurge + 1, 'one commit');
    assert.deepEqual(await rowsOf(table), before.filter((row) => row[1] !== secret));
    assert.deepEqual(await rowsOf(table, prePurge), before, 'time travel still sees the purged rows until vacuum');
    assert.deepEqual((await purgeRows(table, { column: 'tag', in: [secret] })).version, null, 'nothing left to purge');
    assert.ok(!JSON.stringify((await table.history(result.version!, result.version!))[0]).includes(secret), 'the purge commit does not record the values');

    await table.vacuum({ retainMs: 0 });
    assert.deepEqual(await filesContaining(store.root, secret), [], 'no byte of the purged value anywhere in the store');
    assert.ok(!(await decodedTags(table)).includes(secret));
    await rejection(table.snapshot(prePurge), 'TABLE_VERSION_VACUUMED');
    assert.deepEqual(await rowsOf(table), before.filter((row) => row[1] !== secret));
    assert.deepEqual(await rowsOf(await Table.open(store, 'people')), before.filter((row) => row[1] !== secret), 'a fresh reader replays the redacted log');

    const backups = await temporaryStore('lifecycle-backup');
    cleanups.push(backups.cleanup);
    await createBackup(store, backups.store);
    assert.deepEqual(await filesContaining(backups.directory, secret), [], 'nor in a backup taken after purge + vacuum');

    const audit = await readAuditLog(store);
    assert.deepEqual(audit.map((event) => event.action), ['load', 'load', 'load', 'hold', 'release', 'hold', 'release', 'purge', 'vacuum', 'backup']);
    assert.ok(audit.every((event) => event.node.length > 0 && event.caller.length > 0 && event.timeMs > 0));
    assert.equal(audit[7].table, 'people');
    assert.equal(audit[7].details.rowsDeleted, 2);
  });

  it('retention expires rows older than the period: whole partitions dropped, the boundary one rewritten; holds block it', async () => {
    const schema: Schema = { fields: [{ name: 'ts', type: Types.timestamp, nullable: false }, { name: 'v', type: Types.int32, nullable: true }] };
    const table = await Table.create(store, 'readings', schema);
    const dayMicros = 86_400_000_000;
    const nowMs = Date.UTC(2024, 5, 30);
    const day = (d: number): number => Date.UTC(2024, 5, d) * 1000;
    for (const days of [[1, 2, 3], [10, 19, 21], [25, 29]]) {
      const meta = await table.writePartition([batchOf(schema, [days.map(day), days])]);
      await table.commit((await table.snapshot()).version, { add: [meta], remove: [], info: { operation: 'load' } });
    }
    await rejection(setRetention(table, { column: 'v', periodMs: 1 }), 'RETENTION_INVALID');
    await rejection(applyRetention(table, { nowMs }), 'RETENTION_NOT_SET');
    await setRetention(table, { column: 'ts', periodMs: 10 * 86_400_000 }); // keep from June 20 on
    await placeHold(table, { name: 'incident', reason: 'incident review', column: 'ts', from: day(18), to: day(20) });
    const version = (await table.snapshot()).version;
    await rejection(applyRetention(table, { nowMs }), 'LEGAL_HOLD_ACTIVE');
    assert.equal((await table.snapshot()).version, version);
    await releaseHold(table, 'incident');
    const result = await applyRetention(table, { nowMs });
    assert.deepEqual([result.rowsDeleted, result.partitionsDropped, result.partitionsRewritten], [5, 1, 1]);
    const left = columnsOf((await Promise.all((await table.snapshot()).partitions.map((meta) => collect(table.readPartition(meta, [0, 1]))))).flat(), 2);
    assert.deepEqual((left[1] as number[]).sort((a, b) => a - b), [21, 25, 29]);
    assert.ok((left[0] as number[]).every((ts) => ts >= nowMs * 1000 - 10 * dayMicros));
    assert.deepEqual((await readAuditLog(store)).map((event) => event.action), ['load', 'load', 'load', 'retention', 'hold', 'release', 'expire']);
  });
});
