/**
 * Background compaction: every intervalMs an active node looks for tables with small or fresh
 * partitions, compacts them (storage/partition-compaction.ts) with a pause between groups so
 * queries and loads keep the CPU and the disk, then vacuums with the safety window. One node at a
 * time per table and interval: a node compacts a table only after it created the lease file
 * `cluster/leases/compaction.<table>.<epoch>` (create-if-absent, atomic on every store), epoch
 * being the interval number since 1970, so the other nodes skip that table until the next one.
 */
import {
  archiveZstdLevelDefault, compactTable, planCompaction, StoreCatalog, StrataError, Table, toStrataError, type CompactionResult, type Store,
} from '../storage/index.js';
import { removeStaleKeyFilters } from '../ingest/index.js';

/** Where compaction leases live in the store. */
export const compactionLeaseDirectory = 'cluster/leases';

/** How a node compacts in the background (node config "compaction"). */
export interface CompactionJobConfig {
  /** Off: the node never compacts (run `strata compact` instead). */
  readonly enabled: boolean;
  /** Time between passes; also the lease epoch, so each table is compacted by one node per interval. */
  readonly intervalMs: number;
  /** Pause between rewritten groups: leaves CPU and I/O to queries between the rewrites. */
  readonly pauseMs: number;
  /** zstd level of rewritten partitions. */
  readonly zstdLevel: number;
  /** Safety window of the vacuum after a compaction: replaced files stay for queries and time travel this long. */
  readonly vacuumRetainMs: number;
}

/** Defaults: a pass every 10 minutes, 1 s between groups, archive zstd 19, 7 days' safety window (Delta Lake's). */
export const compactionJobDefault: CompactionJobConfig = {
  enabled: true, intervalMs: 10 * 60_000, pauseMs: 1000, zstdLevel: archiveZstdLevelDefault, vacuumRetainMs: 168 * 3_600_000,
};

/** What one pass did to one table. */
export interface CompactionPassEntry {
  readonly table: string;
  /** Another node held this table's lease for this interval. */
  readonly skipped: boolean;
  readonly result?: CompactionResult;
  readonly vacuumedFiles?: number;
}

function leasePath(table: string, epoch: number): string {
  return `${compactionLeaseDirectory}/compaction.${table}.${epoch}`;
}

/** Deletes this table's leases of earlier epochs: they only ever matter within their own interval. */
async function dropOldLeases(store: Store, table: string, epoch: number): Promise<void> {
  const prefix = `compaction.${table}.`;
  for (const file of await store.list(compactionLeaseDirectory)) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (!name.startsWith(prefix)) continue;
    const fileEpoch = Number(name.slice(prefix.length));
    if (Number.isInteger(fileEpoch) && fileEpoch < epoch) await store.delete(`${compactionLeaseDirectory}/${name}`);
  }
}

/** Compacts one table if it has work and this node wins its lease for the current interval. */
async function compactOne(store: Store, nodeId: string, name: string, config: CompactionJobConfig, epoch: number, signal?: AbortSignal): Promise<CompactionPassEntry | null> {
  const table = await Table.open(store, name);
  const snapshot = await table.snapshot();
  if (planCompaction(snapshot.partitions, { zstdLevel: config.zstdLevel }).length === 0) return null;
  const lease = new TextEncoder().encode(JSON.stringify({ node: nodeId, acquiredAtMs: Date.now() }));
  if (!(await store.createIfAbsent(leasePath(table.name, epoch), lease))) return { table: table.name, skipped: true };
  await dropOldLeases(store, table.name, epoch);
  const result = await compactTable(table, { zstdLevel: config.zstdLevel, pauseMs: config.pauseMs, signal });
  const vacuum = await table.vacuum({ retainMs: config.vacuumRetainMs, audit: { node: nodeId } });
  const live = new Set((await table.snapshot()).partitions.map((meta) => meta.id));
  const filters = await removeStaleKeyFilters(store, table.directory, live, config.vacuumRetainMs);
  return { table: table.name, skipped: false, result, vacuumedFiles: vacuum.removed.length + filters };
}

/**
 * One pass over every table of the store. A table that fails (a commit conflict with a
 * concurrent purge, a corrupt partition) is reported and left for the next pass; the others go on.
 */
export async function runCompactionPass(store: Store, nodeId: string, config: CompactionJobConfig, options: {
  readonly nowMs?: number; readonly signal?: AbortSignal; readonly onError?: (table: string, error: StrataError) => void;
} = {}): Promise<CompactionPassEntry[]> {
  const epoch = Math.floor((options.nowMs ?? Date.now()) / config.intervalMs);
  const entries: CompactionPassEntry[] = [];
  for (const name of await new StoreCatalog(store).listTables()) {
    if (options.signal?.aborted) break;
    try {
      const entry = await compactOne(store, nodeId, name, config, epoch, options.signal);
      if (entry !== null) entries.push(entry);
    } catch (error) {
      options.onError?.(name, toStrataError(error));
    }
  }
  return entries;
}

/** A running background compaction; stop() cancels a pass in progress (committed groups stay). */
export interface CompactionJob {
  stop(): Promise<void>;
}

/**
 * Starts the periodic job: a pass every intervalMs while `isActive()` (a dormant node does no
 * background work), logging each compacted table; passes never overlap.
 */
export function startCompactionJob(store: Store, nodeId: string, config: CompactionJobConfig, isActive: () => boolean,
  log: (entry: Record<string, unknown>) => void): CompactionJob {
  const controller = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    if (!isActive()) return;
    const entries = await runCompactionPass(store, nodeId, config, {
      signal: controller.signal,
      onError: (table, error) => log({ level: 'warn', msg: 'compaction failed', table, code: error.code, error: error.message }),
    });
    for (const entry of entries) {
      if (!entry.skipped) log({ level: 'info', msg: 'compacted', table: entry.table, ...entry.result, vacuumedFiles: entry.vacuumedFiles });
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    // A pass longer than the interval makes the next tick a no-op rather than a queue of passes.
    if (busy) return;
    busy = true;
    running = pass().catch((error: unknown) => log({ level: 'warn', msg: 'compaction pass failed', error: toStrataError(error).message }))
      .finally(() => { busy = false; });
  }, config.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      controller.abort();
      await running;
    },
  };
}
