/** storage/: the store contract, partition format, table commit log and shared data types. */
export * from './types.js';
export * from './vector.js';
export * from './errors.js';
export * from './store.js';
export * from './table-types.js';
export * from './values.js';
export * from './paths.js';
export * from './checksum.js';
export * from './local-store.js';
export { batchRowsMaxDefault, dictionaryEntriesMax, strataChecksumsKey, strataFormatKey, strataFormatVersion, strataTypeKey } from './partition-format.js';
export * from './partition-writer.js';
export * from './partition-reader.js';
export * from './partition-verify.js';
export { loadPartitionLayout, type PartitionLayout } from './partition-footer.js';
export * from './table-log.js';
export * from './table-schema.js';
export * from './table.js';
export * from './store-catalog.js';
