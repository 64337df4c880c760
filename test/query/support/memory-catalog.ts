/**
 * An in-memory QueryCatalog for query tests and .slt files: tables of in-memory partitions with
 * computed min/max statistics. Each INSERT is one commit; its rows are split into partitions of
 * at most partitionRowsMax rows, so tests control how many partitions pruning can skip.
 */
import { StrataError, type Batch, type Schema, type Vector } from '../../../storage/index.js';
import type { ColumnDefinition, CreateTableOptions, QueryCatalog, TableSource, ViewRecord } from '../../../query/catalog.js';
import { MemoryTable, memoryPartition, type MemoryPartition } from './memory-table.js';

/** Default rows per partition when a test does not say. */
export const memoryPartitionRowsMax = 1000;

interface StoredTable {
  readonly schema: Schema;
  partitions: MemoryPartition[];
  version: number;
}

/** Rows start..end of a vector (views over the same buffers). */
function sliceVector(vector: Vector, start: number, end: number): Vector {
  const nulls = vector.nulls === null ? null : vector.nulls.subarray(start, end);
  if (vector.kind === 'string') return { ...vector, length: end - start, codes: vector.codes.subarray(start, end), nulls };
  return { ...vector, length: end - start, values: vector.values.subarray(start, end), nulls };
}

/** A QueryCatalog over in-memory tables. */
export class MemoryCatalog implements QueryCatalog {
  private readonly tables = new Map<string, StoredTable>();
  private readonly views = new Map<string, ViewRecord>();
  private partitionRowsMax: number;
  private partitionCount = 0;

  constructor(options: { partitionRowsMax?: number } = {}) {
    this.partitionRowsMax = options.partitionRowsMax ?? memoryPartitionRowsMax;
  }

  async listTables(): Promise<string[]> {
    return [...this.tables.keys()].sort();
  }

  async getTable(name: string): Promise<TableSource | null> {
    const table = this.tables.get(name.toLowerCase());
    if (table === undefined) return null;
    return new MemoryTable(name.toLowerCase(), table.schema, [...table.partitions], table.version);
  }

  async createTable(name: string, columns: readonly ColumnDefinition[], options: CreateTableOptions): Promise<void> {
    const lower = name.toLowerCase();
    if (this.tables.has(lower)) {
      if (options.ifNotExists) return;
      throw new StrataError('conflict', 'TABLE_EXISTS', `table ${lower} already exists`, { table: lower });
    }
    this.tables.set(lower, { schema: { fields: columns.map((c) => ({ ...c })) }, partitions: [], version: 0 });
  }

  async dropTable(name: string, ifExists: boolean): Promise<void> {
    const lower = name.toLowerCase();
    if (!this.tables.delete(lower) && !ifExists) {
      throw new StrataError('not_found', 'TABLE_NOT_FOUND', `table ${lower} does not exist`, { table: lower });
    }
  }

  async insert(name: string, batches: readonly Batch[]): Promise<number> {
    const table = this.tables.get(name.toLowerCase());
    if (table === undefined) throw new StrataError('not_found', 'TABLE_NOT_FOUND', `table ${name} does not exist`, { table: name });
    let rows = 0;
    const added: MemoryPartition[] = [];
    for (const batch of batches) {
      for (let start = 0; start < batch.length; start += this.partitionRowsMax) {
        const end = Math.min(batch.length, start + this.partitionRowsMax);
        const slice: Batch = { length: end - start, columns: batch.columns.map((v) => sliceVector(v, start, end)) };
        added.push(memoryPartition(`p${++this.partitionCount}`, table.schema, [slice]));
        rows += slice.length;
      }
    }
    table.partitions = [...table.partitions, ...added];
    table.version++;
    return rows;
  }

  async createView(view: ViewRecord, orReplace: boolean): Promise<void> {
    const lower = view.name.toLowerCase();
    if (this.tables.has(lower)) throw new StrataError('conflict', 'TABLE_EXISTS', `a table named ${lower} exists`, { table: lower });
    if (this.views.has(lower) && !orReplace) throw new StrataError('conflict', 'VIEW_EXISTS', `view ${lower} already exists`, { view: lower });
    this.views.set(lower, { ...view, name: lower });
  }

  async dropView(name: string, ifExists: boolean): Promise<void> {
    const lower = name.toLowerCase();
    if (!this.views.delete(lower) && !ifExists) throw new StrataError('not_found', 'VIEW_NOT_FOUND', `view ${lower} does not exist`, { view: lower });
  }

  async getView(name: string): Promise<ViewRecord | null> {
    return this.views.get(name.toLowerCase()) ?? null;
  }

  /** Sets how many rows later INSERTs put in one partition. */
  setPartitionRowsMax(rows: number): void {
    this.partitionRowsMax = rows;
  }

  /** Adds a table made of ready-built partitions (tests that shape partitions themselves). */
  addTable(name: string, schema: Schema, partitions: readonly MemoryPartition[]): void {
    this.tables.set(name.toLowerCase(), { schema, partitions: [...partitions], version: 1 });
  }
}
