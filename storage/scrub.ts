/**
 * Scrubbing a store: every partition file the commit log names is re-read whole and checked
 * against the size and sha256 the log records, and every log entry must parse. Disks and networks
 * corrupt data silently; scrubbing finds it while a backup or replica can still repair it.
 * Problems are collected, not thrown, so one run names every damaged file.
 */
import { mapBounded } from './bounded-map.js';
import { fileDigest } from './backup-copy.js';
import { StrataError } from './errors.js';
import { validateTableName } from './paths.js';
import { StoreCatalog } from './store-catalog.js';
import type { Store } from './store.js';
import { Table } from './table.js';
import type { PartitionMeta } from './table-types.js';

/** Partition files checked at once: keeps a store busy without holding many reads in flight. */
export const scrubConcurrencyMax = 4;

/** One damaged file. */
export interface ScrubProblem {
  readonly table: string;
  /** Store path of the damaged file. */
  readonly path: string;
  readonly code: string;
  readonly message: string;
  /** The partition as the log records it (path relative to the table), when a partition is damaged. */
  readonly partition?: PartitionMeta;
}

/** What scrubStore found. */
export interface ScrubReport {
  readonly tables: readonly string[];
  readonly partitionsChecked: number;
  readonly bytesChecked: number;
  /** Empty when the store is intact. */
  readonly problems: readonly ScrubProblem[];
}

/** Options of scrubStore. */
export interface ScrubOptions {
  /** Tables to scrub (default: every table). */
  readonly tables?: readonly string[];
  /** Called after each partition file with the counts so far. */
  readonly onProgress?: (progress: { readonly partitionsChecked: number; readonly partitionsTotal: number }) => void;
}

/**
 * Verifies the partitions of every version of every table (see the file comment). A partition the
 * latest version needs must exist; one that only older versions need may have been vacuumed.
 */
export async function scrubStore(store: Store, options: ScrubOptions = {}): Promise<ScrubReport> {
  const tables = options.tables?.map(validateTableName) ?? await new StoreCatalog(store).listTables();
  const problems: ScrubProblem[] = [];
  const work: { table: Table; meta: PartitionMeta; required: boolean }[] = [];
  for (const name of tables) {
    try {
      const table = await Table.open(store, name);
      const live = new Set((await table.snapshot()).partitions.map((meta) => meta.id));
      const named = new Map<string, PartitionMeta>();
      for (const entry of await table.history()) for (const meta of entry.add) named.set(meta.id, meta);
      for (const meta of named.values()) work.push({ table, meta, required: live.has(meta.id) });
    } catch (error) {
      if (!(error instanceof StrataError) || error.kind !== 'corruption') throw error;
      problems.push({ table: name, path: String(error.details.path ?? `tables/${name}/_log`), code: error.code, message: error.message });
    }
  }
  const counts = { partitions: 0, bytes: 0 };
  await mapBounded(work, scrubConcurrencyMax, async ({ table, meta, required }) => {
    const problem = await checkPartition(table, meta, required);
    if (problem === 'vacuumed') return;
    if (problem?.code !== 'PARTITION_MISSING') {
      counts.partitions++;
      counts.bytes += meta.bytes;
    }
    if (problem !== null) problems.push(problem);
    options.onProgress?.({ partitionsChecked: counts.partitions, partitionsTotal: work.length });
  });
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { tables, partitionsChecked: counts.partitions, bytesChecked: counts.bytes, problems };
}

async function checkPartition(table: Table, meta: PartitionMeta, required: boolean): Promise<ScrubProblem | null | 'vacuumed'> {
  const path = `${table.directory}/${meta.path}`;
  const digest = await fileDigest(table.store, path);
  const problem = (code: string, message: string): ScrubProblem => ({ table: table.name, path, code, message, partition: meta });
  if (digest === null) {
    if (!required) return 'vacuumed';
    return problem('PARTITION_MISSING',
      `partition ${meta.id} of table ${table.name} (${path}) is missing, yet the latest version needs it; restore it with strata backup restore --repair`);
  }
  if (digest.bytes !== meta.bytes) {
    return problem('PARTITION_CORRUPT',
      `partition ${meta.id} of table ${table.name} (${path}) is ${digest.bytes} bytes, its log records ${meta.bytes}; restore it with strata backup restore --repair`);
  }
  if (digest.checksum !== meta.checksum) {
    return problem('PARTITION_CHECKSUM_MISMATCH',
      `partition ${meta.id} of table ${table.name} (${path}) has checksum ${digest.checksum}, its log records ${meta.checksum}; restore it with strata backup restore --repair`);
  }
  return null;
}
