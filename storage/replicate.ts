/**
 * Disaster-recovery replication: ships the commits of every table of a primary store to a
 * secondary store, in version order, each commit's partition files before its log entry, so the
 * secondary is at every moment a valid store holding each table at some committed version of the
 * primary (it serves read-only queries). The secondary's own log is the cursor: a replicator
 * killed at any point resumes where the secondary stopped, re-verifying files it had copied.
 *
 * A partition's record-key filter (keys/<id>.bloom) ships with the partition, before the log entry
 * that commits it, so a keyed table on the secondary never holds a committed partition without its
 * filter (after a failover it would let duplicates of that partition's records in); filters a load
 * wrote later for older partitions are swept up each round. Views have no log: when the whole
 * store is replicated, each round converges the secondary's views/ to the primary's by content
 * (created, replaced, dropped), after the tables they read have shipped.
 */
import { randomBytes } from 'node:crypto';
import { copyFileVerified } from './backup-copy.js';
import { storeViewFilePattern, storeViewsDirectory } from './backup-manifest.js';
import { sha256Checksum } from './checksum.js';
import { StrataError } from './errors.js';
import { keyFilterPartitionId, keyFilterRelativePath, keyFiltersDirectory } from './key-filter-paths.js';
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
  /** Record-key filters copied (with their partitions or swept up); also counted in filesCopied. */
  readonly keyFiltersCopied: number;
  /** Views created or replaced on the secondary (whole-store replication only). */
  readonly viewsCopied: readonly string[];
  /** Views dropped on the secondary because the primary no longer has them. */
  readonly viewsDropped: readonly string[];
  /** Sum of lagVersions over the tables. */
  readonly lagVersions: number;
  /** Largest lagSeconds over the tables. */
  readonly lagSeconds: number;
}

/** Options of replicateOnce and replicate. */
export interface ReplicationOptions {
  /**
   * Only these tables (default: every table of the primary; tables it no longer has are dropped on
   * the secondary, and views are replicated too: they are store-wide and may read any table).
   */
  readonly tables?: readonly string[];
  /** Called after each version becomes visible on the secondary. */
  readonly onShipped?: (table: string, version: number) => void;
  readonly signal?: AbortSignal;
}

/** One round: every table advances by up to replicationEntriesPerRoundMax versions; then the views follow. */
export async function replicateOnce(primary: Store, secondary: Store, options: ReplicationOptions = {}): Promise<ReplicationRound> {
  // Views are read before the tables are listed, so every table a view read here names ships this round.
  const views = options.tables === undefined ? await readViews(primary) : null;
  const names = options.tables?.map(validateTableName) ?? await new StoreCatalog(primary).listTables();
  const tablesDropped = options.tables === undefined ? await dropVanished(primary, secondary, names) : [];
  const counts: ShipCounts = { versions: 0, files: 0, keyFilters: 0 };
  const lags: TableLag[] = [];
  for (const name of names) {
    if (options.signal?.aborted) break;
    lags.push(await replicateTable(primary, secondary, name, options, counts, tablesDropped));
  }
  const viewChanges = views === null || options.signal?.aborted === true ? { copied: [], dropped: [] } : await convergeViews(secondary, views);
  return {
    tables: lags, versionsShipped: counts.versions, filesCopied: counts.files, tablesDropped,
    keyFiltersCopied: counts.keyFilters, viewsCopied: viewChanges.copied, viewsDropped: viewChanges.dropped,
    lagVersions: lags.reduce((sum, lag) => sum + lag.lagVersions, 0), lagSeconds: Math.max(0, ...lags.map((lag) => lag.lagSeconds)),
  };
}

/** Files a round copied, by kind. */
interface ShipCounts {
  versions: number;
  files: number;
  keyFilters: number;
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
    if (!roundChanged(round)) await pause(pollIntervalMs, options.signal);
  }
}

/** True when a round changed the secondary: shipped versions or key filters, dropped tables, or changed views. */
export function roundChanged(round: ReplicationRound): boolean {
  return round.versionsShipped > 0 || round.keyFiltersCopied > 0 || round.tablesDropped.length > 0 || round.viewsCopied.length > 0 || round.viewsDropped.length > 0;
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
  primary: Store, secondary: Store, name: string, options: ReplicationOptions, counts: ShipCounts, dropped: string[],
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
      await shipKeyFilter(primary, secondary, source.directory, meta.id, counts);
    }
    const logPath = source.logEntryPath(entry.version);
    if ((await copyFileVerified(primary, logPath, secondary, logPath)).copied) counts.files++;
    const checkpoint = checkpointPath(tableLogDirectory(name), entry.version);
    if ((await primary.stat(checkpoint)) !== null) await copyFileVerified(primary, checkpoint, secondary, checkpoint);
    shipped = entry.version;
    counts.versions++;
    options.onShipped?.(name, entry.version);
  }
  if (!options.signal?.aborted) await sweepKeyFilters(primary, secondary, source.directory, live, counts);
  const lagSeconds = shipped >= latest.version ? 0 : Math.max(0, (Date.now() - (await source.history(shipped + 1, shipped + 1))[0].committedAtMs) / 1000);
  return { table: name, primaryVersion: latest.version, secondaryVersion: shipped, lagVersions: latest.version - shipped, lagSeconds };
}

/** Copies the key filter of partition `id` when the primary has one; a verified copy already there is left alone. */
async function shipKeyFilter(primary: Store, secondary: Store, directory: string, id: string, counts: ShipCounts): Promise<void> {
  const path = `${directory}/${keyFilterRelativePath(id)}`;
  if ((await primary.stat(path)) === null) return;
  if ((await copyFileVerified(primary, path, secondary, path)).copied) {
    counts.files++;
    counts.keyFilters++;
  }
}

/**
 * Copies the key filters of partitions live on the primary that the secondary lacks: a load that
 * meets a partition without a filter writes one after that partition was committed (and shipped).
 * Filters are written once per partition id and never change, so a name the secondary holds is done.
 */
async function sweepKeyFilters(primary: Store, secondary: Store, directory: string, live: ReadonlySet<string>, counts: ShipCounts): Promise<void> {
  const filtersDirectory = `${directory}/${keyFiltersDirectory}`;
  const wanted = (await primary.list(filtersDirectory)).map((file) => filterId(file.path)).filter((id): id is string => id !== null && live.has(id));
  if (wanted.length === 0) return;
  const held = new Set((await secondary.list(filtersDirectory)).map((file) => filterId(file.path)));
  for (const id of wanted) if (!held.has(id)) await shipKeyFilter(primary, secondary, directory, id, counts);
}

/** The partition id of a key filter's store path, or null when the path is not one. */
function filterId(path: string): string | null {
  return keyFilterPartitionId(`${keyFiltersDirectory}/${path.slice(path.lastIndexOf('/') + 1)}`);
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

/** Prefix of a view file staged on the secondary before it replaces the old one (a dot-file: never read as a view). */
const stagedViewPrefix = '.replicate-';

/** The views of a store: file name (<name>.json) to content. */
async function readViews(store: Store): Promise<Map<string, Uint8Array>> {
  const views = new Map<string, Uint8Array>();
  for (const file of await store.list(storeViewsDirectory)) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (file.isDirectory || !storeViewFilePattern.test(name)) continue;
    try {
      views.set(name, await store.read(`${storeViewsDirectory}/${name}`));
    } catch (error) {
      // Dropped (or mid OR REPLACE) since the listing: the primary has no such view right now.
      if (!(error instanceof StrataError && error.kind === 'not_found')) throw error;
    }
  }
  return views;
}

/**
 * Makes the secondary's views those of `views` (read from the primary): a view created or whose
 * content differs is written (a replaced one through a staged file and a rename, as the primary
 * replaces views), one the primary lacks is deleted. Staged files a killed run left are removed.
 */
async function convergeViews(secondary: Store, views: ReadonlyMap<string, Uint8Array>): Promise<{ copied: string[]; dropped: string[] }> {
  const copied: string[] = [];
  const dropped: string[] = [];
  const held = new Set<string>();
  for (const file of await secondary.list(storeViewsDirectory)) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (!file.isDirectory && name.startsWith(stagedViewPrefix)) await secondary.delete(`${storeViewsDirectory}/${name}`);
    else if (!file.isDirectory && storeViewFilePattern.test(name)) held.add(name);
  }
  for (const [name, data] of views) {
    if (held.has(name) && Buffer.from(await secondary.read(`${storeViewsDirectory}/${name}`)).equals(data)) continue;
    await writeView(secondary, name, data, held.has(name));
    copied.push(name.slice(0, -'.json'.length));
  }
  for (const name of held) {
    if (views.has(name)) continue;
    await secondary.delete(`${storeViewsDirectory}/${name}`);
    dropped.push(name.slice(0, -'.json'.length));
  }
  return { copied, dropped };
}

/** Writes view file `name` on the secondary; an existing one is swapped for a staged copy. */
async function writeView(secondary: Store, name: string, data: Uint8Array, exists: boolean): Promise<void> {
  const path = `${storeViewsDirectory}/${name}`;
  if (!exists && (await secondary.createIfAbsent(path, data))) return;
  const staged = `${storeViewsDirectory}/${stagedViewPrefix}${randomBytes(6).toString('hex')}-${name}`;
  await secondary.write(staged, data);
  await secondary.delete(path);
  await secondary.rename(staged, path);
}
