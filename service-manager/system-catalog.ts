/**
 * System tables: read-only virtual tables SQL reads like any other (system.audit_log,
 * system.tables, system.columns, system.history), served by a QueryCatalog that wraps the
 * store's catalog and forwards everything else to it. Each system table is built whole when a
 * statement opens it (one partition, one batch, from the commit logs and the audit log; no
 * partition file is read), so a statement sees one consistent picture. Schemas are stable and
 * documented in docs/system-tables.md. The wrapper also records view creates and drops in the
 * audit log, which the inner catalog does not.
 */
import {
  holdsOf, readAuditLog, recordAudit, retentionOf, StrataError, tableStorageStats, Types,
  numericVector, stringVectorFromValues,
  type AuditContext, type Batch, type BatchFilter, type ColumnStats, type CommitEntry, type DataType, type Schema, type StoreCatalog, type Vector,
} from '../storage/index.js';
import { recordKeyProperty } from '../ingest/index.js';
import type {
  ColumnDefinition, CreateTableOptions, DeleteRowsRequest, DeleteRowsResult, QueryCatalog, ScanPartition, TableSource, ViewRecord,
} from '../query/index.js';

/** Schema name of the system tables: `system.<name>` is how the binder asks for them. */
export const systemSchemaName = 'system';

/**
 * Prefix also accepted for a system table (`system_tables`), for clients whose SQL cannot qualify
 * a name; a user table of that name wins over the system table.
 */
export const systemTableAliasPrefix = 'system_';

/** The one partition of a system table. */
const systemPartitionId = 'system';

/** A column of a system table: name, type, and whether it may be NULL. */
type ColumnSpec = readonly [name: string, type: DataType, nullable: boolean];

/** Values of one column, in rows order (numbers in the in-memory units of storage/vector.ts). */
type ColumnValues = (number | string | null)[];

/** The system tables and their columns; changing a column here changes a documented interface. */
export const systemTableSchemas: Readonly<Record<string, Schema>> = {
  audit_log: schemaOf([
    ['time', Types.timestamp, false], ['action', Types.string, false], ['table_name', Types.string, true],
    ['node', Types.string, false], ['caller', Types.string, false], ['details', Types.string, false],
  ]),
  tables: schemaOf([
    ['table_name', Types.string, false], ['version', Types.int64, false], ['partitions', Types.int64, false], ['rows', Types.int64, false],
    ['stored_bytes', Types.int64, false], ['raw_bytes', Types.int64, false], ['fresh_partitions', Types.int64, false],
    ['archive_partitions', Types.int64, false], ['record_key', Types.string, true], ['retention', Types.string, true],
    ['holds', Types.int64, false], ['hold_names', Types.string, true], ['created', Types.timestamp, false], ['committed', Types.timestamp, false],
  ]),
  columns: schemaOf([
    ['table_name', Types.string, false], ['column_name', Types.string, false], ['ordinal', Types.int32, false], ['type', Types.string, false],
    ['encodings', Types.string, true], ['raw_bytes', Types.int64, false], ['stored_bytes', Types.int64, false], ['ratio', Types.float64, true],
    ['null_count', Types.int64, false],
  ]),
  history: schemaOf([
    ['table_name', Types.string, false], ['version', Types.int64, false], ['time', Types.timestamp, false], ['operation', Types.string, false],
    ['rows_added', Types.int64, false], ['rows_removed', Types.int64, false], ['partitions_added', Types.int64, false],
    ['partitions_removed', Types.int64, false],
  ]),
};

function schemaOf(columns: readonly ColumnSpec[]): Schema {
  return { fields: columns.map(([name, type, nullable]) => ({ name, type, nullable })) };
}

/** The system table a catalog name asks for ('system.tables' → 'tables'), or null. */
export function systemTableName(name: string): { readonly table: string; readonly alias: boolean } | null {
  const lower = name.toLowerCase();
  for (const [prefix, alias] of [[`${systemSchemaName}.`, false], [systemTableAliasPrefix, true]] as const) {
    if (!lower.startsWith(prefix)) continue;
    const table = lower.slice(prefix.length);
    if (Object.hasOwn(systemTableSchemas, table)) return { table, alias };
  }
  return null;
}

/** A built system table: one partition holding one batch. */
class SystemTableSource implements TableSource {
  readonly name: string;
  readonly schema: Schema;
  /** Always 0: a system table has no versions, and a worker node that rebuilds it must not see a mismatch. */
  readonly version = 0;
  /** No history to travel: the query resolver refuses AS OF on it. */
  readonly timeTravel = false;
  readonly partitions: readonly ScanPartition[];
  private readonly batch: Batch;

  constructor(name: string, schema: Schema, batch: Batch) {
    this.name = name;
    this.schema = schema;
    this.batch = batch;
    // Real NULL counts: pruning drops a partition for IS NULL when it says none, or for any test when all are.
    const columns = batch.columns.map((vector): ColumnStats => ({ min: null, max: null, nullCount: nullsIn(vector), bytes: 0 }));
    this.partitions = [{ id: systemPartitionId, rows: batch.length, bytes: 0, columns }];
  }

  async *scan(partitionId: string, columns: readonly number[], signal?: AbortSignal, _batchFilter?: BatchFilter): AsyncIterable<Batch> {
    if (partitionId !== systemPartitionId) {
      throw new StrataError('not_found', 'PARTITION_NOT_FOUND', `system table ${this.name} has one partition, '${systemPartitionId}', not ${partitionId}`,
        { partition: partitionId });
    }
    if (signal?.aborted) return;
    yield { length: this.batch.length, columns: columns.map((index) => this.batch.columns[index]) };
  }
}

function nullsIn(vector: Vector): number {
  if (vector.nulls === null) return 0;
  let count = 0;
  for (let i = 0; i < vector.length; i++) count += vector.nulls[i];
  return count;
}

/** A batch of `schema` from its columns' values (strings as text, everything else as numbers). */
function batchOf(schema: Schema, values: readonly ColumnValues[]): Batch {
  const length = values[0]?.length ?? 0;
  const columns = schema.fields.map((field, index): Vector => {
    const column = values[index];
    if (field.type.id === 'string') return stringVectorFromValues(field.type, column as (string | null)[]);
    const numbers = field.type.id === 'int32' ? new Int32Array(length) : new Float64Array(length);
    let nulls: Uint8Array | null = null;
    for (let row = 0; row < length; row++) {
      const value = column[row];
      if (value === null) {
        nulls ??= new Uint8Array(length);
        nulls[row] = 1;
      } else {
        numbers[row] = value as number;
      }
    }
    return numericVector(field.type, numbers, nulls);
  });
  return { length, columns };
}

/** Empty value lists, one per column of `schema`. */
function columnsFor(schema: Schema): ColumnValues[] {
  return schema.fields.map(() => []);
}

/** Rows of system.audit_log from the store's audit log, oldest first. */
async function auditLogBatch(catalog: StoreCatalog): Promise<Batch> {
  const columns = columnsFor(systemTableSchemas.audit_log);
  const [time, action, table, node, caller, details] = columns;
  for (const event of await readAuditLog(catalog.store)) {
    time.push(event.timeMs * 1000);
    action.push(event.action);
    table.push(event.table ?? null);
    node.push(event.node);
    caller.push(event.caller);
    details.push(JSON.stringify(event.details));
  }
  return batchOf(systemTableSchemas.audit_log, columns);
}

/** Rows of system.tables and system.columns, from each table's latest snapshot and properties. */
async function storageBatches(catalog: StoreCatalog): Promise<{ tables: Batch; columns: Batch }> {
  const tables = columnsFor(systemTableSchemas.tables);
  const columns = columnsFor(systemTableSchemas.columns);
  for (const name of await catalog.listTables()) {
    const table = await catalog.openTable(name);
    const snapshot = await table.snapshot();
    const properties = await table.properties();
    const stats = tableStorageStats(snapshot);
    const key = properties[recordKeyProperty];
    const retention = retentionOf(properties);
    const holds = holdsOf(properties);
    const created = (await table.history(0, 0))[0].committedAtMs;
    pushRow(tables, [
      name, stats.version, stats.partitions, stats.rows, stats.bytes, stats.rawBytes, stats.freshPartitions, stats.archivePartitions,
      Array.isArray(key) && key.length > 0 ? key.map(String).join(', ') : null,
      retention === null ? null : JSON.stringify(retention),
      holds.length, holds.length === 0 ? null : holds.map((hold) => hold.name).join(', '), created * 1000, snapshot.committedAtMs * 1000,
    ]);
    stats.columns.forEach((column, ordinal) => pushRow(columns, [
      name, column.name, ordinal + 1, column.type,
      column.encodings.length === 0 ? null : column.encodings.map((entry) => `${entry.encoding} x${entry.partitions}`).join(', '),
      column.rawBytes, column.storedBytes, column.storedBytes === 0 ? null : column.ratio, column.nullCount,
    ]));
  }
  return { tables: batchOf(systemTableSchemas.tables, tables), columns: batchOf(systemTableSchemas.columns, columns) };
}

function pushRow(columns: ColumnValues[], row: readonly (number | string | null)[]): void {
  for (let i = 0; i < columns.length; i++) columns[i].push(row[i]);
}

/** Rows of system.history: every commit of every table, oldest first per table. */
async function historyBatch(catalog: StoreCatalog): Promise<Batch> {
  const columns = columnsFor(systemTableSchemas.history);
  for (const name of await catalog.listTables()) {
    const entries: CommitEntry[] = await (await catalog.openTable(name)).history();
    const rowsById = new Map<string, number>();
    for (const entry of entries) {
      let added = 0;
      let removed = 0;
      for (const meta of entry.add) {
        added += meta.rows;
        rowsById.set(meta.id, meta.rows);
      }
      for (const id of entry.remove) removed += rowsById.get(id) ?? 0;
      const operation = typeof entry.info.operation === 'string' ? entry.info.operation : 'unknown';
      pushRow(columns, [name, entry.version, entry.committedAtMs * 1000, operation, added, removed, entry.add.length, entry.remove.length]);
    }
  }
  return batchOf(systemTableSchemas.history, columns);
}

/** Builds system table `table` (a key of systemTableSchemas) now. */
async function buildSystemTable(catalog: StoreCatalog, table: string): Promise<Batch> {
  switch (table) {
    case 'audit_log': return auditLogBatch(catalog);
    case 'history': return historyBatch(catalog);
    case 'tables': return (await storageBatches(catalog)).tables;
    default: return (await storageBatches(catalog)).columns;
  }
}

/** plan SYSTEM_TABLE_READ_ONLY: what a write to a system table gets. */
function readOnly(name: string, statement: string): StrataError {
  return new StrataError('plan', 'SYSTEM_TABLE_READ_ONLY',
    `${statement} on system table ${name} is not allowed: system tables are read-only views of the store's metadata; ` +
    'change the tables they describe instead (see docs/system-tables.md)', { table: name });
}

/** The QueryCatalog the engine uses: the store's tables and views plus the read-only system tables. */
export class SystemCatalog implements QueryCatalog {
  private readonly inner: QueryCatalog;
  private readonly catalog: StoreCatalog;
  private readonly audit: AuditContext;
  /** Forwarded when the inner catalog implements it (time travel by time). */
  readonly versionAt?: (name: string, timeMs: number) => Promise<number>;
  /** Forwarded when the inner catalog implements it (DELETE); refused on system tables. */
  readonly deleteRows?: (name: string, request: DeleteRowsRequest) => Promise<DeleteRowsResult>;
  /** Forwarded when the inner catalog implements it (views). */
  readonly getView?: (name: string) => Promise<ViewRecord | null>;
  /** Forwarded and audited when the inner catalog implements it. */
  readonly createView?: (view: ViewRecord, orReplace: boolean) => Promise<void>;
  /** Forwarded and audited when the inner catalog implements it. */
  readonly dropView?: (name: string, ifExists: boolean) => Promise<void>;

  /** `inner` serves the stored tables of `catalog`; `audit` names who acts in view create/drop events. */
  constructor(inner: QueryCatalog, catalog: StoreCatalog, audit: AuditContext = {}) {
    this.inner = inner;
    this.catalog = catalog;
    this.audit = audit;
    // Optional methods exist exactly when the inner catalog has them, so the engine's
    // "not supported" answers stay what they would be without the wrapper.
    if (inner.versionAt !== undefined) this.versionAt = (name, timeMs) => this.versionAtOf(name, timeMs);
    if (inner.deleteRows !== undefined) this.deleteRows = (name, request) => this.deleteRowsOf(name, request);
    if (inner.getView !== undefined) this.getView = (name) => inner.getView!(name);
    if (inner.createView !== undefined) this.createView = (view, orReplace) => this.createViewOf(view, orReplace);
    if (inner.dropView !== undefined) this.dropView = (name, ifExists) => this.dropViewOf(name, ifExists);
  }

  listTables(): Promise<string[]> {
    return this.inner.listTables();
  }

  async getTable(name: string, version?: number): Promise<TableSource | null> {
    const system = await this.systemTable(name);
    if (system === null) return this.inner.getTable(name, version);
    // The version is ignored: a system table is built fresh, and the coordinator pinned it at 0.
    return new SystemTableSource(name.toLowerCase(), systemTableSchemas[system], await buildSystemTable(this.catalog, system));
  }

  async createTable(name: string, columns: readonly ColumnDefinition[], options: CreateTableOptions): Promise<void> {
    if (systemTableName(name)?.alias === false) throw readOnly(name, 'CREATE TABLE');
    return this.inner.createTable(name, columns, options);
  }

  async dropTable(name: string, ifExists: boolean): Promise<void> {
    if ((await this.systemTable(name)) !== null) throw readOnly(name, 'DROP TABLE');
    return this.inner.dropTable(name, ifExists);
  }

  async insert(name: string, batches: readonly Batch[]): Promise<number> {
    if ((await this.systemTable(name)) !== null) throw readOnly(name, 'INSERT');
    return this.inner.insert(name, batches);
  }

  /** The system table `name` asks for, or null (also when a user table takes the alias name). */
  private async systemTable(name: string): Promise<string | null> {
    const system = systemTableName(name);
    if (system === null) return null;
    if (system.alias && (await this.inner.listTables()).includes(name.toLowerCase())) return null;
    return system.table;
  }

  private async versionAtOf(name: string, timeMs: number): Promise<number> {
    if ((await this.systemTable(name)) !== null) {
      throw new StrataError('plan', 'TIME_TRAVEL_NOT_TABLE', `AS OF applies to stored tables only, but ${name} is a system table with no history; remove AS OF`, { table: name });
    }
    return this.inner.versionAt!(name, timeMs);
  }

  private async deleteRowsOf(name: string, request: DeleteRowsRequest): Promise<DeleteRowsResult> {
    if ((await this.systemTable(name)) !== null) throw readOnly(name, 'DELETE');
    return this.inner.deleteRows!(name, request);
  }

  private async createViewOf(view: ViewRecord, orReplace: boolean): Promise<void> {
    const replaced = orReplace && (await this.inner.getView?.(view.name)) != null;
    await this.inner.createView!(view, orReplace);
    await recordAudit(this.catalog.store, { action: 'create_view', table: view.name.toLowerCase(), details: { replaced, sql: view.sql } }, this.audit);
  }

  private async dropViewOf(name: string, ifExists: boolean): Promise<void> {
    const existed = this.inner.getView === undefined || (await this.inner.getView(name)) !== null;
    await this.inner.dropView!(name, ifExists);
    if (existed) await recordAudit(this.catalog.store, { action: 'drop_view', table: name.toLowerCase(), details: {} }, this.audit);
  }
}
