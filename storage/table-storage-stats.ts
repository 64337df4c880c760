/**
 * How a table is stored, from its commit log alone (no partition is read): per column the
 * encodings its partitions chose, raw (plain, uncompressed Arrow) bytes, stored bytes, their ratio
 * and NULL count; per table partitions, rows, bytes, and how many partitions are still fresh
 * (written below the archive zstd level, waiting for compaction). `strata stats` prints it and
 * the system tables system.tables and system.columns serve it to SQL: one implementation for both.
 */
import { archiveZstdLevelDefault } from './partition-compaction.js';
import type { Snapshot } from './table-types.js';
import { typeToSql } from './types.js';

/** One column's storage figures. */
export interface ColumnStorageStats {
  readonly name: string;
  /** SQL spelling of the column's type. */
  readonly type: string;
  /** Encodings with the number of partitions that use each, most used first. */
  readonly encodings: readonly { readonly encoding: string; readonly partitions: number }[];
  /** Bytes as plain, uncompressed Arrow (the stored bytes where a partition did not record them). */
  readonly rawBytes: number;
  readonly storedBytes: number;
  /** rawBytes / storedBytes (0 when nothing is stored). */
  readonly ratio: number;
  /** NULL values in the column over every partition. */
  readonly nullCount: number;
}

/** A table's storage figures at one version. */
export interface TableStorageStats {
  readonly table: string;
  readonly version: number;
  readonly partitions: number;
  readonly rows: number;
  /** Bytes of all partition files. */
  readonly bytes: number;
  /** Bytes of all columns as plain, uncompressed Arrow. */
  readonly rawBytes: number;
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
    let nullCount = 0;
    for (const meta of snapshot.partitions) {
      const stats = meta.columns[index];
      const encoding = stats.encoding ?? 'plain';
      counts.set(encoding, (counts.get(encoding) ?? 0) + 1);
      rawBytes += stats.plainBytes ?? stats.bytes;
      storedBytes += stats.bytes;
      nullCount += stats.nullCount;
    }
    const encodings = [...counts].map(([encoding, partitions]) => ({ encoding, partitions })).sort((a, b) => b.partitions - a.partitions);
    return {
      name: field.name, type: typeToSql(field.type), encodings, rawBytes, storedBytes, ratio: storedBytes === 0 ? 0 : rawBytes / storedBytes, nullCount,
    };
  });
  // A partition without zstdLevel predates the tiers: written at the fast default level, so fresh.
  let fresh = 0;
  let rows = 0;
  let bytes = 0;
  for (const meta of snapshot.partitions) {
    if ((meta.zstdLevel ?? 0) < archiveZstdLevel) fresh++;
    rows += meta.rows;
    bytes += meta.bytes;
  }
  return {
    table: snapshot.table, version: snapshot.version, partitions: snapshot.partitions.length, rows, bytes,
    rawBytes: columns.reduce((sum, column) => sum + column.rawBytes, 0),
    freshPartitions: fresh, archivePartitions: snapshot.partitions.length - fresh, columns,
  };
}
