/**
 * AS OF on system tables: they have no history, so `system.<name> AS OF …` and a `system_<name>`
 * alias that resolves to one are TIME_TRAVEL_NOT_TABLE at the clause, not silently the current
 * state; a user table that takes the alias name keeps its time travel.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../service-manager/index.js';
import { StrataError } from '../../storage/index.js';

describe('AS OF on system tables', function () {
  this.timeout(60_000);
  let directory: string;
  let db: Database;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'strata-system-as-of-'));
    db = await Database.open(join(directory, 'store'), { spill: false });
    await db.sql('CREATE TABLE t (k INTEGER)');
  });

  after(async () => {
    await db.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('refuses AS OF TIMESTAMP and AS OF VERSION on system.* and system_* with the clause position', async () => {
    for (const sql of [
      "SELECT count(*) FROM system.tables AS OF TIMESTAMP '2000-01-01'",
      "SELECT count(*) FROM system.audit_log AS OF TIMESTAMP '2000-01-01'",
      'SELECT count(*) FROM system.tables AS OF VERSION 3',
      'SELECT count(*) FROM system_tables AS OF VERSION 0',
    ]) {
      await assert.rejects(db.sql(sql), (error: unknown) => error instanceof StrataError && error.code === 'TIME_TRAVEL_NOT_TABLE' &&
        error.details.position?.offset === sql.indexOf('AS OF') && /system table/.test(error.message), sql);
    }
    assert.deepEqual((await db.query("SELECT count(*) FROM system.tables WHERE table_name = 't'")).rows, [[1]]);
  });

  it('keeps time travel on a user table named like a system alias', async () => {
    await db.sql('CREATE TABLE system_columns (k INTEGER)');
    await db.sql('INSERT INTO system_columns VALUES (1)');
    await db.sql('INSERT INTO system_columns VALUES (2)');
    assert.deepEqual((await db.query('SELECT count(*) FROM system_columns AS OF VERSION 1')).rows, [[1]]);
    assert.deepEqual((await db.query('SELECT count(*) FROM system_columns')).rows, [[2]]);
  });
});
