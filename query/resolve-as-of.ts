/**
 * Resolves a statement's time-travel references (`t AS OF VERSION n`, `t AS OF TIMESTAMP '…'`)
 * to table snapshots, once, before binding: each goes into the statement's tables under its
 * versioned key (sql/table-keys.ts), so one statement can read a table at several versions.
 */
import { StrataError } from '../storage/index.js';
import type { QueryCatalog, TableSource } from './catalog.js';
import type { SqlStatement } from './sql/ast.js';
import type { ViewDefinition } from './sql/bind-from.js';
import { asOfReferencesOf, type AsOfReference } from './sql/binder.js';
import type { SourceText } from './sql/source-text.js';
import { asOfTableKey, versionedTableKey } from './sql/table-keys.js';

/** Adds the snapshot of every AS OF reference in the statement and in the views it reads to `tables`. */
export async function resolveAsOfReferences(catalog: QueryCatalog, statement: SqlStatement, source: SourceText,
  views: ReadonlyMap<string, ViewDefinition>, tables: Map<string, TableSource>): Promise<void> {
  const statements = [{ statement, source }, ...[...views.values()].map((view) => ({ statement: { kind: 'query', query: view.query, pos: 0 } as const, source: view.source }))];
  for (const entry of statements) {
    for (const reference of asOfReferencesOf(entry.statement)) {
      if (tables.has(asOfTableKey(reference.name, reference.asOf))) continue;
      try {
        await resolveOne(catalog, reference, entry.source, tables);
      } catch (error) {
        // Storage errors know the table and version, not where the SQL asked for them.
        if (error instanceof StrataError && error.details.position === undefined) {
          throw entry.source.error(error.kind, error.code, error.message, reference.asOf.pos, error.details);
        }
        throw error;
      }
    }
  }
}

async function resolveOne(catalog: QueryCatalog, reference: AsOfReference, source: SourceText, tables: Map<string, TableSource>): Promise<void> {
  const { name, asOf } = reference;
  const latest = await catalog.getTable(name);
  if (latest === null) {
    if (((await catalog.getView?.(name)) ?? null) !== null) {
      throw source.error('plan', 'TIME_TRAVEL_NOT_TABLE', `AS OF applies to stored tables only, but ${name} is a view; write AS OF on the tables inside its query instead`, asOf.pos);
    }
    return; // The binder reports TABLE_NOT_FOUND (or AS OF on a WITH query) at the reference.
  }
  if (latest.timeTravel === false) {
    throw source.error('plan', 'TIME_TRAVEL_NOT_TABLE',
      `AS OF applies to stored tables only, but ${name} is a system table with no history (it always shows the store as it is now); remove AS OF`, asOf.pos);
  }
  let version: number;
  if (asOf.kind === 'version') version = asOf.version;
  else {
    if (catalog.versionAt === undefined) throw source.error('not_supported', 'NOT_SUPPORTED', 'this database cannot look up versions by time; use AS OF VERSION n', asOf.pos);
    version = await catalog.versionAt(name, asOf.timeMs);
  }
  const table = version === latest.version ? latest : await catalog.getTable(name, version);
  if (table === null) throw source.error('not_found', 'TABLE_NOT_FOUND', `table ${name} does not exist`, asOf.pos);
  if (table.version !== version) {
    throw source.error('not_supported', 'NOT_SUPPORTED', `this database cannot read table ${name} at version ${version} (it gave version ${table.version})`, asOf.pos);
  }
  tables.set(asOfTableKey(name, asOf), table);
  tables.set(versionedTableKey(name, table.version), table);
}
