/**
 * In-memory tables for query tests: a TableSource over Batches, with per-partition statistics
 * computed the way the partition writer records them, so pruning and scans are testable
 * without files.
 */
import {
  allocateValues, numericVector, parseDate, parseDecimal, parseTimestamp, stringVectorFromValues,
  type Batch, type ColumnStats, type Field, type Schema, type StatValue, type Vector,
} from '../../../storage/index.js';
import type { ScanPartition, TableSource } from '../../../query/catalog.js';

/** A value in a test row: in-memory units (days, micros, scaled decimals), or SQL text for date/timestamp/decimal, or null. */
export type TestValue = number | string | boolean | bigint | null;

/** Builds one vector of `field`'s type from test values. */
export function vectorFromValues(field: Field, values: readonly TestValue[]): Vector {
  const type = field.type;
  if (type.id === 'string') return stringVectorFromValues(type, values.map((v) => (v === null ? null : String(v))));
  const data = allocateValues(type, values.length);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null) {
      nulls ??= new Uint8Array(values.length);
      nulls[i] = 1;
      continue;
    }
    const converted = convertValue(field, value);
    if (data instanceof BigInt64Array) data[i] = BigInt(converted);
    else data[i] = Number(converted);
  }
  return numericVector(type, data, nulls);
}

function convertValue(field: Field, value: TestValue): number | bigint {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  const text = String(value);
  let parsed: number | null;
  switch (field.type.id) {
    case 'date': parsed = parseDate(text); break;
    case 'timestamp': parsed = parseTimestamp(text); break;
    case 'decimal': parsed = parseDecimal(text, field.type.scale ?? 0); break;
    default: parsed = Number(text); break;
  }
  if (parsed === null || Number.isNaN(parsed)) throw new Error(`memory-table: '${text}' is not a valid ${field.type.id} for column ${field.name}`);
  return parsed;
}

/** Builds a batch from rows of test values (one array per row, in schema order). */
export function batchFromRows(schema: Schema, rows: readonly (readonly TestValue[])[]): Batch {
  const columns = schema.fields.map((field, c) => vectorFromValues(field, rows.map((row) => row[c])));
  return { length: rows.length, columns };
}

/** Min, max and null count of one vector, in the units the commit log records. */
export function vectorStats(vector: Vector): ColumnStats {
  let min: StatValue = null;
  let max: StatValue = null;
  let nullCount = 0;
  for (let i = 0; i < vector.length; i++) {
    if (vector.nulls !== null && vector.nulls[i] === 1) {
      nullCount++;
      continue;
    }
    let value: StatValue;
    if (vector.kind === 'string') value = vector.dictionary[vector.codes[i]];
    else if (vector.type.id === 'boolean') value = vector.values[i] === 1;
    else value = Number(vector.values[i]);
    if (min === null || value < min) min = value;
    if (max === null || value > max) max = value;
  }
  const bytes = vector.kind === 'string' ? vector.codes.byteLength : vector.values.byteLength;
  return { min, max, nullCount, bytes };
}

/** Statistics of a partition made of several batches (merged column by column). */
export function partitionStats(schema: Schema, batches: readonly Batch[]): ColumnStats[] {
  return schema.fields.map((_, c) => {
    let merged: ColumnStats = { min: null, max: null, nullCount: 0, bytes: 0 };
    for (const batch of batches) {
      const stats = vectorStats(batch.columns[c]);
      merged = {
        min: merged.min === null || (stats.min !== null && stats.min < merged.min) ? stats.min : merged.min,
        max: merged.max === null || (stats.max !== null && stats.max > merged.max) ? stats.max : merged.max,
        nullCount: merged.nullCount + stats.nullCount,
        bytes: merged.bytes + stats.bytes,
      };
    }
    return merged;
  });
}

/** One stored partition of a memory table: its metadata and its batches. */
export interface MemoryPartition {
  readonly meta: ScanPartition;
  readonly batches: readonly Batch[];
}

/** Makes a partition from batches, computing its statistics. */
export function memoryPartition(id: string, schema: Schema, batches: readonly Batch[]): MemoryPartition {
  const columns = partitionStats(schema, batches);
  const rows = batches.reduce((sum, b) => sum + b.length, 0);
  const bytes = columns.reduce((sum, c) => sum + c.bytes, 0);
  return { meta: { id, rows, bytes, columns }, batches };
}

/** A TableSource over in-memory partitions (a fixed snapshot). */
export class MemoryTable implements TableSource {
  readonly name: string;
  readonly schema: Schema;
  readonly version: number;
  readonly partitions: readonly ScanPartition[];
  private readonly byId: ReadonlyMap<string, MemoryPartition>;

  constructor(name: string, schema: Schema, partitions: readonly MemoryPartition[], version = 1) {
    this.name = name;
    this.schema = schema;
    this.version = version;
    this.partitions = partitions.map((p) => p.meta);
    this.byId = new Map(partitions.map((p) => [p.meta.id, p]));
  }

  /** Yields the partition's batches holding only the requested columns. */
  async *scan(partitionId: string, columns: readonly number[], signal?: AbortSignal): AsyncIterable<Batch> {
    const partition = this.byId.get(partitionId);
    if (partition === undefined) throw new Error(`memory-table ${this.name}: no partition ${partitionId}`);
    for (const batch of partition.batches) {
      signal?.throwIfAborted();
      yield { length: batch.length, columns: columns.map((c) => batch.columns[c]) };
    }
  }
}

/**
 * A memory table from rows split into partitions: `partitions` is a list of row lists, one per
 * partition (each becomes one batch). Convenient in tests:
 * `memoryTable('t', schema, [[[1, 'a'], [2, 'b']], [[3, null]]])`.
 */
export function memoryTable(name: string, schema: Schema, partitions: readonly (readonly (readonly TestValue[])[])[]): MemoryTable {
  const parts = partitions.map((rows, i) => memoryPartition(`p${i}`, schema, [batchFromRows(schema, rows)]));
  return new MemoryTable(name, schema, parts);
}

/** Reads every row of a batch list back into plain arrays (numbers in in-memory units, strings, null). */
export function rowsOf(batches: readonly Batch[]): (number | string | bigint | null)[][] {
  const rows: (number | string | bigint | null)[][] = [];
  for (const batch of batches) {
    for (let i = 0; i < batch.length; i++) {
      rows.push(batch.columns.map((v) => {
        if (v.nulls !== null && v.nulls[i] === 1) return null;
        return v.kind === 'string' ? v.dictionary[v.codes[i]] : v.values[i];
      }));
    }
  }
  return rows;
}
