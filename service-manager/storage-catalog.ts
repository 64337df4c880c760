/**
 * The query engine's catalog (query/catalog.ts) over tables in a store: each getTable() pins the
 * table's latest committed snapshot, so a statement reads one consistent version.
 */
import {
  StoreCatalog, StrataError, Table, purgeMatching,
  type Batch, type BatchFilter, type Field, type PartitionMeta, type Snapshot,
} from '../storage/index.js';
import type { ColumnDefinition, CreateTableOptions, DeleteRowsRequest, DeleteRowsResult, QueryCatalog, TableSource, ViewRecord } from '../query/index.js';
import { deduplicatorFor } from '../ingest/index.js';

/** Store directory of views: one small JSON file per view ({ name, sql, columns }). */
const viewsDirectory = 'views';
/** View names follow the table-name rule, so a name is always a safe file name. */
const viewNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

function viewPath(name: string): string {
  return `${viewsDirectory}/${name}.json`;
}

/** A TableSource reading the partitions of one snapshot. */
class SnapshotTableSource implements TableSource {
  readonly name: string;
  readonly schema: Snapshot['schema'];
  readonly version: number;
  readonly partitions: readonly PartitionMeta[];
  private readonly table: Table;
  private readonly partitionsById: Map<string, PartitionMeta>;

  constructor(table: Table, snapshot: Snapshot) {
    this.table = table;
    this.name = snapshot.table;
    this.schema = snapshot.schema;
    this.version = snapshot.version;
    this.partitions = snapshot.partitions;
    this.partitionsById = new Map(snapshot.partitions.map((partition) => [partition.id, partition]));
  }

  scan(partitionId: string, columns: readonly number[], signal?: AbortSignal, batchFilter?: BatchFilter): AsyncIterable<Batch> {
    const meta = this.partitionsById.get(partitionId);
    if (meta === undefined) {
      throw new StrataError('not_found', 'PARTITION_NOT_FOUND',
        `partition ${partitionId} is not part of table ${this.name} at version ${this.version}`, { partition: partitionId });
    }
    return this.table.readPartition(meta, columns, signal, batchFilter);
  }
}

/** QueryCatalog backed by a StoreCatalog. */
export class StorageQueryCatalog implements QueryCatalog {
  private readonly catalog: StoreCatalog;

  constructor(catalog: StoreCatalog) {
    this.catalog = catalog;
  }

  listTables(): Promise<string[]> {
    return this.catalog.listTables();
  }

  async getTable(name: string, version?: number): Promise<TableSource | null> {
    const lower = name.toLowerCase();
    const tables = await this.catalog.listTables();
    if (!tables.includes(lower)) return null;
    const table = await this.catalog.openTable(lower);
    return new SnapshotTableSource(table, await table.snapshot(version));
  }

  async createTable(name: string, columns: readonly ColumnDefinition[], options: CreateTableOptions): Promise<void> {
    if (viewNamePattern.test(name) && (await this.getView(name)) !== null) {
      throw new StrataError('conflict', 'TABLE_EXISTS', `a view named ${name} exists; DROP VIEW ${name} first or choose another name`);
    }
    const tables = await this.catalog.listTables();
    if (tables.includes(name.toLowerCase())) {
      if (options.ifNotExists) return;
      throw new StrataError('conflict', 'TABLE_EXISTS',
        `table ${name} already exists; use CREATE TABLE IF NOT EXISTS, or DROP TABLE ${name} first`);
    }
    const fields: Field[] = columns.map((column) => ({ name: column.name, type: column.type, nullable: column.nullable }));
    await this.catalog.createTable(name, { fields }, { ...options.options });
  }

  async dropTable(name: string, ifExists: boolean): Promise<void> {
    const tables = await this.catalog.listTables();
    if (!tables.includes(name.toLowerCase())) {
      if (ifExists) return;
      throw new StrataError('not_found', 'TABLE_NOT_FOUND', `table ${name} does not exist; SHOW TABLES lists the tables`);
    }
    await this.catalog.dropTable(name);
  }

  /**
   * Appends rows in one commit. With a record key (table property recordKey) rows whose key the
   * table holds, or an earlier row of this INSERT had, are dropped, and the new partition's key
   * filter is written before the commit so later loads see its keys. Returns the rows added.
   */
  async insert(name: string, batches: readonly Batch[]): Promise<number> {
    const table = await this.catalog.openTable(name);
    const snapshot = await table.snapshot();
    const deduplicator = await deduplicatorFor(table, snapshot);
    const kept = deduplicator === null ? { batches: [...batches], keys: [] } : await deduplicator.filter(batches);
    let rows = 0;
    for (const batch of kept.batches) rows += batch.length;
    if (rows === 0) return 0;
    // INSERT writes the fresh tier like a load: plain Arrow, re-encoded by compaction.
    const partition = await table.writePartition(kept.batches, { encodings: 'plain' });
    if (deduplicator !== null) await deduplicator.writeFilter(partition.id, kept.keys);
    const dropped = deduplicator?.dropped ?? 0;
    await table.commit(snapshot.version, { add: [partition], remove: [], info: { operation: 'insert', rows, ...(dropped > 0 ? { duplicatesDropped: dropped } : {}) } });
    return rows;
  }

  /** Time travel by time: the table's version current at `timeMs` (storage errors name the table and the times). */
  async versionAt(name: string, timeMs: number): Promise<number> {
    return (await this.openExisting(name)).versionAt(timeMs);
  }

  /** DELETE: removes the matching rows copy-on-write in one commit (a purge: audited, refused by legal holds). */
  async deleteRows(name: string, request: DeleteRowsRequest): Promise<DeleteRowsResult> {
    const table = await this.openExisting(name);
    const result = await purgeMatching(table, { match: request.match, mayMatch: request.mayMatch });
    return { rowsDeleted: result.rowsDeleted, version: result.version };
  }

  private async openExisting(name: string): Promise<Table> {
    const lower = name.toLowerCase();
    if (!(await this.catalog.listTables()).includes(lower)) {
      throw new StrataError('not_found', 'TABLE_NOT_FOUND', `table ${name} does not exist; SHOW TABLES lists the tables`);
    }
    return this.catalog.openTable(lower);
  }

  /** Stores a view as views/<name>.json; OR REPLACE swaps the file through a rename. */
  async createView(view: ViewRecord, orReplace: boolean): Promise<void> {
    const name = view.name.toLowerCase();
    if (!viewNamePattern.test(name)) {
      throw new StrataError('input', 'TABLE_NAME_INVALID', `view name ${view.name} is invalid; use letters, digits and _ (at most 128, not starting with a digit)`);
    }
    if ((await this.catalog.listTables()).includes(name)) {
      throw new StrataError('conflict', 'TABLE_EXISTS', `a table named ${name} exists; a view needs a name of its own`);
    }
    const data = new TextEncoder().encode(JSON.stringify({ name, sql: view.sql, columns: view.columns }));
    const store = this.catalog.store;
    if (!orReplace) {
      if (!(await store.createIfAbsent(viewPath(name), data))) {
        throw new StrataError('conflict', 'VIEW_EXISTS', `view ${name} already exists; use CREATE OR REPLACE VIEW or DROP VIEW ${name}`);
      }
      return;
    }
    const staged = `${viewsDirectory}/.${name}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`;
    await store.write(staged, data);
    await store.delete(viewPath(name));
    await store.rename(staged, viewPath(name));
  }

  /** Removes a view's file. */
  async dropView(name: string, ifExists: boolean): Promise<void> {
    const lower = name.toLowerCase();
    if (!viewNamePattern.test(lower) || (await this.catalog.store.stat(viewPath(lower))) === null) {
      if (ifExists) return;
      throw new StrataError('not_found', 'VIEW_NOT_FOUND', `view ${name} does not exist`);
    }
    await this.catalog.store.delete(viewPath(lower));
  }

  /** The view of that name, or null. */
  async getView(name: string): Promise<ViewRecord | null> {
    const lower = name.toLowerCase();
    if (!viewNamePattern.test(lower) || (await this.catalog.store.stat(viewPath(lower))) === null) return null;
    const record = JSON.parse(new TextDecoder().decode(await this.catalog.store.read(viewPath(lower)))) as ViewRecord;
    return { name: lower, sql: String(record.sql), columns: Array.isArray(record.columns) ? record.columns.map(String) : [] };
  }
}
