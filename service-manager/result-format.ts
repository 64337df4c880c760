/**
 * Turns query results (typed column batches) into what people and programs read: JS values,
 * aligned text tables, CSV and JSON, and the one-line summary of what a query read. Decimals
 * keep their exact scale in text forms.
 */
import {
  formatDate, formatDecimal, formatTimestamp, isNull,
  type Batch, type NumericVector, type Schema, type Vector,
} from '../storage/index.js';
import { summaryLine, type QueryResult } from '../query/index.js';
import type { QuerySummary } from './client.js';

/** A value as a program receives it: decimals as exact strings are in text forms only. */
export type CellValue = number | string | boolean | bigint | null;

function decimalText(vector: NumericVector, row: number): string {
  const scale = vector.type.scale ?? 0;
  const raw = vector.values[row];
  if (typeof raw === 'bigint') {
    if (scale === 0) return raw.toString();
    const negative = raw < 0n;
    const digits = (negative ? -raw : raw).toString().padStart(scale + 1, '0');
    const text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
    return negative ? `-${text}` : text;
  }
  return formatDecimal(raw, scale);
}

/** The canonical text of one cell, or null for NULL (dates ISO, decimals at their scale). */
export function cellText(vector: Vector, row: number): string | null {
  if (isNull(vector, row)) return null;
  if (vector.kind === 'string') return vector.dictionary[vector.codes[row]];
  switch (vector.type.id) {
    case 'boolean': return vector.values[row] === 1 ? 'true' : 'false';
    case 'decimal': return decimalText(vector, row);
    case 'date': return formatDate(Number(vector.values[row]));
    case 'timestamp': return formatTimestamp(Number(vector.values[row]));
    default: return String(vector.values[row]);
  }
}

/** One cell as a JS value: numbers for numeric types (decimals converted to float), strings for dates. */
export function cellValue(vector: Vector, row: number): CellValue {
  if (isNull(vector, row)) return null;
  if (vector.kind === 'string') return vector.dictionary[vector.codes[row]];
  switch (vector.type.id) {
    case 'boolean': return vector.values[row] === 1;
    case 'decimal': return Number(decimalText(vector, row));
    case 'date':
    case 'timestamp': return cellText(vector, row);
    default: return Number(vector.values[row]);
  }
}

/** All rows of batches as arrays of JS values. */
export function rowsOf(batches: readonly Batch[]): CellValue[][] {
  const rows: CellValue[][] = [];
  for (const batch of batches) {
    for (let row = 0; row < batch.length; row++) {
      rows.push(batch.columns.map((column) => cellValue(column, row)));
    }
  }
  return rows;
}

/** All rows as canonical text cells. */
export function textRowsOf(batches: readonly Batch[]): (string | null)[][] {
  const rows: (string | null)[][] = [];
  for (const batch of batches) {
    for (let row = 0; row < batch.length; row++) {
      rows.push(batch.columns.map((column) => cellText(column, row)));
    }
  }
  return rows;
}

function isNumericType(vector: Vector): boolean {
  return vector.kind === 'numeric' && vector.type.id !== 'boolean' && vector.type.id !== 'date' && vector.type.id !== 'timestamp';
}

function jsonCell(column: Vector, row: number, decimalsAsStrings: boolean): string {
  const text = cellText(column, row);
  if (text === null) return 'null';
  if (column.type.id === 'boolean') return text;
  if (decimalsAsStrings && column.type.id === 'decimal') return JSON.stringify(text);
  if (isNumericType(column)) return Number.isFinite(Number(text)) ? text : JSON.stringify(text);
  return JSON.stringify(text);
}

/** Rows start..end of a batch as a JSON array of arrays; decimals are exact JSON numbers (or strings on request). */
export function batchRowsJson(batch: Batch, start = 0, end = batch.length, decimalsAsStrings = false): string {
  const parts: string[] = [];
  for (let row = start; row < end; row++) {
    parts.push(`[${batch.columns.map((column) => jsonCell(column, row, decimalsAsStrings)).join(',')}]`);
  }
  return `[${parts.join(',')}]`;
}

/** A JSON document {"columns":[…],"rows":[[…]…]}; decimals are written as exact JSON numbers. */
export function renderJson(schema: Schema, batches: readonly Batch[]): string {
  const parts = batches.filter((batch) => batch.length > 0).map((batch) => batchRowsJson(batch).slice(1, -1));
  const columns = JSON.stringify(schema.fields.map((field) => field.name));
  return `{"columns":${columns},"rows":[${parts.join(',')}]}`;
}

function csvField(text: string | null): string {
  if (text === null) return '';
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header line; NULL is an empty field. */
export function renderCsv(schema: Schema, batches: readonly Batch[]): string {
  const lines = [schema.fields.map((field) => csvField(field.name)).join(',')];
  for (const row of textRowsOf(batches)) lines.push(row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

/** An aligned text table (numbers right-aligned, NULL shown as NULL) with a row count. */
export function renderTable(schema: Schema, batches: readonly Batch[]): string {
  const rows = textRowsOf(batches);
  const headers = schema.fields.map((field) => field.name);
  const rightAlign = schema.fields.map((field) => !['string', 'date', 'timestamp', 'boolean'].includes(field.type.id));
  const widths = headers.map((header) => header.length);
  for (const row of rows) {
    row.forEach((cell, i) => { widths[i] = Math.max(widths[i], (cell ?? 'NULL').length); });
  }
  const line = (cells: string[]) => cells.map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(' | ');
  const out = [line(headers), widths.map((width) => '-'.repeat(width)).join('-+-')];
  for (const row of rows) out.push(line(row.map((cell) => cell ?? 'NULL')));
  out.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return `${out.join('\n')}\n`;
}


/**
 * What a query read, in one line (`12,345 rows in 0.21 s; partitions 3/40, batches 10/180 read`),
 * or null for statements other than queries and queries that read no table (EXPLAIN ANALYZE
 * ends with the same line itself).
 */
export function querySummaryText(result: QueryResult): string | null {
  if (result.command !== 'SELECT' || result.stats.partitionsTotal === 0) return null;
  let rows = 0;
  for (const batch of result.batches) rows += batch.length;
  return summaryLine(rows, result.stats);
}

/** The same line from the summary a node sends at the end of a query (older nodes send no batch counts). */
export function remoteSummaryText(summary: QuerySummary): string | null {
  if (summary.command !== 'SELECT' || summary.partitionsTotal === undefined || summary.partitionsTotal === 0) return null;
  return summaryLine(summary.rows, {
    elapsedMs: summary.elapsedMs, partitionsScanned: summary.partitionsScanned, partitionsTotal: summary.partitionsTotal,
    batchesRead: summary.batchesRead ?? 0, batchesSkipped: summary.batchesSkipped ?? 0,
  });
}
