/**
 * The embedded, programmatic API: open a store, run SQL, ingest files, close. The CLI is a thin
 * layer over it; the service manager (cluster issue) serves the same operations over the network.
 */
import { openStore, StoreCatalog, type AuditContext, type Store } from '../storage/index.js';
import { ingestFiles, type IngestOptions, type IngestSummary } from '../ingest/index.js';
import { QueryEngine, type ExecuteOptions, type FragmentExecutor, type FragmentOutput, type FragmentRequest, type QueryResult, type QueryStream } from '../query/index.js';
import { StorageQueryCatalog } from './storage-catalog.js';
import { SystemCatalog } from './system-catalog.js';
import { rowsOf, type CellValue } from './result-format.js';
import { SpillDirectory, type SpillOptions } from './spill-area.js';

/** Options of Database.open. */
export interface DatabaseOptions {
  /** Memory one query's operators may hold (hash tables, sort buffers); default 1 GiB. */
  readonly queryMemoryBytesMax?: number;
  /** Optimizer rules to switch off by name (see EXPLAIN). */
  readonly disabledRules?: readonly string[];
  /** Fans queries out over a cluster (set by the service manager). */
  readonly fragmentExecutor?: FragmentExecutor;
  /** Who acts (node, caller) in the audit events of creates and drops; default this host and the OS user. */
  readonly audit?: AuditContext;
  /**
   * Where sorts and aggregations past queryMemoryBytesMax spill (directory, node byte limit);
   * default <os.tmpdir()>/strata-spill-<uid> (0700, checked). false: no spilling, they fail with RESOURCES_MEMORY_EXCEEDED.
   */
  readonly spill?: SpillOptions | false;
}

/** Rows of a query as plain JS values. */
export interface RowSet {
  readonly columns: string[];
  readonly rows: CellValue[][];
}

/** A strata database on one store. */
export class Database {
  /** The store all tables live in. */
  readonly store: Store;
  private readonly catalog: StoreCatalog;
  private readonly engine: QueryEngine;
  /** The node's spill directory (null with spilling off). */
  readonly spill: SpillDirectory | null;

  private constructor(store: Store, options: DatabaseOptions, spill: SpillDirectory | null) {
    this.store = store;
    this.spill = spill;
    this.catalog = new StoreCatalog(store, {}, options.audit);
    // The system tables (system.audit_log, system.tables, …) wrap the store's tables; workers of a
    // cluster build the same wrapper, so a fragment over a system table resolves there too.
    this.engine = new QueryEngine(new SystemCatalog(new StorageQueryCatalog(this.catalog), this.catalog, options.audit), {
      memoryBytesMax: options.queryMemoryBytesMax,
      disabledRules: options.disabledRules === undefined ? undefined : [...options.disabledRules],
      fragmentExecutor: options.fragmentExecutor,
      spillAreas: spill === null ? undefined : () => spill.createArea(),
    });
  }

  /** Opens (creating if needed) the store at a directory path, file:// or hdfs:// URL. */
  static async open(location: string, options: DatabaseOptions = {}): Promise<Database> {
    const spill = options.spill === false ? null : await SpillDirectory.open(options.spill);
    return new Database(await openStore(location), options, spill);
  }

  /** Runs one SQL statement; the result holds typed column batches. */
  sql(text: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    return this.engine.execute(text, options);
  }

  /**
   * Runs one SQL statement as a stream: a SELECT's batches are produced as they are pulled, so a
   * consumer that writes them out holds one batch at a time (the WebSocket session does).
   */
  sqlStream(text: string, options: ExecuteOptions = {}): Promise<QueryStream> {
    return this.engine.stream(text, options);
  }

  /** Runs one SQL statement and returns its rows as JS values. */
  async query(text: string, options: { signal?: AbortSignal } = {}): Promise<RowSet> {
    const result = await this.engine.execute(text, options);
    return { columns: result.schema.fields.map((field) => field.name), rows: rowsOf(result.batches) };
  }

  /** Runs a fragment for a coordinator (a worker's part of a distributed query). */
  runFragment(request: FragmentRequest, signal?: AbortSignal): AsyncIterable<FragmentOutput> {
    return this.engine.executeFragment(request, signal);
  }

  /** Loads files into an existing table in one commit. */
  async ingest(table: string, files: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
    const handle = await this.catalog.openTable(table);
    return ingestFiles(handle, [...files], options);
  }

  /** Names of the tables. */
  tables(): Promise<string[]> {
    return this.catalog.listTables();
  }

  /** Releases the store. */
  async close(): Promise<void> {
    await this.store.close();
  }
}
