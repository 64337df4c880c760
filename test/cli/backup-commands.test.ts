/**
 * The backup, scrub, table and replicate command functions, run in-process on real stores (the
 * spawned-CLI tests in backup-cli.test.ts run the same commands through bin/strata once wired).
 */
import assert from 'node:assert/strict';
import { backupCommand, restoreOptions } from '../../cli/backup-command.js';
import { scrubCommand } from '../../cli/scrub-command.js';
import { tableCommand, vacuumCommand, type HistoryRow } from '../../cli/table-command.js';
import { listBackups, StrataError, Table, type LocalStore } from '../../storage/index.js';
import { compact, eventSchema, flipByte, flipDataByte, load, onDisk, range, rowsOf } from '../storage/backup-fixtures.js';
import { rejection, temporaryStore } from '../storage/storage-fixtures.js';

/** Runs `work` and returns what it wrote to stdout (and the error it threw, if any). */
async function captured(work: () => Promise<void>): Promise<{ stdout: string; error: unknown }> {
  const write = process.stdout.write;
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }) as typeof process.stdout.write;
  try {
    await work();
    return { stdout, error: undefined };
  } catch (error) {
    return { stdout, error };
  } finally {
    process.stdout.write = write;
  }
}

describe('backup and scrub commands (in-process)', function () {
  this.timeout(60_000);
  let store: LocalStore;
  let backups: LocalStore;
  let cleanups: (() => Promise<void>)[];

  beforeEach(async () => {
    const a = await temporaryStore('cmd-store');
    const b = await temporaryStore('cmd-backups');
    store = a.store;
    backups = b.store;
    cleanups = [a.cleanup, b.cleanup];
  });
  afterEach(async () => { for (const cleanup of cleanups) await cleanup(); });

  it('create, list, verify, scrub, restore --repair and restore --as-of work end to end', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    await load(table, range(0, 40));
    await load(table, range(40, 40));
    const expected = await rowsOf(table);
    const created = await captured(() => backupCommand({ action: 'create', store: store.root, to: backups.root }));
    assert.equal(created.error, undefined);
    assert.match(created.stdout, /^created backup \S+-full-\S+ \(full\): events@2; 5 file\(s\) copied/);
    await load(table, range(80, 5));
    const incremental = await captured(() => backupCommand({ action: 'create', store: store.root, to: backups.root, type: 'incremental', tables: ['events'] }));
    assert.match(incremental.stdout, /\(incremental, parent \S+-full-\S+\): events@3; 2 file\(s\) copied/);
    const ids = (await listBackups(backups)).map((info) => info.id);
    const listed = await captured(() => backupCommand({ action: 'list', from: backups.root }));
    assert.deepEqual(listed.stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[0]), ids);
    assert.match((await captured(() => backupCommand({ action: 'verify', from: backups.root }))).stdout, /verified 2 backup\(s\), 7 file\(s\).*: all intact/);

    const meta = (await table.snapshot()).partitions[0];
    await flipDataByte(store.root, table, meta);
    const scrub = await captured(() => scrubCommand({ store: store.root }));
    assert.ok(scrub.error instanceof StrataError && scrub.error.code === 'SCRUB_CORRUPTION_FOUND', String(scrub.error));
    assert.match(scrub.stdout, new RegExp(`^CORRUPT tables/events/${meta.path} \\[PARTITION_CHECKSUM_MISMATCH\\]`, 'm'));
    assert.match((scrub.error as StrataError).message, new RegExp(`tables/events/${meta.path}`));
    const repaired = await captured(() => backupCommand({ action: 'restore', from: backups.root, store: store.root, repair: true }));
    assert.equal(repaired.error, undefined);
    assert.match(repaired.stdout, new RegExp(`^repaired tables/events/${meta.path} from backup ${ids[0]}`, 'm'));
    assert.equal((await captured(() => scrubCommand({ store: store.root }))).error, undefined);
    assert.deepEqual(await rowsOf(table, 2), expected);

    const restored = await captured(() => backupCommand({ action: 'restore', from: backups.root, store: store.root, table: 'events', as: 'events_v1', asOf: '1' }));
    assert.match(restored.stdout, /^restored events as events_v1 at version 1 \(.*\): 40 rows, 1 partition\(s\)/);
    assert.deepEqual(await rowsOf(await Table.open(store, 'events_v1')), await rowsOf(table, 1));

    await flipByte(onDisk(backups.root, `backups/${ids[1]}/tables/events/_log/00000000000000000003.json`));
    const verify = await captured(() => backupCommand({ action: 'verify', from: backups.root }));
    assert.ok(verify.error instanceof StrataError && verify.error.code === 'BACKUP_VERIFY_FAILED');
    assert.match(verify.stdout, new RegExp(`^BACKUP_FILE_CORRUPT ${ids[1]} backups/${ids[1]}/tables/events/_log/00000000000000000003.json`, 'm'));
  });

  it('table history shows each version with time, operation and rows; vacuum reports what it removed', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    await load(table, range(0, 30));
    await load(table, range(30, 20));
    await compact(table);
    const history = await captured(() => tableCommand({ action: 'history', store: store.root, table: 'events' }));
    const lines = history.stdout.trim().split('\n').map((line) => line.split(/\s+/));
    assert.deepEqual(lines[0], ['version', 'committed', 'operation', 'rows', 'change', 'partitions', 'readable']);
    assert.deepEqual(lines.slice(1).map((cells) => [cells[0], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]]), [
      ['0', 'create', '0', '+0', '+0', '-0', 'yes'], ['1', 'load', '30', '+30', '+1', '-0', 'yes'],
      ['2', 'load', '50', '+20', '+1', '-0', 'yes'], ['3', 'compact', '50', '+0', '+1', '-2', 'yes'],
    ]);
    assert.equal(new Date(lines[2][1]).getTime(), (await table.snapshot(1)).committedAtMs);

    const kept = await captured(() => vacuumCommand({ store: store.root }));
    assert.equal(kept.stdout, 'events: removed 0 file(s), 0 B; versions 0 and later are readable (retaining 168 h)\n');
    const dry = await captured(() => vacuumCommand({ store: store.root, table: 'events', retainHours: '0', dryRun: true }));
    assert.match(dry.stdout, /^events: would remove 2 file\(s\), .*; versions 3 and later are readable \(retaining 0 h\)\n  tables\/events\/data\/p-/);
    const removed = await captured(() => vacuumCommand({ store: store.root, retainHours: '0' }));
    assert.match(removed.stdout, /^events: removed 2 file\(s\)/);
    const json = await captured(() => tableCommand({ action: 'history', store: store.root, table: 'events', format: 'json' }));
    assert.deepEqual(JSON.parse(json.stdout).map((row: HistoryRow) => row.readable), [false, false, false, true]);
    await rejection(vacuumCommand({ store: store.root, retainHours: 'soon' }), 'CLI_USAGE');
    await rejection(tableCommand({ action: 'history', store: store.root }), 'CLI_USAGE');
    await rejection(tableCommand({ action: 'history', store: store.root, table: 'nope' }), 'TABLE_NOT_FOUND');
  });

  it('table hold, purge, release, retention, expire and audit', async () => {
    const table = await Table.create(store, 'events', eventSchema);
    await load(table, range(0, 30));
    const run = (options: Omit<Parameters<typeof tableCommand>[0], 'store'>) => captured(() => tableCommand({ store: store.root, table: 'events', ...options }));
    assert.match((await run({ action: 'hold', name: 'case-1', reason: 'court order 1' })).stdout, /^events: legal hold case-1 placed \(version 2\)/);
    const refused = await run({ action: 'purge', column: 'tag', equals: ['tag1'] });
    assert.ok(refused.error instanceof StrataError && refused.error.code === 'LEGAL_HOLD_ACTIVE');
    assert.match((await run({ action: 'holds' })).stdout, /^retention: none\nhold\s+placed\s+scope\s+reason\ncase-1 .* whole table\s+court order 1/);
    await run({ action: 'release', name: 'case-1' });
    const purged = await run({ action: 'purge', column: 'id', from: '10', to: '20' });
    assert.match(purged.stdout, /^events: purged 10 row\(s\) in version 4 \(1 partition\(s\) rewritten, 0 dropped\)/);
    assert.deepEqual((await rowsOf(table)).map((row) => row[0]), [...range(0, 10), ...range(20, 10)]);
    assert.match((await run({ action: 'purge', column: 'tag', equals: ['nobody'] })).stdout, /no rows matched; nothing changed/);
    const badRetention = await run({ action: 'retention', column: 'id', keepDays: '30' });
    assert.ok(badRetention.error instanceof StrataError && badRetention.error.code === 'RETENTION_INVALID');
    const audit = await run({ action: 'audit', format: 'json' });
    assert.deepEqual(JSON.parse(audit.stdout).map((event: { action: string }) => event.action), ['load', 'hold', 'release', 'purge']);
    const usage = await run({ action: 'purge', column: 'id' });
    assert.ok(usage.error instanceof StrataError && usage.error.code === 'CLI_USAGE');
    const badValue = await run({ action: 'purge', column: 'id', equals: ['ten'] });
    assert.ok(badValue.error instanceof StrataError && /'ten' is not a valid int64 value/.test(badValue.error.message));
  });

  it('refuses malformed command lines with CLI_USAGE', async () => {
    await rejection(backupCommand({ action: 'create', to: backups.root }), 'CLI_USAGE');
    await rejection(backupCommand({ action: 'explode' }), 'CLI_USAGE');
    await rejection(backupCommand({ action: 'create', store: store.root, to: backups.root, type: 'weekly' }), 'CLI_USAGE');
    await rejection(scrubCommand({}), 'CLI_USAGE');
    assert.throws(() => restoreOptions({ asOf: '3' }), /--as-of VERSION needs --table/);
    assert.throws(() => restoreOptions({ asOf: 'yesterday', table: 't' }), /ISO 8601/);
    assert.equal(restoreOptions({ asOf: '2024-06-01T12:00:00Z' }).asOfTimeMs, Date.UTC(2024, 5, 1, 12));
  });
});
