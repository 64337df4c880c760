/**
 * `strata compact --store S --table T [--sort-key COL[,COL]] [--zstd-level N]`: merge small
 * partitions and re-encode fresh ones at the archive level now, in the foreground
 * (storage/partition-compaction.ts). A node does the same in the background (compaction-job.ts).
 */
import { archiveZstdLevelDefault, compactTable, openStore, Table } from '../storage/index.js';
import { formatBytes } from './backup-command.js';
import { usageError } from './usage.js';

/** zstd's level range: 1 (fastest) to 22 (smallest). */
const zstdLevelMin = 1;
const zstdLevelMax = 22;

/** Options of `strata compact`. */
export interface CompactCommandOptions {
  readonly store?: string;
  readonly table?: string;
  /** Comma-separated columns to sort by; default the table's sortKey option. */
  readonly sortKey?: string;
  /** zstd level of the rewritten partitions (default 19). */
  readonly zstdLevel?: string;
}

/** Parses --zstd-level: an integer from 1 to 22, or the archive default when absent. */
function zstdLevelOf(text: string | undefined): number {
  if (text === undefined) return archiveZstdLevelDefault;
  const level = Number(text);
  if (!Number.isInteger(level) || level < zstdLevelMin || level > zstdLevelMax) {
    throw usageError(`--zstd-level takes an integer from ${zstdLevelMin} to ${zstdLevelMax}, not '${text}'`);
  }
  return level;
}

/** Runs `strata compact` and prints what it rewrote. */
export async function compactCommand(options: CompactCommandOptions): Promise<void> {
  if (options.store === undefined || options.table === undefined) throw usageError('strata compact needs --store S and --table T');
  const zstdLevel = zstdLevelOf(options.zstdLevel);
  const sortKey = options.sortKey?.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const store = await openStore(options.store);
  try {
    const table = await Table.open(store, options.table);
    const result = await compactTable(table, { zstdLevel, ...(sortKey === undefined ? {} : { sortKey }) });
    if (result.version === null) {
      process.stdout.write(`${table.name}: nothing to compact (no small or fresh partitions below zstd level ${zstdLevel})\n`);
      return;
    }
    process.stdout.write(`${table.name}: compacted ${result.removed} partition(s) into ${result.added}, ${result.rows.toLocaleString('en-US')} rows, ` +
      `${formatBytes(result.bytesBefore)} → ${formatBytes(result.bytesAfter)} at zstd ${zstdLevel} (version ${result.version}); ` +
      `run 'strata vacuum' after the retention window to delete the replaced files\n`);
  } finally {
    await store.close();
  }
}
