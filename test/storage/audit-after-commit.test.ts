/**
 * Once a commit stands, the action succeeds even when its audit event cannot be written: the
 * write is retried once, then the failure goes to TableConfig.onAuditError (or a process
 * warning), so a client never retries a committed INSERT and duplicates its rows.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { placeHold, purgeRows, releaseHold, readAuditLog, StoreCatalog, type AuditEventRequest, type LocalStore, type Store } from '../../storage/index.js';
import { eventSchema, load, range, rowsOf } from './backup-fixtures.js';
import { temporaryStore } from './storage-fixtures.js';

describe('audit events after a commit that stands', () => {
  let store: LocalStore;
  let directory: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, directory, cleanup } = await temporaryStore('audit-after-commit')));
  afterEach(async () => cleanup());

  /** Makes every audit write fail: a file where the _audit directory should be. */
  async function blockAuditLog(): Promise<void> {
    await fs.rm(path.join(directory, '_audit'), { recursive: true, force: true });
    await fs.writeFile(path.join(directory, '_audit'), 'x');
  }

  it('a load, purge, create and drop succeed once each when the audit log is unwritable, and report to onAuditError', async () => {
    const failed: [string, unknown][] = [];
    const catalog = new StoreCatalog(store, { onAuditError: (error, event: AuditEventRequest) => failed.push([event.action, event.details?.version ?? null]) });
    const table = await catalog.createTable('events', eventSchema);
    await blockAuditLog();
    assert.equal(await load(table, range(0, 10)), 1, 'the load returns its version instead of throwing');
    assert.equal((await rowsOf(table)).length, 10);
    const purged = await purgeRows(table, { column: 'id', from: 0, to: 5 });
    assert.equal(purged.rowsDeleted, 5);
    assert.equal((await rowsOf(table)).length, 5);
    await catalog.createTable('other', eventSchema);
    await catalog.dropTable('other');
    await placeHold(table, { name: 'case-1', reason: 'litigation' });
    await releaseHold(table, 'case-1');
    assert.deepEqual(failed.filter(([action]) => action !== 'hold' && action !== 'release'), [['load', 1], ['purge', 2], ['create_table', null], ['drop_table', null]]);
    assert.deepEqual(failed.filter(([action]) => action === 'hold' || action === 'release').map(([action]) => action), ['hold', 'release']);
    assert.deepEqual(await catalog.listTables(), ['events']);
  });

  it('without onAuditError, a process warning names the action, table, version and store', async () => {
    const table = await new StoreCatalog(store).createTable('events', eventSchema);
    await blockAuditLog();
    const warned = once(process, 'warning');
    assert.equal(await load(table, range(0, 3)), 1);
    const [warning] = await warned as [Error & { code?: string }];
    assert.equal(warning.code, 'STRATA_AUDIT_WRITE_FAILED');
    assert.match(warning.message, /audit event 'load' of table events version 1 could not be written to file:\/\/.*\/_audit: .*system\.history/);
    assert.equal((await rowsOf(table)).length, 3);
  });

  it('retries a failed audit write once, so a passing fault still leaves the event in the log', async () => {
    let auditWritesFailing = 1;
    // The real store, but its first audit write fails as a flaky store would.
    const flaky: Store = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'write') return Reflect.get(target, property, receiver) as unknown;
        return async (file: string, data: Uint8Array) => {
          if (file.startsWith('_audit/') && auditWritesFailing > 0) {
            auditWritesFailing--;
            throw new Error('injected audit write failure');
          }
          return target.write(file, data);
        };
      },
    });
    const failed: string[] = [];
    const table = await new StoreCatalog(flaky, { onAuditError: (_, event) => failed.push(event.action) }).createTable('events', eventSchema);
    assert.equal(auditWritesFailing, 0, 'the create event failed once');
    await load(table, range(0, 2));
    assert.deepEqual(failed, []);
    assert.deepEqual((await readAuditLog(store)).map((event) => event.action), ['create_table', 'load']);
  });
});
