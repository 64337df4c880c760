/**
 * The query engine's catalog (query/catalog.ts) over tables in a store: each getTable() pins the
 * table's latest committed snapshot, so a statement reads one consistent version.
 */
import {
  StoreCatalog, StrataError, Table,
  type Batch, type BatchFilter, type Field, type PartitionMeta, type Snapshot,
} from '../storage/index.js';
import type { ColumnDefinition, CreateTableOptions, QueryCatalog, TableSource } from '../query/index.js';

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

  async insert(name: string, batches: readonly Batch[]): Promise<number> {
    const table = await this.catalog.openTable(name);
    const snapshot = await table.snapshot();
    let rows = 0;
    for (const batch of batches) rows += batch.length;
    if (rows === 0) return 0;
    // INSERT writes the fresh tier like a load: plain Arrow, re-encoded by compaction.
    const partition = await table.writePartition([...batches], { encodings: 'plain' });
    await table.commit(snapshot.version, { add: [partition], remove: [], info: { operation: 'insert', rows } });
    return rows;
  }
}
