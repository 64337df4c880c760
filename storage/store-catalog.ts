/**
 * The tables of a store: list, create, open and drop. A table exists when its create commit
 * (tables/<name>/_log/0…0.json) exists; dropping moves the whole directory to trash/ in one
 * rename, so readers see the table either complete or gone, and then deletes it.
 */
import { recordAuditAfterCommit, type AuditContext } from './audit-log.js';
import { mapBounded } from './bounded-map.js';
import { StrataError } from './errors.js';
import { tableLogDirectory, tableNamePattern, tablesDirectory, trashDirectory, tableDirectory, validateTableName } from './paths.js';
import type { Store } from './store.js';
import { Table, type TableConfig } from './table.js';
import { logEntryPath } from './table-log.js';
import type { Schema } from './types.js';

/** Existence checks run at once while listing tables. */
export const tableListConcurrencyMax = 16;

/** The catalog of tables in one store. */
export class StoreCatalog {
  /** The store the tables live in. */
  readonly store: Store;
  readonly #config: TableConfig;
  readonly #audit: AuditContext;

  /** `audit` names the node and caller of creates and drops unless a call names its own. */
  constructor(store: Store, config: TableConfig = {}, audit: AuditContext = {}) {
    this.store = store;
    this.#audit = config.audit ?? audit;
    // Tables opened here name the same node and caller in the audit events of their commits.
    this.#config = { ...config, audit: this.#audit };
  }

  /** Names of the existing tables, sorted. */
  async listTables(): Promise<string[]> {
    const candidates = (await this.store.list(tablesDirectory))
      .filter((entry) => entry.isDirectory)
      .map((entry) => entry.path.slice(entry.path.lastIndexOf('/') + 1))
      .filter((name) => tableNamePattern.test(name) && name === name.toLowerCase());
    // A directory without its create commit is a create that crashed half-way: not a table.
    const exists = await mapBounded(candidates, tableListConcurrencyMax,
      async (name) => (await this.store.stat(logEntryPath(tableLogDirectory(name), 0))) !== null);
    return candidates.filter((_, i) => exists[i]);
  }

  /** Creates a table and records it in the audit log; conflict TABLE_EXISTS when it exists. */
  async createTable(name: string, schema: Schema, options: Record<string, unknown> = {}, audit?: AuditContext): Promise<Table> {
    const table = await Table.create(this.store, name, schema, options, this.#config);
    // The table exists now: a failed audit write is reported, not thrown (see recordAuditAfterCommit).
    await recordAuditAfterCommit(this.store, {
      action: 'create_table', table: table.name, details: { columns: schema.fields.length, options: Object.keys(options).sort() },
    }, audit ?? this.#audit, this.#config.onAuditError);
    return table;
  }

  /** Opens a table; not_found TABLE_NOT_FOUND when absent. */
  openTable(name: string): Promise<Table> {
    return Table.open(this.store, name, this.#config);
  }

  /** Drops a table (atomic move to trash/<name>.<ms>, then delete) and records it in the audit log; not_found TABLE_NOT_FOUND when absent. */
  async dropTable(name: string, audit?: AuditContext): Promise<void> {
    const lower = validateTableName(name);
    if ((await this.store.stat(logEntryPath(tableLogDirectory(lower), 0))) === null) {
      throw new StrataError('not_found', 'TABLE_NOT_FOUND', `table ${lower} does not exist; run SHOW TABLES to list the tables`, { table: lower });
    }
    await this.store.mkdirs(trashDirectory);
    const trash = `${trashDirectory}/${lower}.${Date.now()}`;
    await this.store.rename(tableDirectory(lower), trash);
    // Also sweeps what earlier drops left when they crashed between the rename and the delete;
    // deleting what a concurrent drop is deleting too is harmless (delete ignores the absent).
    for (const entry of await this.store.list(trashDirectory)) await this.store.delete(entry.path);
    await recordAuditAfterCommit(this.store, { action: 'drop_table', table: lower, details: {} }, audit ?? this.#audit, this.#config.onAuditError);
  }
}
