/** storage/: the store contract, partition format, table commit log and shared data types. */
export * from './types.js';
export * from './vector.js';
export * from './errors.js';
export * from './store.js';
export * from './table-types.js';
export * from './values.js';
