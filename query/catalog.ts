/**
 * The query engine's view of data: a catalog of tables, each a consistent snapshot of
 * partitions with statistics. service-manager wires it to storage; query tests can wire it to
 * in-memory batches. Nothing here touches files or sockets.
 */
import type { Batch, BatchFilter, ColumnStats, DataType, Schema } from '../storage/index.js';

/** One partition a scan may read, with the statistics pruning uses. */
export interface ScanPartition {
  readonly id: string;
  readonly rows: number;
  readonly bytes: number;
  /**
   * The partition file's path relative to its table's directory (PartitionMeta.path), when it is a
   * stored file: the cluster asks the store which hosts hold it, to run it where its data is.
   */
  readonly path?: string;
  /** Statistics per table column, in table schema order. */
  readonly columns: readonly ColumnStats[];
}

/** A table at one snapshot. */
export interface TableSource {
  readonly name: string;
  readonly schema: Schema;
  readonly version: number;
  readonly partitions: readonly ScanPartition[];
  /** False for a source without history (system tables): AS OF on it is TIME_TRAVEL_NOT_TABLE. Absent means it has versions. */
  readonly timeTravel?: boolean;
  /**
   * Reads the given table columns (positions in the table schema) of one partition, decoding
   * only those columns. Batches hold exactly those columns in that order. `batchFilter`, when
   * given, may skip stored record batches it returns false for (from their zone maps); sources
   * without zone maps ignore it, so callers still filter the rows they get.
   */
  scan(partitionId: string, columns: readonly number[], signal?: AbortSignal, batchFilter?: BatchFilter): AsyncIterable<Batch>;
}

/** Options of CREATE TABLE beyond the columns. */
export interface CreateTableOptions {
  readonly ifNotExists: boolean;
  /** Free-form table options (sort key, dedupe key…), stored with the schema. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** A column definition of CREATE TABLE. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

/** A stored view: the text of its query and the column names given at CREATE VIEW (may be fewer than it returns). */
export interface ViewRecord {
  readonly name: string;
  readonly sql: string;
  readonly columns: readonly string[];
}

/**
 * DELETE's row test for one batch of a partition (the batch holds every table column, in schema
 * order): returns a mask with 1 for each row to delete. Called once per batch, never per row.
 */
export type RowMatcher = (batch: Batch) => Uint8Array;

/** What DELETE asks of the catalog. */
export interface DeleteRowsRequest {
  readonly match: RowMatcher;
  /** False when no row of the partition can match (from its statistics): the partition is left untouched unread. */
  readonly mayMatch?: (partition: ScanPartition) => boolean;
}

/** What DELETE did: rows removed and the commit's version (null when nothing matched). */
export interface DeleteRowsResult {
  readonly rowsDeleted: number;
  readonly version: number | null;
}

/** What the engine needs from the database to run statements. */
export interface QueryCatalog {
  listTables(): Promise<string[]>;
  /** The table at its latest committed version (or at `version`), or null when absent. */
  getTable(name: string, version?: number): Promise<TableSource | null>;
  createTable(name: string, columns: readonly ColumnDefinition[], options: CreateTableOptions): Promise<void>;
  dropTable(name: string, ifExists: boolean): Promise<void>;
  /** Appends rows (batches in the table's schema) in one commit; returns rows added. */
  insert(name: string, batches: readonly Batch[]): Promise<number>;
  /** Stores a view (VIEW_EXISTS when one of that name exists and orReplace is false; TABLE_EXISTS when a table has the name). Optional: without it CREATE VIEW is NOT_SUPPORTED. */
  createView?(view: ViewRecord, orReplace: boolean): Promise<void>;
  /** Removes a view (VIEW_NOT_FOUND unless ifExists). */
  dropView?(name: string, ifExists: boolean): Promise<void>;
  /** The view of that (lower-case) name, or null. */
  getView?(name: string): Promise<ViewRecord | null>;
  /**
   * Time travel: the table's version current at `timeMs` (epoch milliseconds); errors when the
   * table did not exist yet or that version was vacuumed away. Optional: without it AS OF a time is NOT_SUPPORTED.
   */
  versionAt?(name: string, timeMs: number): Promise<number>;
  /** DELETE: removes matching rows copy-on-write in one commit (legal holds refuse it). Optional: without it DELETE is NOT_SUPPORTED. */
  deleteRows?(name: string, request: DeleteRowsRequest): Promise<DeleteRowsResult>;
}
