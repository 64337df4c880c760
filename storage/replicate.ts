/**
 * Disaster-recovery replication: ships the commits of every table of a primary store to a
 * secondary store, in version order, each commit's partition files before its log entry, so the
 * secondary is at every moment a valid store holding each table at some committed version of the
 * primary (it serves read-only queries). The secondary's own log is the cursor: a replicator
 * killed at any point resumes where the secondary stopped, re-verifying files it had copied.
 */
import { copyFileVerified } from './backup-copy.js';
import { sha256Checksum } from './checksum.js';
import { StrataError } from './errors.js';
import { tableLogDirectory, validateTableName } from './paths.js';
import { StoreCatalog } from './store-catalog.js';
import type { Store } from './store.js';
import { Table } from './table.js';
import { checkpointPath, logEntryPath, vacuumMarkerPath, encodeVacuumMarker } from './table-log.js';

/** Log entries shipped per table per round: the secondary advances table by table in bounded steps, and lag reports stay fresh. */
export const replicationEntriesPerRoundMax = 64;

/** Pause between rounds that found nothing to ship, unless told otherwise. */
export const replicationPollIntervalMsDefault = 1000;

/** How far one table of the secondary is behind the primary. */
export interface TableLag {
  readonly table: string;
  readonly primaryVersion: number;
  /** -1 while the table does not exist on the secondary yet. */
  readonly secondaryVersion: number;
  readonly lagVersions: number;
  /** Age of the oldest commit not yet shipped, in seconds (0 when caught up). */
  readonly lagSeconds: number;
}

/** What one round of replication did. */
export interface ReplicationRound {
  readonly tables: readonly TableLag[];
  readonly versionsShipped: number;
  readonly filesCopied: number;
  /** Tables dropped on the secondary because the primary no longer has them (or re-created them). */
  readonly tablesDropped: readonly string[];
  /** Sum of lagVersions over the tables. */
  readonly lagVersions: number;
  /** Largest lagSeconds over the tables. */
  readonly lagSeconds: number;
}

/** Options of replicateOnce and replicate. */
export interface ReplicationOptions {
  /** Only these tables (default: every table of the primary; tables it no longer has are dropped on the secondary). */
  readonly tables?: readonly string[];
  /** Called after each version becomes visible on the secondary. */
  readonly onShipped?: (table: string, version: number) => void;
  readonly signal?: AbortSignal;
}

/** One round: every table advances by up to replicationEntriesPerRoundMax versions. */
export async function replicateOnce(primary: Store, secondary: Store, options: ReplicationOptions = {}): Promise<ReplicationRound> {
  const names = options.tables?.map(validateTableName) ?? await new StoreCatalog(primary).listTables();
  const tablesDropped = options.tables === undefined ? await dropVanished(primary, secondary, names) : [];
  const counts = { versions: 0, files: 0 };
  const lags: TableLag[] = [];
  for (const name of names) {
    if (options.signal?.aborted) break;
    lags.push(await replicateTable(primary, secondary, name, options, counts, tablesDropped));
  }
  return {
    tables: lags, versionsShipped: counts.versions, filesCopied: counts.files, tablesDropped,
    lagVersions: lags.reduce((sum, lag) => sum + lag.lagVersions, 0), lagSeconds: Math.max(0, ...lags.map((lag) => lag.lagSeconds)),
  };
}

/**
 * Replicates until `options.signal` fires: rounds back to back while there is work, and a pause of
 * pollIntervalMs after a round that found none. onRound sees every round (lag reporting).
 */
export async function replicate(
  primary: Store, secondary: Store, options: ReplicationOptions & { readonly pollIntervalMs?: number; readonly onRound?: (round: ReplicationRound) => void },
): Promise<void> {
  const pollIntervalMs = options.pollIntervalMs ?? replicationPollIntervalMsDefault;
  while (!options.signal?.aborted) {
    const round = await replicateOnce(primary, secondary, options);
    options.onRound?.(round);
    if (round.versionsShipped === 0 && round.tablesDropped.length === 0) await pause(pollIntervalMs, options.signal);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function dropVanished(primary: Store, secondary: Store, names: readonly string[]): Promise<string[]> {
  const keep = new Set(names);
  const catalog = new StoreCatalog(secondary);
  const dropped: string[] = [];
  for (const name of await catalog.listTables()) {
    if (keep.has(name) || (await primary.stat(logEntryPath(tableLogDirectory(name), 0))) !== null) continue;
    await catalog.dropTable(name);
    dropped.push(name);
  }
  return dropped;
}

/** Ships up to replicationEntriesPerRoundMax versions of one table and returns its lag after that. */
async function replicateTable(
  primary: Store, secondary: Store, name: string, options: ReplicationOptions, counts: { versions: number; files: number }, dropped: string[],
): Promise<TableLag> {
  const source = await Table.open(primary, name);
  const latest = await source.snapshot();
  let shipped = await secondaryVersion(primary, secondary, source, dropped);
  const live = new Set(latest.partitions.map((meta) => meta.id));
  const last = Math.min(latest.version, shipped + replicationEntriesPerRoundMax);
  const entries = await source.history(shipped + 1, last);
  for (const entry of entries) {
    if (options.signal?.aborted) break;
    for (const meta of entry.add) {
      const path = `${source.directory}/${meta.path}`;
      if (!live.has(meta.id) && (await primary.stat(path)) === null) {
        // Vacuumed on the primary: the versions that needed it are unreadable there too; say so here.
        const removedAt = (await source.history(entry.version + 1)).find((later) => later.remove.includes(meta.id))?.version ?? latest.version;
        await secondary.createIfAbsent(vacuumMarkerPath(tableLogDirectory(name), removedAt), encodeVacuumMarker(removedAt));
        continue;
      }
      if ((await copyFileVerified(primary, path, secondary, path, { bytes: meta.bytes, checksum: meta.checksum })).copied) counts.files++;
    }
    const logPath = source.logEntryPath(entry.version);
    if ((await copyFileVerified(primary, logPath, secondary, logPath)).copied) counts.files++;
    const checkpoint = checkpointPath(tableLogDirectory(name), entry.version);
    if ((await primary.stat(checkpoint)) !== null) await copyFileVerified(primary, checkpoint, secondary, checkpoint);
    shipped = entry.version;
    counts.versions++;
    options.onShipped?.(name, entry.version);
  }
  const lagSeconds = shipped >= latest.version ? 0 : Math.max(0, (Date.now() - (await source.history(shipped + 1, shipped + 1))[0].committedAtMs) / 1000);
  return { table: name, primaryVersion: latest.version, secondaryVersion: shipped, lagVersions: latest.version - shipped, lagSeconds };
}

/**
 * The newest version the secondary holds of `source`, -1 when it holds none. A secondary table
 * whose create commit differs was dropped and re-created on the primary: it is dropped here too.
 */
async function secondaryVersion(primary: Store, secondary: Store, source: Table, dropped: string[]): Promise<number> {
  const createPath = source.logEntryPath(0);
  if ((await secondary.stat(createPath)) === null) return -1;
  const same = sha256Checksum(await secondary.read(createPath)) === sha256Checksum(await primary.read(createPath));
  if (!same) {
    await new StoreCatalog(secondary).dropTable(source.name);
    dropped.push(source.name);
    return -1;
  }
  const replica = await Table.open(secondary, source.name);
  const version = (await replica.snapshot()).version;
  if (version > (await source.snapshot()).version) {
    throw new StrataError('conflict', 'REPLICA_AHEAD',
      `table ${source.name} is at version ${version} on the secondary ${secondary.url} but only ${(await source.snapshot()).version} on the primary; ` +
      'the secondary was written to directly or the primary was restored from an older backup: replicate into a fresh secondary',
      { table: source.name });
  }
  return version;
}
