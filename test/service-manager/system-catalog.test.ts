/**
 * System tables through a real Database over a temporary local store: system.tables,
 * system.columns, system.history and system.audit_log answer with the figures of the commit logs
 * after creates, loads, a key, a hold, a purge, a compaction and a vacuum; writes to them are
 * refused; and a coordinator with a fragment executor ships their scans to a worker Database
 * that resolves the same names (version 0 on both sides).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../service-manager/index.js';
import {
  compactTable, placeHold, purgeRows, releaseHold, setRetention, StoreCatalog, StrataError, tableStorageStats, type Table,
} from '../../storage/index.js';
import type { FragmentExecutor } from '../../query/index.js';

const node = 'node-a';
const caller = 'alice';

async function rejected(work: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(work, (error: unknown) => error instanceof StrataError && error.code === code);
}

describe('system tables', function () {
  this.timeout(60_000);
  let directory: string;
  let db: Database;
  let catalog: StoreCatalog;
  const rows = async (sql: string): Promise<unknown[][]> => (await db.query(sql)).rows;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'strata-system-tables-'));
    db = await Database.open(join(directory, 'store'), { audit: { node, caller } });
    catalog = new StoreCatalog(db.store, {}, { node, caller });
    await db.sql('CREATE TABLE events (id INTEGER NOT NULL, tag VARCHAR, ts TIMESTAMP NOT NULL)');
    await db.sql("INSERT INTO events VALUES (1, 'a', TIMESTAMP '2026-01-01 00:00:00'), (2, NULL, TIMESTAMP '2026-01-02 00:00:00')");
    const csv = join(directory, 'events.csv');
    await writeFile(csv, 'id,tag,ts\n3,b,2026-01-03 00:00:00\n4,secret,2026-01-04 00:00:00\n5,,2026-01-05 00:00:00\n');
    await db.ingest('events', [csv], { header: true });
    await db.sql('CREATE TABLE scratch (x INTEGER)');
    await db.sql('DROP TABLE scratch');
  });
  after(async () => {
    await db.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('system.audit_log lists create, insert, load and drop in order, with node and caller', async () => {
    const audit = await rows('SELECT action, table_name, node, caller FROM system.audit_log');
    assert.deepEqual(audit, [
      ['create_table', 'events', node, caller], ['insert', 'events', node, caller], ['load', 'events', node, caller],
      ['create_table', 'scratch', node, caller], ['drop_table', 'scratch', node, caller],
    ]);
    const [[details]] = await rows("SELECT details FROM system.audit_log WHERE action = 'load'");
    const parsed = JSON.parse(details as string) as Record<string, unknown>;
    assert.deepEqual([parsed.version, parsed.rowsAdded, parsed.rowsRemoved, parsed.partitionsAdded, parsed.files], [2, 3, 0, 1, 1]);
    // IS NULL must not be pruned away: the partition statistics carry real NULL counts.
    assert.deepEqual(await rows('SELECT count(*) FROM system.audit_log WHERE table_name IS NULL'), [[0]]);
  });

  it('system.tables, system.columns and system.history follow keys, holds, retention, purge, compaction and vacuum', async () => {
    const events: Table = await catalog.openTable('events');
    await events.commit((await events.snapshot()).version, { add: [], remove: [], info: { operation: 'key' } }, { properties: { recordKey: ['id'] } });
    await setRetention(events, { column: 'ts', periodMs: 30 * 86_400_000 });
    await placeHold(events, { name: 'case-7', reason: 'audit' });
    await assert.rejects(purgeRows(events, { column: 'tag', in: ['secret'] }));
    await releaseHold(events, 'case-7');
    const purged = await purgeRows(events, { column: 'tag', in: ['secret'] });
    assert.equal(purged.rowsDeleted, 1);
    await compactTable(events);
    await events.vacuum({ retainMs: 0 });

    const snapshot = await events.snapshot();
    const stats = tableStorageStats(snapshot);
    assert.deepEqual(await rows(
      'SELECT table_name, version, partitions, rows, stored_bytes, raw_bytes, fresh_partitions, archive_partitions, record_key, retention, holds, hold_names FROM system.tables'),
    [['events', snapshot.version, stats.partitions, 4, stats.bytes, stats.rawBytes, 0, stats.partitions, 'id', JSON.stringify({ column: 'ts', periodMs: 30 * 86_400_000 }), 0, null]]);
    assert.ok(stats.partitions >= 1);

    const columns = await rows('SELECT column_name, ordinal, type, raw_bytes, stored_bytes, null_count, encodings FROM system.columns WHERE table_name = \'events\' ORDER BY ordinal');
    assert.deepEqual(columns.map((row) => row.slice(0, 6)),
      stats.columns.map((column, i) => [column.name, i + 1, column.type, column.rawBytes, column.storedBytes, column.nullCount]));
    assert.deepEqual(columns.map((row) => row[5]), [0, 2, 0], 'two NULL tags: one inserted, one loaded as an empty field');
    assert.ok(columns.every((row) => typeof row[6] === 'string' && (row[6] as string).length > 0));

    const history = await rows('SELECT version, operation, rows_added, rows_removed FROM system.history WHERE table_name = \'events\' ORDER BY version');
    const operations = (await events.history()).map((entry) => entry.info.operation);
    assert.deepEqual(history.map((row) => row[0]), operations.map((_, version) => version));
    assert.deepEqual(history.map((row) => row[1]), operations);
    assert.deepEqual(history.slice(0, 3).map((row) => row.slice(2)), [[0, 0], [2, 0], [3, 0]]);
    const purge = history.find((row) => row[1] === 'purge')!;
    assert.equal((purge[2] as number) - (purge[3] as number), -1, 'the purge removed one row net');

    const actions = (await rows('SELECT action FROM system.audit_log')).map((row) => row[0]);
    assert.deepEqual(actions.slice(5), ['retention', 'hold', 'release', 'purge', 'vacuum']);
  });

  it('refuses writes to system tables, and a user table of an alias name wins over the alias', async () => {
    // Written with the system_ alias: the binder passes system.<name> to the catalog for reads only (so far).
    await rejected(db.sql('INSERT INTO system_audit_log SELECT * FROM system.audit_log'), 'SYSTEM_TABLE_READ_ONLY');
    await rejected(db.sql('INSERT INTO system_history SELECT * FROM system_history'), 'SYSTEM_TABLE_READ_ONLY');
    await rejected(db.sql('DROP TABLE system_tables'), 'SYSTEM_TABLE_READ_ONLY');
    await rejected(db.sql('DELETE FROM system_columns WHERE ordinal = 1'), 'SYSTEM_TABLE_READ_ONLY');
    assert.deepEqual(await rows('SELECT count(*) FROM system_tables'), [[1]]);
    await db.sql('CREATE TABLE system_tables (x INTEGER)');
    assert.deepEqual(await rows('SELECT count(*) FROM system_tables'), [[0]], 'the user table, not the system table');
    assert.deepEqual(await rows('SELECT count(*) FROM system.tables'), [[2]]);
    await db.sql('DROP TABLE system_tables');
    assert.ok(!(await db.tables()).includes('system.tables'), 'system tables are not listed as tables');
  });

  it('answers the same through a coordinator that ships the scans to a worker node', async () => {
    const worker = await Database.open(join(directory, 'store'), { audit: { node: 'node-b', caller } });
    const executor: FragmentExecutor = {
      async *execute(task, signal, progress) {
        progress.nodeUsed('node-b');
        const request = JSON.parse(JSON.stringify({ fragment: task.fragment, table: task.table, version: task.version, partitionIds: task.partitions.map((p) => p.id) }));
        for await (const output of worker.runFragment(request, signal)) {
          if (output.type === 'batch') yield output.batch;
          else progress.partitionDone();
        }
      },
    };
    const coordinator = await Database.open(join(directory, 'store'), { fragmentExecutor: executor });
    try {
      const queries = [
        'SELECT action, count(*) FROM system.audit_log GROUP BY action ORDER BY action',
        'SELECT t.table_name, t.rows, sum(c.stored_bytes) FROM system.tables t JOIN system.columns c ON t.table_name = c.table_name GROUP BY t.table_name, t.rows',
        'SELECT operation, sum(rows_added) FROM system.history GROUP BY operation ORDER BY operation',
      ];
      for (const sql of queries) {
        const distributed = await coordinator.sql(sql);
        assert.ok(distributed.stats.nodes.includes('node-b'), `${sql} ran on the worker`);
        assert.deepEqual((await coordinator.query(sql)).rows, (await db.query(sql)).rows, sql);
      }
    } finally {
      await coordinator.close();
      await worker.close();
    }
  });
});
