/**
 * Accumulates converted rows into batches of at most batchRowsMax rows and hands them out as one
 * partition once partitionRowsTarget rows are in. Only one partition's rows are ever held.
 */
import type { Batch, Schema } from '../storage/index.js';
import { columnBuilder, type ColumnBuilder } from './column-builder.js';

/** Builds the batches of one partition at a time. */
export class PartitionBuilder {
  /** Builders of the batch being filled, one per schema column. */
  columns: ColumnBuilder[];
  /** Rows in the batch being filled. */
  batchRows = 0;
  /** Rows in the partition being built (finished batches plus the current one). */
  partitionRows = 0;
  private batches: Batch[] = [];

  constructor(private readonly schema: Schema, private readonly batchRowsMax: number, private readonly partitionRowsTarget: number) {
    this.columns = this.newColumns();
  }

  /** Rows that fit before the current batch or the partition is full. */
  room(): number {
    return Math.min(this.batchRowsMax - this.batchRows, this.partitionRowsTarget - this.partitionRows);
  }

  /** Makes room for `rows` more rows in the current batch's columns. */
  reserve(rows: number): void {
    for (const column of this.columns) column.reserve(this.batchRows + rows);
  }

  /** Drops rejected rows among the `count` rows written from the current batch's end. */
  compact(rejected: Uint8Array, count: number): void {
    for (const column of this.columns) column.compact(this.batchRows, rejected, count);
  }

  /** Counts `rows` rows written at the current batch's end; closes the batch when full. */
  advance(rows: number): void {
    this.batchRows += rows;
    this.partitionRows += rows;
    if (this.batchRows === this.batchRowsMax) this.finishBatch();
  }

  /** True when the partition holds partitionRowsTarget rows. */
  isFull(): boolean {
    return this.partitionRows >= this.partitionRowsTarget;
  }

  /** The partition's batches (empty when no rows); the builder starts a new partition. */
  take(): Batch[] {
    this.finishBatch();
    const batches = this.batches;
    this.batches = [];
    this.partitionRows = 0;
    return batches;
  }

  private finishBatch(): void {
    if (this.batchRows === 0) return;
    const length = this.batchRows;
    this.batches.push({ length, columns: this.columns.map((column) => column.finish(length)) });
    // A full batch says the input goes on: the next builders start at full size instead of
    // doubling up from a few rows (each doubling copies and leaves garbage behind).
    this.columns = this.newColumns(length === this.batchRowsMax ? this.columns : null);
    this.batchRows = 0;
  }

  private newColumns(previous: readonly ColumnBuilder[] | null = null): ColumnBuilder[] {
    if (previous === null) return this.schema.fields.map((field) => columnBuilder(field.type));
    return this.schema.fields.map((field, c) => {
      const before = previous[c];
      if (before.kind !== 'string') return columnBuilder(field.type, this.batchRowsMax);
      return columnBuilder(field.type, this.batchRowsMax, before.textBytes + (before.textBytes >> 3), before.deduplicating);
    });
  }
}
