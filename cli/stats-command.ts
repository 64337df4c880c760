/**
 * `strata stats --store S TABLE [--format json]`: how a table is stored. Per column: the
 * encodings its partitions chose, raw (plain, uncompressed Arrow) bytes, stored bytes and their
 * ratio; per table: partitions, rows, bytes, and how many partitions are still fresh (written
 * below the archive zstd level, waiting for compaction). All of it comes from the commit log
 * (ColumnStats.encoding/plainBytes/bytes, PartitionMeta.zstdLevel): no partition is read. The
 * figures come from storage/table-storage-stats.ts, which system.tables and system.columns share.
 */
import { openStore, Table, tableStorageStats, type ColumnStorageStats, type TableStorageStats } from '../storage/index.js';
import { formatBytes, renderColumns } from './backup-command.js';
import { usageError } from './usage.js';

/** The figures now live in storage/ (system tables serve them too); re-exported for existing callers. */
export { tableStorageStats, type ColumnStorageStats, type TableStorageStats };

/** Encodings listed per column at most; the rest are summed up as "+N more". */
const encodingsShownMax = 3;

function encodingText(column: ColumnStorageStats): string {
  if (column.encodings.length === 0) return '-';
  const shown = column.encodings.slice(0, encodingsShownMax).map((entry) => `${entry.encoding} ×${entry.partitions}`);
  const more = column.encodings.length - encodingsShownMax;
  return more > 0 ? `${shown.join(', ')}, +${more} more` : shown.join(', ');
}

/** The human-readable report. */
export function renderTableStorageStats(stats: TableStorageStats): string {
  const raw = stats.rawBytes;
  const header = `${stats.table} (version ${stats.version}): ${stats.partitions} partition(s) — ${stats.freshPartitions} fresh, ` +
    `${stats.archivePartitions} archive — ${stats.rows.toLocaleString('en-US')} rows, ${formatBytes(stats.bytes)} stored, ` +
    `${formatBytes(raw)} raw (${stats.bytes === 0 ? '-' : `${(raw / stats.bytes).toFixed(1)}x`})\n`;
  return header + renderColumns(['column', 'type', 'encoding', 'raw', 'stored', 'ratio'], stats.columns.map((column) => [
    column.name, column.type, encodingText(column), formatBytes(column.rawBytes), formatBytes(column.storedBytes),
    column.storedBytes === 0 ? '-' : `${column.ratio.toFixed(1)}x`,
  ]));
}

/** Options of `strata stats`. */
export interface StatsCommandOptions {
  readonly store?: string;
  readonly table?: string;
  /** table (default) or json. */
  readonly format?: string;
}

/** Runs `strata stats`. */
export async function statsCommand(options: StatsCommandOptions): Promise<void> {
  if (options.store === undefined || options.table === undefined) throw usageError('strata stats needs --store S and a TABLE');
  if (options.format !== undefined && options.format !== 'table' && options.format !== 'json') throw usageError(`strata stats --format takes table or json, not '${options.format}'`);
  const store = await openStore(options.store);
  try {
    const stats = tableStorageStats(await (await Table.open(store, options.table)).snapshot());
    process.stdout.write(options.format === 'json' ? `${JSON.stringify(stats)}\n` : renderTableStorageStats(stats));
  } finally {
    await store.close();
  }
}
