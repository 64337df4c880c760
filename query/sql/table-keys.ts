/**
 * Keys of the tables a statement reads. A statement's tables are resolved once, up front, into a
 * map the binder, optimizer and executors share, and every Scan names its table by key. A table
 * read at its latest version is keyed by its name; one read AS OF a version by `name@v<version>`,
 * so the same table at two versions (old vs new self-join) is two entries. EXPLAIN shows the key.
 */
import type { SqlAsOf } from './ast.js';

/** The key of `name` read at `version` (AS OF). */
export function versionedTableKey(name: string, version: number): string {
  return `${name}@v${version}`;
}

/** The key under which the engine puts a table resolved for `AS OF TIMESTAMP` (it maps to the version's table). */
export function asOfTableKey(name: string, asOf: SqlAsOf): string {
  return asOf.kind === 'version' ? versionedTableKey(name, asOf.version) : `${name}@t${asOf.timeMs}`;
}

const versionSuffixPattern = /@v\d+$/;

/** The catalog name of a table key (the key without its `@v<version>`). */
export function catalogTableName(key: string): string {
  return key.replace(versionSuffixPattern, '');
}
