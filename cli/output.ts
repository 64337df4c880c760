/** Prints query results in the CLI's formats, and the summary line of what a query read. */
import {
  querySummaryText, remoteSummaryText, renderCsv, renderJson, renderTable, type ClientResult, type QueryResult, type QuerySummary,
  type ResultColumn,
} from '../service-manager/index.js';
import { usageError } from './usage.js';

/** Output formats of `strata sql`. */
export type OutputFormat = 'table' | 'csv' | 'json';

/** Validates a --format value. */
export function parseOutputFormat(text: string | undefined): OutputFormat {
  const format = text ?? 'table';
  if (format !== 'table' && format !== 'csv' && format !== 'json') {
    throw usageError(`--format must be table, csv or json, not '${format}'`);
  }
  return format;
}

/**
 * The summary line after a query (`12,345 rows in 0.21 s; partitions 3/40, batches 10/180 read`),
 * with its newline; empty for other statements. The CLI writes it to stderr so the rows on stdout
 * stay clean for pipes; the prompt shows it under a table.
 */
export function summaryOf(result: QueryResult | ClientResult): string {
  const text = 'stats' in result ? querySummaryText(result) : remoteSummaryText(result.summary);
  return text === null ? '' : `${text}\n`;
}

/** Renders a statement's result: rows for queries, a status line for commands. */
export function renderResult(result: QueryResult, format: OutputFormat): string {
  const returnsRows = result.schema.fields.length > 0;
  if (!returnsRows) {
    if (format === 'json') return `${JSON.stringify({ command: result.command, rowsAffected: result.rowsAffected })}\n`;
    const affected = result.rowsAffected === null ? '' : ` ${result.rowsAffected}`;
    return `${result.command}${affected}\n`;
  }
  if (format === 'json') return `${renderJson(result.schema, result.batches)}\n`;
  if (format === 'csv') return renderCsv(result.schema, result.batches);
  return renderTable(result.schema, result.batches);
}

function remoteCell(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : String(value);
}

function csvField(text: string | null): string {
  return text === null ? '' : /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The line a statement without rows prints (CREATE TABLE, INSERT 3, …). */
function remoteStatusLine(summary: QuerySummary, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify({ command: summary.command, rowsAffected: summary.rowsAffected })}\n`;
  const affected = summary.rowsAffected === null ? '' : ` ${summary.rowsAffected}`;
  return `${summary.command}${affected}\n`;
}

/** Renders a result received from a node over the wire (rows already JSON values). */
export function renderRemoteResult(result: ClientResult, format: OutputFormat): string {
  if (result.columns.length === 0) return remoteStatusLine(result.summary, format);
  if (format === 'json') return `${JSON.stringify({ columns: result.columns.map((column) => column.name), rows: result.rows })}\n`;
  const textRows = result.rows.map((row) => row.map(remoteCell));
  const names = result.columns.map((column) => column.name);
  if (format === 'csv') {
    return `${[names.map(csvField).join(','), ...textRows.map((row) => row.map(csvField).join(','))].join('\n')}\n`;
  }
  const widths = names.map((name, i) => Math.max(name.length, ...textRows.map((row) => (row[i] ?? 'NULL').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ');
  const out = [line(names), widths.map((width) => '-'.repeat(width)).join('-+-'), ...textRows.map((row) => line(row.map((cell) => cell ?? 'NULL')))];
  out.push(`(${textRows.length} ${textRows.length === 1 ? 'row' : 'rows'})`);
  return `${out.join('\n')}\n`;
}

/**
 * Writes a remote result in CSV or JSON as its rows arrive, byte for byte what renderRemoteResult
 * prints for the whole result, holding no rows. (The table format needs every row to size its
 * columns, so it is rendered whole.) If the query fails mid-way, what was written is a prefix.
 */
export class RemoteRowsWriter {
  private columnCount = 0;
  private rowsWritten = 0;

  constructor(private readonly format: 'csv' | 'json', private readonly write: (text: string) => void) {}

  /** The header (CSV) or the document's opening (JSON). */
  columns(columns: readonly ResultColumn[]): void {
    this.columnCount = columns.length;
    if (columns.length === 0) return;
    const names = columns.map((column) => column.name);
    this.write(this.format === 'csv' ? `${names.map(csvField).join(',')}\n` : `{"columns":${JSON.stringify(names)},"rows":[`);
  }

  /** One message's rows. */
  rows(rows: readonly unknown[][]): void {
    let text = '';
    for (const row of rows) {
      if (this.format === 'csv') text += `${row.map((value) => csvField(remoteCell(value))).join(',')}\n`;
      else text += `${this.rowsWritten === 0 ? '' : ','}${JSON.stringify(row)}`;
      this.rowsWritten += 1;
    }
    if (text !== '') this.write(text);
  }

  /** The document's end (JSON), or the status line of a statement without rows. */
  finish(summary: QuerySummary): void {
    if (this.columnCount === 0) this.write(remoteStatusLine(summary, this.format));
    else if (this.format === 'json') this.write(']}\n');
  }
}
