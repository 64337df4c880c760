/**
 * Replication: a replicator killed mid-stream leaves the secondary at committed versions of the
 * primary, a restarted one resumes and converges to the primary's versions with identical files
 * and rows while another process keeps loading; drops and re-creates propagate; lag is reported.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { replicateOnce, StoreCatalog, Table, type LocalStore } from '../../storage/index.js';
import { eventSchema, fingerprint, load, range, rowsOf } from './backup-fixtures.js';
import { rejection, temporaryStore } from './storage-fixtures.js';

/** A child process with a line handler, its stderr and a promise of its end. */
function start(script: string, args: readonly string[], onLine: (line: string) => void): { child: ChildProcess; exited: Promise<void>; stderr: () => string } {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => { stderr += data.toString('utf8'); });
  createInterface({ input: child.stdout! }).on('line', onLine);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, exited, stderr: () => stderr };
}

describe('replication', function () {
  this.timeout(120_000);
  let primary: LocalStore;
  let secondary: LocalStore;
  let cleanups: (() => Promise<void>)[];
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    const a = await temporaryStore('primary');
    const b = await temporaryStore('secondary');
    primary = a.store;
    secondary = b.store;
    cleanups = [a.cleanup, b.cleanup];
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const cleanup of cleanups) await cleanup();
  });

  it('a replicator killed mid-stream resumes and converges to the primary while loads go on', async () => {
    const names = ['alpha', 'beta'];
    for (const name of names) {
      const table = await Table.create(primary, name, eventSchema, {}, { checkpointInterval: 4 });
      for (let i = 0; i < 12; i++) await load(table, range(i * 10, 10));
    }
    // A first replicator that kills itself mid-stream, after its third version.
    const first = start('./replicate-child.js', [primary.root, secondary.root, '20', '3'], () => {});
    children.push(first.child);
    await first.exited;
    assert.equal(first.child.signalCode, 'SIGKILL', first.stderr());
    // The secondary holds committed versions of the primary, readable, and is behind.
    let behind = 0;
    for (const name of await new StoreCatalog(secondary).listTables()) {
      const replica = await Table.open(secondary, name);
      const version = (await replica.snapshot()).version;
      behind += (await (await Table.open(primary, name)).snapshot()).version - version;
      assert.deepEqual(await fingerprint(secondary, name), await fingerprint(primary, name, version));
    }
    assert.ok(behind > 0, 'killed mid-stream');

    // Loads go on in another process while a second replicator resumes.
    const finalVersions = new Map<string, number>();
    const loader = start('./backup-load-child.js', [primary.root, '8', ...names], () => {});
    children.push(loader.child);
    const reached = new Map<string, number>();
    let caughtUp = () => {};
    const converged = new Promise<void>((resolve) => { caughtUp = resolve; });
    const check = (): void => {
      if (finalVersions.size === names.length && names.every((name) => (reached.get(name) ?? -1) >= finalVersions.get(name)!)) caughtUp();
    };
    const second = start('./replicate-child.js', [primary.root, secondary.root, '20', '0'], (line) => {
      const [word, table, version] = line.split(' ');
      if (word === 'shipped') reached.set(table, Number(version));
      check();
    });
    children.push(second.child);
    await loader.exited;
    assert.equal(loader.child.exitCode, 0, loader.stderr());
    for (const name of names) finalVersions.set(name, (await (await Table.open(primary, name)).snapshot()).version);
    check();
    await Promise.race([converged, second.exited.then(() => { throw new Error(`replicator exited: ${second.stderr()}`); })]);
    second.child.kill('SIGKILL');
    await second.exited;
    for (const name of names) {
      assert.equal(finalVersions.get(name), 20);
      assert.deepEqual(await fingerprint(secondary, name), await fingerprint(primary, name), name);
    }
    const idle = await replicateOnce(primary, secondary);
    assert.deepEqual([idle.versionsShipped, idle.lagVersions, idle.lagSeconds], [0, 0, 0]);
  });

  it('reports lag in versions and seconds, ships in bounded rounds, and mirrors drops and re-creates', async () => {
    const catalog = new StoreCatalog(primary);
    const events = await catalog.createTable('events', eventSchema);
    await load(events, range(0, 5));
    const gone = await catalog.createTable('gone', eventSchema);
    await load(gone, range(0, 2));
    const partial = await replicateOnce(primary, secondary, { tables: ['events'] });
    assert.deepEqual(partial.tables.map((lag) => [lag.table, lag.primaryVersion, lag.secondaryVersion, lag.lagVersions]), [['events', 1, 1, 0]]);
    await load(events, range(5, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = (await Table.open(secondary, 'events'));
    assert.equal((await before.snapshot()).version, 1);
    const round = await replicateOnce(primary, secondary);
    assert.equal(round.versionsShipped, 1 + 2, 'events v2, gone v0 and v1');
    assert.equal(round.lagVersions, 0);

    await catalog.dropTable('gone');
    await catalog.dropTable('events');
    const recreated = await catalog.createTable('events', eventSchema);
    await load(recreated, range(100, 3));
    const mirrored = await replicateOnce(primary, secondary);
    assert.deepEqual([...mirrored.tablesDropped].sort(), ['events', 'gone']);
    assert.deepEqual(await new StoreCatalog(secondary).listTables(), ['events']);
    assert.deepEqual(await rowsOf(await Table.open(secondary, 'events')), await rowsOf(recreated));

    // A secondary written to directly is refused rather than silently diverging.
    await load(await Table.open(secondary, 'events'), range(500, 1));
    await load(await Table.open(secondary, 'events'), range(501, 1));
    await rejection(replicateOnce(primary, secondary), 'REPLICA_AHEAD');
  });
});
