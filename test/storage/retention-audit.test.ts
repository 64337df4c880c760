/**
 * Purge, expiry, retention changes and legal holds name who acted: the caller's audit context
 * when the call names one (field by field), else the default of the table (TableConfig.audit, as
 * the StoreCatalog of a node sets it), else this host and OS user.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import {
  applyRetention, auditContextOr, placeHold, purgeMatching, purgeRows, readAuditLog, releaseHold, setRetention, StoreCatalog, Table, Types,
  type LocalStore, type Schema,
} from '../../storage/index.js';
import { batchOf, temporaryStore } from './storage-fixtures.js';

const schema: Schema = { fields: [{ name: 'ts', type: Types.timestamp, nullable: false }, { name: 'v', type: Types.int32, nullable: true }] };
const day = (d: number): number => Date.UTC(2024, 5, d) * 1000;

async function loadDays(table: Table, days: readonly number[]): Promise<void> {
  const meta = await table.writePartition([batchOf(schema, [days.map(day), [...days]])]);
  await table.commit((await table.snapshot()).version, { add: [meta], remove: [], info: { operation: 'load' } });
}

describe('audit context of purge, expiry, retention and holds', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await temporaryStore('retention-audit')));
  afterEach(async () => cleanup());

  it('a table opened by a node names that node; a call names its own node and caller, field by field', async () => {
    const table = await new StoreCatalog(store, {}, { node: 'node-a', caller: 'svc' }).createTable('readings', schema);
    for (const days of [[1, 2, 3], [10, 19, 21], [25, 29]]) await loadDays(table, days);
    await setRetention(table, { column: 'ts', periodMs: 10 * 86_400_000 });
    await placeHold(table, { name: 'case-1', reason: 'review' });
    await releaseHold(table, 'case-1', { caller: 'alice' });
    await purgeRows(table, { column: 'v', from: 1, to: 2 }, { node: 'node-b', caller: 'bob' });
    await purgeMatching(table, { match: (batch) => Uint8Array.from({ length: batch.length }, (_, row) => (row === 0 ? 1 : 0)), column: 'v' });
    await applyRetention(table, { nowMs: Date.UTC(2024, 5, 30) });

    const events = (await readAuditLog(store)).filter((event) => event.action !== 'create_table' && event.action !== 'load');
    assert.deepEqual(events.map((event) => [event.action, event.node, event.caller]), [
      ['retention', 'node-a', 'svc'], ['hold', 'node-a', 'svc'], ['release', 'node-a', 'alice'],
      ['purge', 'node-b', 'bob'], ['purge', 'node-a', 'svc'], ['expire', 'node-a', 'svc'],
    ]);
    assert.deepEqual(events.map((event) => event.table), Array(6).fill('readings'));
    assert.equal(events[3].details.rowsDeleted, 1);
  });

  it('a table opened with its own config names it; without any context the host is the node', async () => {
    await Table.create(store, 'plain', schema);
    await setRetention(await Table.open(store, 'plain', { audit: { node: 'node-c' } }), null);
    await setRetention(await Table.open(store, 'plain'), null);
    const [configured, bare] = await readAuditLog(store);
    assert.deepEqual([configured.node, bare.node], ['node-c', hostname()]);
    assert.equal(configured.caller, bare.caller, 'the OS user fills a caller nobody named');
  });

  it('auditContextOr keeps each field the call names and fills the rest from the fallback', () => {
    assert.deepEqual(auditContextOr({ caller: 'alice' }, { node: 'n1', caller: 'svc' }), { node: 'n1', caller: 'alice' });
    assert.deepEqual(auditContextOr(undefined, { node: 'n1' }), { node: 'n1' });
    assert.deepEqual(auditContextOr({ node: 'n2' }, undefined), { node: 'n2' });
    assert.deepEqual(auditContextOr(undefined, undefined), {});
  });
});
