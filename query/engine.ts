/**
 * The query engine: one SQL statement in, one result out. Parses, resolves every table the
 * statement names once (one snapshot per statement), binds, optimizes, builds the physical
 * plan and runs it; DDL and INSERT go to the catalog.
 */
import {
  StrataError, Types, stringVectorFromValues, toStrataError, typeToSql,
  type Batch, type Schema,
} from '../storage/index.js';
import type { QueryCatalog, ScanPartition, TableSource } from './catalog.js';
import type { LogicalPlan } from './plan/logical-plan.js';
import { collectScans } from './plan/plan-utils.js';
import { explainPlan, explainPlanAnalyzed, summaryLine } from './plan/explain.js';
import { parseSql } from './sql/parse.js';
import { bindStatement, describeSchema, tableNamesOf, type BoundStatement } from './sql/binder.js';
import type { ViewDefinition } from './sql/bind-from.js';
import { catalogTableName } from './sql/table-keys.js';
import { resolveAsOfReferences } from './resolve-as-of.js';
import { deleteRows } from './delete-rows.js';
import { optimize, validateRuleNames, type OptimizedPlan } from './optimize/optimizer.js';
import { createPhysicalPlan, type ExecutionContext, type ExecutionMetrics, type ScanCounts, type SpillArea } from './physical/index.js';
import { distributePlan, type DistributeOptions } from './distribute/distribute-plan.js';
import type { FragmentExecutor, FragmentOutput, FragmentRequest, FragmentScanCounts } from './distribute/fragment-executor.js';
import { broadcastScans, withProbePartitions } from './distribute/fragment-scans.js';

/** Default memory a query's operators may hold: 1 GiB. */
export const queryMemoryBytesMaxDefault = 1024 * 1024 * 1024;

/** Engine configuration. */
export interface QueryEngineOptions {
  /** Memory a query's hash tables and sort buffers may hold (default 1 GiB). */
  readonly memoryBytesMax?: number;
  /** Optimizer rules to skip, by the names EXPLAIN shows (e.g. 'PrunePartitions'). */
  readonly disabledRules?: readonly string[];
  /**
   * Runs exchange fragments on a cluster's nodes. With one, every query is cut at exchange
   * points (DistributePlan) and its leaf fragments fan out; without, the query runs here.
   */
  readonly fragmentExecutor?: FragmentExecutor;
  /** Overrides DistributePlan's size thresholds (broadcastRowsMax, shuffleRowsMin), for tests. */
  readonly distribute?: Omit<DistributeOptions, 'tables'>;
  /**
   * Gives each query a spill area, so sorts and aggregations past memoryBytesMax spill to disk
   * instead of failing; the engine closes it when the query ends. Without, they fail cleanly.
   */
  readonly spillAreas?: () => QuerySpillArea;
}

/** A query's spill area as the engine gets it: close() deletes whatever the query left in it. */
export interface QuerySpillArea extends SpillArea {
  close(): Promise<void>;
}

/** Per-statement options. */
export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  /** Receives, once a query starts running, a live view of its progress (for progress reports). */
  readonly onProgress?: (progress: QueryProgress) => void;
}

/** A running query's progress: partitions to read and a live count of those read. */
export interface QueryProgress {
  readonly partitionsTotal: number;
  partitionsDone(): number;
}

/** What a statement read and how long it took. */
export interface QueryStats {
  readonly partitionsTotal: number;
  readonly partitionsScanned: number;
  readonly partitionsPruned: number;
  readonly rowsScanned: number;
  readonly bytesScanned: number;
  /** Stored record batches read, and skipped unread because their zone maps rule out every row (batch-level pruning). */
  readonly batchesRead: number;
  readonly batchesSkipped: number;
  readonly elapsedMs: number;
  /** Nodes that ran fragments (empty when the query ran in this process only). */
  readonly nodes: readonly string[];
  /** Bytes sorts and aggregations spilled to disk because they outgrew the memory limit. */
  readonly spilledBytes?: number;
}

/** The result of one statement. */
export interface QueryResult {
  /** 'SELECT', 'EXPLAIN', 'CREATE TABLE', 'DROP TABLE', 'CREATE VIEW', 'DROP VIEW', 'INSERT', 'DELETE', 'SHOW TABLES', 'DESCRIBE'. */
  readonly command: string;
  readonly schema: Schema;
  readonly batches: Batch[];
  /** Rows written by INSERT or removed by DELETE; null for other statements. */
  readonly rowsAffected: number | null;
  readonly stats: QueryStats;
}

/**
 * A statement's result as it is produced. A SELECT's batches flow from the physical plan as the
 * consumer pulls them: the plan runs only as fast as `batches` is consumed, and leaving the loop
 * early (or the signal) stops it. Other statements carry their small, finished result.
 */
export interface QueryStream {
  /** As QueryResult.command. */
  readonly command: string;
  readonly schema: Schema;
  /** Iterate once. Errors met mid-way (a cast, a division by zero, a cancel) are thrown from it as StrataErrors. */
  readonly batches: AsyncIterable<Batch>;
  /** Rows written by INSERT or removed by DELETE; null for other statements. */
  readonly rowsAffected: number | null;
  /** What the statement read so far; complete once `batches` is exhausted. */
  stats(): QueryStats;
}

const emptySchema: Schema = { fields: [] };

interface PlanRun {
  readonly batches: Batch[];
  readonly metrics: ExecutionMetrics;
}

/** Runs SQL statements against a catalog. */
export class QueryEngine {
  private readonly catalog: QueryCatalog;
  private readonly memoryBytesMax: number;
  private readonly disabledRules: readonly string[];
  private readonly fragmentExecutor: FragmentExecutor | undefined;
  private readonly distributeOptions: Omit<DistributeOptions, 'tables'>;
  private readonly spillAreas: (() => QuerySpillArea) | undefined;

  constructor(catalog: QueryCatalog, options: QueryEngineOptions = {}) {
    this.catalog = catalog;
    this.memoryBytesMax = options.memoryBytesMax ?? queryMemoryBytesMaxDefault;
    if (!(this.memoryBytesMax > 0)) {
      throw new StrataError('input', 'INVALID_OPTION', `memoryBytesMax must be a positive number of bytes, got ${String(options.memoryBytesMax)}`);
    }
    this.disabledRules = [...(options.disabledRules ?? [])];
    validateRuleNames(this.disabledRules);
    this.fragmentExecutor = options.fragmentExecutor;
    this.distributeOptions = options.distribute ?? {};
    this.spillAreas = options.spillAreas;
  }

  /**
   * A worker's part of a distributed query: runs a fragment over the given partitions of the
   * table at the coordinator's version, one partition at a time, marking each one's end.
   */
  async *executeFragment(request: FragmentRequest, signal?: AbortSignal): AsyncIterable<FragmentOutput> {
    // Tables read AS OF a version are keyed name@v<version> in plans; the catalog knows the name.
    const source = await this.catalog.getTable(catalogTableName(request.table), request.version);
    if (source === null) throw new StrataError('not_found', 'TABLE_NOT_FOUND', `table ${request.table} does not exist at version ${request.version}`);
    const tables = new Map([[request.table, source]]);
    // Build sides of broadcast joins read their tables whole, at the versions the coordinator pinned.
    for (const scan of broadcastScans(request.fragment)) {
      const name = scan.table.toLowerCase();
      if (tables.has(name) && tables.get(name)?.version === scan.version) continue;
      const other = await this.catalog.getTable(catalogTableName(name), scan.version);
      if (other === null) throw new StrataError('not_found', 'TABLE_NOT_FOUND', `table ${name} does not exist at version ${String(scan.version)}`);
      if (tables.has(name) && tables.get(name)?.version !== other.version) {
        throw new StrataError('internal', 'INTERNAL_ERROR', `fragment reads table ${name} at two versions (${tables.get(name)?.version} and ${other.version})`);
      }
      tables.set(name, other);
    }
    const joinBuilds = new Map<object, Promise<unknown>>();
    const byId = new Map(source.partitions.map((partition) => [partition.id, partition]));
    const metrics: ExecutionMetrics = { partitionsScanned: 0, rowsScanned: 0, bytesScanned: 0, batchesRead: 0, batchesSkipped: 0 };
    // One spill area for the request: its partial sorts and aggregations may outgrow memory too.
    const spill = this.spillAreas?.();
    try {
      yield* this.fragmentPartitions(request, tables, byId, { signal, memoryBytesMax: this.memoryBytesMax, metrics, joinBuilds, spill });
    } finally {
      await spill?.close();
    }
  }

  /** The fragment over each requested partition in turn, with a done marker after each. */
  private async *fragmentPartitions(request: FragmentRequest, tables: ReadonlyMap<string, TableSource>, byId: ReadonlyMap<string, ScanPartition>,
    context: ExecutionContext): AsyncIterable<FragmentOutput> {
    const { signal, metrics } = context;
    for (let index = 0; index < request.partitionIds.length; index++) {
      const partition = byId.get(request.partitionIds[index]);
      if (partition === undefined) {
        throw new StrataError('not_found', 'PARTITION_NOT_FOUND', `partition ${request.partitionIds[index]} is not part of ${request.table} at version ${request.version}`,
          { partition: request.partitionIds[index] });
      }
      const fragment = withProbePartitions(request.fragment, [partition]);
      const before = { ...metrics };
      for await (const batch of createPhysicalPlan(fragment, tables).execute(context)) {
        throwIfCancelled(signal);
        yield { type: 'batch', partition: index, batch };
      }
      yield { type: 'done', partition: index, counts: countsSince(before, metrics) };
    }
  }

  /** The optimized plan, cut at exchange points when the engine runs on a cluster. */
  private placed(plan: LogicalPlan, tables: ReadonlyMap<string, TableSource>): LogicalPlan {
    return this.fragmentExecutor === undefined ? plan : distributePlan(plan, { ...this.distributeOptions, tables });
  }

  /** Runs one statement and collects its whole result (stream() without the streaming). */
  async execute(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    const stream = await this.stream(sql, options);
    const batches: Batch[] = [];
    for await (const batch of stream.batches) batches.push(batch);
    return { command: stream.command, schema: stream.schema, batches, rowsAffected: stream.rowsAffected, stats: stream.stats() };
  }

  /**
   * Runs one statement as a stream: parsing, binding and planning happen here (their errors are
   * thrown at once); a SELECT's plan then runs batch by batch as the caller pulls.
   */
  async stream(sql: string, options: ExecuteOptions = {}): Promise<QueryStream> {
    const startedMs = performance.now();
    const signal = options.signal;
    try {
      throwIfCancelled(signal);
      const { bound, tables, analyze } = await this.prepare(sql);
      throwIfCancelled(signal);
      if (bound.kind === 'query') return this.streamQuery(bound.plan, tables, signal, startedMs, options.onProgress);
      const result = analyze && bound.kind === 'explain'
        ? await this.explainAnalyze(bound.plan, tables, signal, startedMs, options.onProgress)
        : await this.run(bound, tables, signal, startedMs, options.onProgress);
      return { command: result.command, schema: result.schema, batches: arrayBatches(result.batches), rowsAffected: result.rowsAffected, stats: () => result.stats };
    } catch (error) {
      throw asQueryError(error, signal);
    }
  }

  /** A SELECT as a stream: nothing runs until the first batch is pulled. */
  private streamQuery(bound: LogicalPlan, tables: ReadonlyMap<string, TableSource>, signal: AbortSignal | undefined, startedMs: number,
    onProgress?: (progress: QueryProgress) => void): QueryStream {
    const plan = this.placed(optimize(bound, { tables }, this.disabledRules).plan, tables);
    const run = this.startPlan(plan, tables, signal, onProgress);
    let finishedMs: number | null = null;
    const batches = planBatches(run.batches, signal, () => { finishedMs ??= performance.now(); });
    return {
      command: 'SELECT', schema: plan.schema, batches, rowsAffected: null,
      stats: () => statsOf(plan, run.metrics, (finishedMs ?? performance.now()) - startedMs),
    };
  }

  /** The optimized plan of a query (with or without a leading EXPLAIN), as text lines joined by newlines. */
  async explain(sql: string): Promise<string> {
    try {
      const { bound, tables } = await this.prepare(sql);
      if (bound.kind !== 'query' && bound.kind !== 'explain') {
        throw new StrataError('not_supported', 'NOT_SUPPORTED', 'explain() takes a query (SELECT …)');
      }
      return explainLines(optimize(bound.plan, { tables }, this.disabledRules)).join('\n');
    } catch (error) {
      throw asQueryError(error, undefined);
    }
  }

  private async prepare(sql: string): Promise<{ bound: BoundStatement; tables: Map<string, TableSource>; analyze: boolean }> {
    const { source, statement } = parseSql(sql);
    const tables = new Map<string, TableSource>();
    const views = new Map<string, ViewDefinition>();
    await this.resolveNames(tableNamesOf(statement), tables, views);
    await resolveAsOfReferences(this.catalog, statement, source, views, tables);
    const analyze = statement.kind === 'explain' && statement.analyze === true;
    return { bound: bindStatement(statement, { source, tables, views }), tables, analyze };
  }

  /** Pins each named table's snapshot; a name that is no table but a view is parsed and its own names resolved. */
  private async resolveNames(names: Iterable<string>, tables: Map<string, TableSource>, views: Map<string, ViewDefinition>): Promise<void> {
    for (const name of names) {
      if (tables.has(name) || views.has(name)) continue;
      const table = await this.catalog.getTable(name);
      if (table !== null) {
        tables.set(name, table);
        continue;
      }
      const view = (await this.catalog.getView?.(name)) ?? null;
      if (view === null) continue;
      const parsed = parseSql(view.sql);
      if (parsed.statement.kind !== 'query') {
        throw new StrataError('corruption', 'VIEW_INVALID', `view ${name} is stored with SQL that is not a query; drop and recreate it`, { view: name });
      }
      views.set(name, { name, columns: view.columns, query: parsed.statement.query, source: parsed.source });
      await this.resolveNames(tableNamesOf(parsed.statement), tables, views);
    }
  }

  private async run(bound: BoundStatement, tables: ReadonlyMap<string, TableSource>, signal: AbortSignal | undefined, startedMs: number,
    onProgress?: (progress: QueryProgress) => void): Promise<QueryResult> {
    const done = (command: string, schema: Schema, batches: Batch[], rowsAffected: number | null, plan: LogicalPlan | null, metrics: ExecutionMetrics | null): QueryResult => ({
      command, schema, batches, rowsAffected, stats: statsOf(plan, metrics, performance.now() - startedMs),
    });
    switch (bound.kind) {
      case 'query': {
        const plan = this.placed(optimize(bound.plan, { tables }, this.disabledRules).plan, tables);
        const { batches, metrics } = await this.runPlan(plan, tables, signal, onProgress);
        return done('SELECT', plan.schema, batches, null, plan, metrics);
      }
      case 'explain': {
        const optimized = optimize(bound.plan, { tables }, this.disabledRules);
        const lines = explainLines({ ...optimized, plan: this.placed(optimized.plan, tables) });
        return done('EXPLAIN', { fields: [{ name: 'plan', type: Types.string, nullable: false }] }, [textBatch([lines])], null, optimized.plan, null);
      }
      case 'create_table':
        await this.catalog.createTable(bound.name, bound.columns, { ifNotExists: bound.ifNotExists, options: {} });
        return done('CREATE TABLE', emptySchema, [], null, null, null);
      case 'drop_table':
        await this.catalog.dropTable(bound.name, bound.ifExists);
        return done('DROP TABLE', emptySchema, [], null, null, null);
      case 'create_view':
        if (this.catalog.createView === undefined) throw new StrataError('not_supported', 'NOT_SUPPORTED', 'this database does not store views');
        await this.catalog.createView({ name: bound.name, sql: bound.sql, columns: bound.columns }, bound.orReplace);
        return done('CREATE VIEW', emptySchema, [], null, null, null);
      case 'drop_view':
        if (this.catalog.dropView === undefined) throw new StrataError('not_supported', 'NOT_SUPPORTED', 'this database does not store views');
        await this.catalog.dropView(bound.name, bound.ifExists);
        return done('DROP VIEW', emptySchema, [], null, null, null);
      case 'show_tables': {
        const names = [...(await this.catalog.listTables())].sort();
        return done('SHOW TABLES', { fields: [{ name: 'name', type: Types.string, nullable: false }] }, [textBatch([names])], null, null, null);
      }
      case 'describe': {
        const fields = bound.schema.fields;
        const batch = textBatch([fields.map((f) => f.name), fields.map((f) => typeToSql(f.type)), fields.map((f) => (f.nullable ? 'YES' : 'NO'))]);
        return done('DESCRIBE', describeSchema, [batch], null, null, null);
      }
      case 'insert': {
        const plan = this.placed(optimize(bound.plan, { tables }, this.disabledRules).plan, tables);
        const { batches, metrics } = await this.runPlan(plan, tables, signal, onProgress);
        checkNotNull(bound.table, bound.schema, batches);
        throwIfCancelled(signal);
        const rows = batches.some((b) => b.length > 0) ? await this.catalog.insert(bound.table, batches.filter((b) => b.length > 0)) : 0;
        return done('INSERT', emptySchema, [], rows, plan, metrics);
      }
      case 'delete':
        return done('DELETE', emptySchema, [], await deleteRows(this.catalog, bound), null, null);
    }
  }

  /** EXPLAIN ANALYZE: runs the query, then returns its plan with what each scan read, and the run's totals. */
  private async explainAnalyze(bound: LogicalPlan, tables: ReadonlyMap<string, TableSource>, signal: AbortSignal | undefined, startedMs: number,
    onProgress?: (progress: QueryProgress) => void): Promise<QueryResult> {
    const optimized = optimize(bound, { tables }, this.disabledRules);
    const plan = this.placed(optimized.plan, tables);
    const scans = new Map<object, ScanCounts>();
    const { batches, metrics } = await this.runPlan(plan, tables, signal, onProgress, scans);
    const stats = statsOf(plan, metrics, performance.now() - startedMs);
    let rows = 0;
    for (const batch of batches) rows += batch.length;
    const lines = explainPlanAnalyzed(plan, (scan) => scans.get(scan) ?? null);
    lines.push(`Optimizer rules applied: ${optimized.applied.length === 0 ? 'none' : optimized.applied.join(', ')}`);
    lines.push(`Actual: ${summaryLine(rows, stats)}`);
    return { command: 'EXPLAIN', schema: { fields: [{ name: 'plan', type: Types.string, nullable: false }] }, batches: [textBatch([lines])], rowsAffected: null, stats };
  }

  private async runPlan(plan: LogicalPlan, tables: ReadonlyMap<string, TableSource>, signal: AbortSignal | undefined,
    onProgress?: (progress: QueryProgress) => void, scans?: Map<object, ScanCounts>): Promise<PlanRun> {
    const run = this.startPlan(plan, tables, signal, onProgress, scans);
    const batches: Batch[] = [];
    for await (const batch of run.batches) {
      throwIfCancelled(signal);
      batches.push(batch);
    }
    return { batches, metrics: run.metrics };
  }

  /** The plan's batches, not yet pulled, and the metrics they fill in; reports progress from here on. */
  private startPlan(plan: LogicalPlan, tables: ReadonlyMap<string, TableSource>, signal: AbortSignal | undefined,
    onProgress?: (progress: QueryProgress) => void, scans?: Map<object, ScanCounts>): { batches: AsyncIterable<Batch>; metrics: ExecutionMetrics } {
    const physical = createPhysicalPlan(plan, tables);
    const metrics: ExecutionMetrics = { partitionsScanned: 0, rowsScanned: 0, bytesScanned: 0, batchesRead: 0, batchesSkipped: 0, scans };
    const partitionsTotal = collectScans(plan).reduce((sum, scan) => sum + (scan.partitions?.length ?? scan.partitionsTotal), 0);
    onProgress?.({ partitionsTotal, partitionsDone: () => metrics.partitionsScanned });
    // execute() is called on the first pull, so a stream nobody reads never starts its scans.
    const batches = {
      [Symbol.asyncIterator]: () => {
        const spill = this.spillAreas?.();
        const context = { signal, memoryBytesMax: this.memoryBytesMax, metrics, fragmentExecutor: this.fragmentExecutor, spill };
        return spill === undefined ? physical.execute(context)[Symbol.asyncIterator]() : closingSpill(physical.execute(context), spill);
      },
    };
    return { batches, metrics };
  }
}

/** A plan's batches; the query's spill area is closed (its files deleted) when they end, fail or the consumer leaves. */
async function* closingSpill(batches: AsyncIterable<Batch>, spill: QuerySpillArea): AsyncGenerator<Batch> {
  try {
    yield* batches;
  } finally {
    await spill.close();
  }
}

/** A finished statement's few batches as a stream. */
async function* arrayBatches(batches: readonly Batch[]): AsyncGenerator<Batch> {
  yield* batches;
}

/**
 * A plan's batches as the consumer pulls them, each pull checked against the signal; errors
 * become StrataErrors. `finished` runs once the plan ends, fails or the consumer leaves.
 */
async function* planBatches(batches: AsyncIterable<Batch>, signal: AbortSignal | undefined, finished: () => void): AsyncGenerator<Batch> {
  try {
    for await (const batch of batches) {
      throwIfCancelled(signal);
      yield batch;
    }
  } catch (error) {
    throw asQueryError(error, signal);
  } finally {
    finished();
  }
}

/** EXPLAIN text: the plan, then the optimizer rules that changed it. */
function explainLines(optimized: OptimizedPlan): string[] {
  const lines = explainPlan(optimized.plan);
  lines.push(`Optimizer rules applied: ${optimized.applied.length === 0 ? 'none' : optimized.applied.join(', ')}`);
  return lines;
}

/** A batch of string columns, one array of values per column. */
function textBatch(columns: readonly (readonly string[])[]): Batch {
  const vectors = columns.map((values) => stringVectorFromValues(Types.string, values));
  return { length: columns[0]?.length ?? 0, columns: vectors };
}

function statsOf(plan: LogicalPlan | null, metrics: ExecutionMetrics | null, elapsedMs: number): QueryStats {
  let partitionsTotal = 0;
  let partitionsPruned = 0;
  for (const scan of plan === null ? [] : collectScans(plan)) {
    partitionsTotal += scan.partitionsTotal;
    partitionsPruned += scan.partitions === null ? 0 : scan.partitionsTotal - scan.partitions.length;
  }
  return {
    partitionsTotal, partitionsPruned,
    partitionsScanned: metrics?.partitionsScanned ?? 0,
    rowsScanned: metrics?.rowsScanned ?? 0,
    bytesScanned: metrics?.bytesScanned ?? 0,
    batchesRead: metrics?.batchesRead ?? 0,
    batchesSkipped: metrics?.batchesSkipped ?? 0,
    elapsedMs,
    nodes: metrics?.nodes ?? [],
    spilledBytes: metrics?.spilledBytes ?? 0,
  };
}

/** What a fragment read for one partition: the metrics' growth since `before` (the coordinator adds it to the query's). */
function countsSince(before: ExecutionMetrics, after: ExecutionMetrics): FragmentScanCounts {
  return {
    rowsScanned: after.rowsScanned - before.rowsScanned,
    bytesScanned: after.bytesScanned - before.bytesScanned,
    batchesRead: (after.batchesRead ?? 0) - (before.batchesRead ?? 0),
    batchesSkipped: (after.batchesSkipped ?? 0) - (before.batchesSkipped ?? 0),
    // Additive: only when the fragment spilled, so the frames of fragments that did not stay as they were.
    ...((after.spilledBytes ?? 0) > (before.spilledBytes ?? 0) ? { spilledBytes: (after.spilledBytes ?? 0) - (before.spilledBytes ?? 0) } : {}),
  };
}

/** NOT_NULL_VIOLATION when a computed value for a NOT NULL column is NULL. */
function checkNotNull(table: string, schema: Schema, batches: readonly Batch[]): void {
  let rowBase = 0;
  for (const batch of batches) {
    schema.fields.forEach((field, c) => {
      const nulls = batch.columns[c].nulls;
      if (field.nullable || nulls === null) return;
      const row = nulls.indexOf(1);
      if (row >= 0) {
        throw new StrataError('input', 'NOT_NULL_VIOLATION', `column ${field.name} of table ${table} is NOT NULL, but inserted row ${rowBase + row + 1} has NULL there; nothing was inserted`, { table, columnName: field.name });
      }
    });
    rowBase += batch.length;
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StrataError('cancelled', 'QUERY_CANCELLED', 'the query was cancelled');
}

function asQueryError(error: unknown, signal: AbortSignal | undefined): StrataError {
  if (error instanceof StrataError) return error;
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) {
    return new StrataError('cancelled', 'QUERY_CANCELLED', 'the query was cancelled', {}, { cause: error });
  }
  return toStrataError(error);
}
