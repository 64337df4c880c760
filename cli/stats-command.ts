/**
 * `strata stats --store S TABLE [--format json]`: how a table is stored. Per column: the
 * encodings its partitions chose, raw (plain, uncompressed Arrow) bytes, stored bytes and their
 * ratio; per table: partitions, rows, bytes, and how many partitions are still fresh (written
 * below the archive zstd level, waiting for compaction). All of it comes from the commit log
 * (ColumnStats.encoding/plainBytes/bytes, PartitionMeta.zstdLevel): no partition is read.
 */
import { archiveZstdLevelDefault, openStore, Table, typeToSql, type Snapshot } from '../storage/index.js';
import { formatBytes, renderColumns } from './backup-command.js';
import { usageError } from './usage.js';

/** Encodings listed per column at most; the rest are summed up as "+N more". */
const encodingsShownMax = 3;

/** One column's line of `strata stats`. */
export interface ColumnStorageStats {
  readonly name: string;
  readonly type: string;
  /** Encodings with the number of partitions that use each, most used first. */
  readonly encodings: readonly { readonly encoding: string; readonly partitions: number }[];
  /** Bytes as plain, uncompressed Arrow (the stored bytes where a partition did not record them). */
  readonly rawBytes: number;
  readonly storedBytes: number;
  /** rawBytes / storedBytes (0 when nothing is stored). */
  readonly ratio: number;
}

/** What `strata stats` reports for a table. */
export interface TableStorageStats {
  readonly table: string;
  readonly version: number;
  readonly partitions: number;
  readonly rows: number;
  /** Bytes of all partition files. */
  readonly bytes: number;
  /** Partitions written below the archive zstd level (fresh loads, not yet compacted). */
  readonly freshPartitions: number;
  readonly archivePartitions: number;
  readonly columns: readonly ColumnStorageStats[];
}

/** Storage statistics of a snapshot, from its log metadata only. */
export function tableStorageStats(snapshot: Snapshot, archiveZstdLevel = archiveZstdLevelDefault): TableStorageStats {
  const columns = snapshot.schema.fields.map((field, index): ColumnStorageStats => {
    const counts = new Map<string, number>();
    let rawBytes = 0;
    let storedBytes = 0;
    for (const meta of snapshot.partitions) {
      const stats = meta.columns[index];
      const encoding = stats.encoding ?? 'plain';
      counts.set(encoding, (counts.get(encoding) ?? 0) + 1);
      rawBytes += stats.plainBytes ?? stats.bytes;
      storedBytes += stats.bytes;
    }
    const encodings = [...counts].map(([encoding, partitions]) => ({ encoding, partitions })).sort((a, b) => b.partitions - a.partitions);
    return { name: field.name, type: typeToSql(field.type), encodings, rawBytes, storedBytes, ratio: storedBytes === 0 ? 0 : rawBytes / storedBytes };
  });
  // A partition without zstdLevel predates the tiers: written at the fast default level, so fresh.
  const fresh = snapshot.partitions.filter((meta) => (meta.zstdLevel ?? 0) < archiveZstdLevel).length;
  return {
    table: snapshot.table, version: snapshot.version, partitions: snapshot.partitions.length,
    rows: snapshot.partitions.reduce((sum, meta) => sum + meta.rows, 0), bytes: snapshot.partitions.reduce((sum, meta) => sum + meta.bytes, 0),
    freshPartitions: fresh, archivePartitions: snapshot.partitions.length - fresh, columns,
  };
}

function encodingText(column: ColumnStorageStats): string {
  if (column.encodings.length === 0) return '-';
  const shown = column.encodings.slice(0, encodingsShownMax).map((entry) => `${entry.encoding} ×${entry.partitions}`);
  const more = column.encodings.length - encodingsShownMax;
  return more > 0 ? `${shown.join(', ')}, +${more} more` : shown.join(', ');
}

/** The human-readable report. */
export function renderTableStorageStats(stats: TableStorageStats): string {
  const raw = stats.columns.reduce((sum, column) => sum + column.rawBytes, 0);
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
