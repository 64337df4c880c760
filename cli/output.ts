/** Prints query results in the CLI's formats. */
import { renderCsv, renderJson, renderTable, type QueryResult } from '../service-manager/index.js';
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
