/** storage/: the store contract, partition format, table commit log and shared data types. */
export * from './types.js';
export * from './vector.js';
export * from './errors.js';
export * from './store.js';
export * from './table-types.js';
export * from './values.js';
export * from './webhdfs-client.js';
export * from './hdfs-store.js';
export * from './open-store.js';
export * from './paths.js';
export * from './checksum.js';
export { zstdCompress, zstdDecompress } from './zstd-codec.js';
export * from './local-store.js';
export {
  batchRowsMaxDefault, dictionaryEntriesMax, strataChecksumsKey, strataFormatEncodedVersion, strataFormatKey, strataFormatVersion, strataTypeKey,
  strataZonesKey, type PartitionColumn, type PhysicalType,
} from './partition-format.js';
export { encodingName, strataEncodingKey, type ColumnEncoding, type IntegerEncoding, type TextEncoding } from './encoding-spec.js';
export type { EncodingRequest } from './encoding-choice.js';
export type { BatchFilter, BatchZone, ZoneStats } from './partition-zones.js';
export * from './partition-compaction.js';
export * from './partition-writer.js';
export * from './partition-reader.js';
export * from './partition-verify.js';
export { loadPartitionLayout, type PartitionLayout } from './partition-footer.js';
export * from './table-log.js';
export * from './table-schema.js';
export * from './table.js';
export * from './store-catalog.js';
export * from './backup-copy.js';
export * from './backup-manifest.js';
export * from './backup-list.js';
export * from './backup-create.js';
export * from './backup-table-view.js';
export * from './backup-restore.js';
export * from './backup-verify.js';
export * from './scrub.js';
export * from './backup-repair.js';
export * from './replicate.js';
export * from './audit-log.js';
export * from './retention-predicate.js';
export * from './retention-holds.js';
export * from './retention-purge.js';
export * from './key-filter-paths.js';
export * from './table-storage-stats.js';
