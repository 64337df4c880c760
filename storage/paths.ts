/**
 * Validation of store paths and table names, and the layout of tables inside a store. Every
 * store and the table log go through here so that a path from user input can never escape the
 * store root or name something the layout does not expect.
 */
import { StrataError } from './errors.js';

/** Longest store path accepted, in characters; far beyond any path strata builds itself. */
export const storePathLengthMax = 4096;

/**
 * Throws input STORE_PATH_INVALID unless `path` is a relative, '/'-separated store path: no
 * leading '/', no empty, '.' or '..' segments, no NUL. With `allowRoot`, '' names the store root.
 */
export function validateStorePath(path: string, allowRoot = false): void {
  if (path === '' && allowRoot) return;
  const problem = storePathProblem(path);
  if (problem === null) return;
  throw new StrataError('input', 'STORE_PATH_INVALID',
    `invalid store path '${path}': ${problem}; use a relative path of '/'-separated names such as 'tables/t1/data/p.arrow'`,
    { path });
}

function storePathProblem(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'the path is empty';
  if (path.length > storePathLengthMax) return `the path is longer than ${storePathLengthMax} characters`;
  if (path.includes('\0')) return 'the path contains a NUL character';
  if (path.startsWith('/')) return 'absolute paths are not allowed';
  for (const segment of path.split('/')) {
    if (segment === '') return 'the path has an empty segment (a doubled or trailing \'/\')';
    if (segment === '.' || segment === '..') return `the path has a '${segment}' segment`;
  }
  return null;
}

/** The rule every table name follows (SQL identifiers are case-insensitive: stored lower-case). */
export const tableNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Returns the lower-case table name, or throws input TABLE_NAME_INVALID. */
export function validateTableName(name: string): string {
  if (typeof name === 'string' && tableNamePattern.test(name)) return name.toLowerCase();
  throw new StrataError('input', 'TABLE_NAME_INVALID',
    `invalid table name '${String(name)}': a table name starts with a letter or '_', continues with letters, digits or '_', and has at most 128 characters`,
    { table: String(name) });
}

/** Directory holding every table of a store. */
export const tablesDirectory = 'tables';

/** Directory dropped tables are moved to before they are deleted. */
export const trashDirectory = 'trash';

/** Store path of a table's directory (name already validated). */
export function tableDirectory(name: string): string {
  return `${tablesDirectory}/${name}`;
}

/** Store path of a table's commit log directory. */
export function tableLogDirectory(name: string): string {
  return `${tableDirectory(name)}/_log`;
}

/** Directory, relative to the table directory, that holds partition files. */
export const tableDataDirectory = 'data';
