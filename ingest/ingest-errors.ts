/**
 * The errors ingest raises, one constructor per code, so messages stay uniform: what went wrong,
 * where (file:line:column, 1-based) and how to fix it.
 */
import { StrataError, typeToSql, type DataType } from '../storage/index.js';

/** Every error code ingest raises (documented in docs/ingest.md). */
export const ingestErrorCodes = [
  'INGEST_BAD_VALUE',
  'INGEST_FIELD_COUNT',
  'INGEST_BAD_QUOTE',
  'INGEST_NULL_VIOLATION',
  'INGEST_BAD_JSON',
  'INGEST_RECORD_TOO_LONG',
  'INGEST_BAD_COMPRESSION',
  'INGEST_BAD_OPTION',
  'INGEST_FILE_NOT_FOUND',
  'INGEST_NOT_A_FILE',
  'INGEST_READ_FAILED',
  'INGEST_WRITE_FAILED',
  'INGEST_FILE_CHANGED',
  'INGEST_CANCELLED',
  'INGEST_TYPE_NOT_SUPPORTED',
  'INGEST_WORKER_FAILED',
] as const;

/** Characters of a bad value a message shows (details carry more). */
const messageValueCharsMax = 60;
/** Characters of a bad value the details carry. */
const detailsValueCharsMax = 1000;

const rejectHint = 'or load with --on-error reject';

function shown(value: string): string {
  return value.length > messageValueCharsMax ? `${value.slice(0, messageValueCharsMax)}…` : value;
}

/** A value that does not convert to its column's type. */
export function badValueError(file: string, line: number, column: number, columnName: string, type: DataType, value: string, reason = ''): StrataError {
  const why = reason === '' ? '' : ` (${reason})`;
  return new StrataError('input', 'INGEST_BAD_VALUE',
    `${file}:${line}:${column}: cannot read '${shown(value)}' as ${typeToSql(type)} for column ${columnName}${why}; fix the value ${rejectHint}`,
    { file, line, column, value: value.slice(0, detailsValueCharsMax), columnName });
}

/** A NULL (missing value or NULL marker) for a NOT NULL column. */
export function nullViolationError(file: string, line: number, column: number, columnName: string): StrataError {
  return new StrataError('input', 'INGEST_NULL_VIOLATION',
    `${file}:${line}:${column}: NULL for NOT NULL column ${columnName}; supply a value ${rejectHint}`,
    { file, line, column, columnName });
}

/** A CSV record with more or fewer fields than the table has columns. */
export function fieldCountError(file: string, line: number, expected: number, actual: number, delimiter: string): StrataError {
  return new StrataError('input', 'INGEST_FIELD_COUNT',
    `${file}:${line}: expected ${expected} fields, found ${actual}; check the delimiter (${JSON.stringify(delimiter)}), the quoting and the table's columns, ${rejectHint}`,
    { file, line, expected, actual });
}

/** A quoted field never closed, or followed by text before the next delimiter. */
export function badQuoteError(file: string, line: number, column: number, unterminated: boolean): StrataError {
  const what = unterminated
    ? 'a quoted field is never closed before the end of the file'
    : 'text follows the closing quote of a quoted field';
  return new StrataError('input', 'INGEST_BAD_QUOTE',
    `${file}:${line}:${column}: ${what}; double every quote inside a quoted field ("") ${rejectHint}`,
    { file, line, column });
}

/** An NDJSON line that is not a JSON object. */
export function badJsonError(file: string, line: number, column: number, reason: string): StrataError {
  return new StrataError('input', 'INGEST_BAD_JSON',
    `${file}:${line}:${column}: ${reason}; write one JSON object per line ${rejectHint}`,
    { file, line, column });
}

/** A record longer than the limit (often an unbalanced quote swallowing the file). */
export function recordTooLongError(file: string, line: number, recordBytesMax: number): StrataError {
  return new StrataError('input', 'INGEST_RECORD_TOO_LONG',
    `${file}:${line}: record longer than ${recordBytesMax} bytes (recordBytesMax); check for an unbalanced quote, or raise recordBytesMax if records really are this long`,
    { file, line, recordBytesMax });
}

/** An invalid ingest option. */
export function badOptionError(option: string, reason: string): StrataError {
  return new StrataError('input', 'INGEST_BAD_OPTION', `ingest option ${option}: ${reason}`, { option });
}

/** The caller's signal aborted the load. */
export function cancelledError(table: string): StrataError {
  return new StrataError('cancelled', 'INGEST_CANCELLED', `load into ${table} cancelled; nothing was committed, run the load again to retry`, {});
}
