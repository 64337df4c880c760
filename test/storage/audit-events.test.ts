/**
 * The audit log records the actions of the table layer itself: create and drop through the
 * StoreCatalog, and loads, inserts and deletes through Table.commit (compaction and commits of
 * other operations are not audited), with the node and caller the catalog, the table or the call
 * names; the key filter path rule lives in storage.
 */
import assert from 'node:assert/strict';
import {
  keyFilterPartitionId, keyFilterPath, keyFilterRelativePath, readAuditLog, StoreCatalog, type LocalStore,
} from '../../storage/index.js';
import { compact, eventSchema, load, range } from './backup-fixtures.js';
import { temporaryStore } from './storage-fixtures.js';

describe('audit events of creates, drops and commits', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await temporaryStore('audit-events')));
  afterEach(async () => cleanup());

  it('records create, load, insert, delete and drop in order; skips compaction and other operations', async () => {
    const catalog = new StoreCatalog(store, {}, { node: 'n1', caller: 'ops' });
    const table = await catalog.createTable('events', eventSchema, { sortKey: ['id'] });
    await load(table, range(0, 10));
    await load(table, range(10, 5));
    await compact(table);
    const base = await table.snapshot();
    const insert = await table.writePartition([]);
    await table.commit(base.version, { add: [insert], remove: [], info: { operation: 'insert', rows: 0 } }, { audit: { node: 'n2', caller: 'bob' } });
    const removed = (await table.snapshot()).partitions.find((meta) => meta.rows === 15)!;
    await table.commit((await table.snapshot()).version, { add: [], remove: [removed.id], info: { operation: 'delete' } });
    await table.commit((await table.snapshot()).version, { add: [], remove: [], info: { operation: 'key' } });
    await catalog.dropTable('events');

    const events = await readAuditLog(store);
    assert.deepEqual(events.map((event) => [event.action, event.table, event.node, event.caller]), [
      ['create_table', 'events', 'n1', 'ops'], ['load', 'events', 'n1', 'ops'], ['load', 'events', 'n1', 'ops'],
      ['insert', 'events', 'n2', 'bob'], ['delete', 'events', 'n1', 'ops'], ['drop_table', 'events', 'n1', 'ops'],
    ]);
    assert.deepEqual(events[0].details, { columns: 2, options: ['sortKey'] });
    assert.deepEqual(events[2].details, { version: 2, rowsAdded: 5, rowsRemoved: 0, partitionsAdded: 1, partitionsRemoved: 0 });
    assert.deepEqual(events[4].details, { version: 5, rowsAdded: 0, rowsRemoved: 15, partitionsAdded: 0, partitionsRemoved: 1 });
    assert.ok(events.every((event, i) => i === 0 || event.timeMs >= events[i - 1].timeMs));
  });

  it('names the coordinator of a distributed load as the node when no one else is named', async () => {
    const table = await new StoreCatalog(store).createTable('t', eventSchema);
    const meta = await table.writePartition([]);
    await table.commit(0, { add: [meta], remove: [], info: { operation: 'load', coordinator: 'node-7', files: ['a.csv', 'b.csv'] } });
    const [, loaded] = await readAuditLog(store);
    assert.equal(loaded.node, 'node-7');
    assert.equal(loaded.details.files, 2);
  });

  it('keeps the key filter path rule: keys/<partition id>.bloom under the table', () => {
    assert.equal(keyFilterPath('tables/t', 'p-1'), 'tables/t/keys/p-1.bloom');
    assert.equal(keyFilterRelativePath('p-1'), 'keys/p-1.bloom');
    assert.equal(keyFilterPartitionId('keys/p-1.bloom'), 'p-1');
    assert.equal(keyFilterPartitionId('data/p-1.arrow'), null);
    assert.equal(keyFilterPartitionId('keys/x/p-1.bloom'), null);
  });
});
