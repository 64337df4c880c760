/**
 * Reads NDJSON: one JSON object per line, fields matched to columns by name (case-insensitive),
 * missing fields NULL, unknown fields ignored, a value of the wrong JSON type an error.
 * JSON.parse builds an object per line anyway, so values are first spread into one array per
 * column and then converted a column at a time like CSV.
 */
import {
  exactIntegerMax, parseDate, parseDecimal, parseTimestamp, powerOfTen, StrataError, typeToSql,
  type Field, type Schema,
} from '../storage/index.js';
import { decodeUtf8, type ColumnBuilder } from './column-builder.js';
import { badJsonError, badValueError, nullViolationError } from './ingest-errors.js';
import type { RecordReader } from './record-reader.js';
import type { RowFailures } from './row-failures.js';

const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/** Distinct JSON keys remembered for matching; beyond it the cache restarts (bounds memory). */
const keyCacheSizeMax = 10_000;

const integerRanges: Record<string, [number, number]> = {
  int16: [-32_768, 32_767],
  int32: [-2_147_483_648, 2_147_483_647],
  int64: [-exactIntegerMax, exactIntegerMax],
};

/** Decimal text of a JSON number without exponent notation, for exact decimal parsing. */
function numberText(value: number, scale: number): string {
  const text = String(value);
  if (!text.includes('e') || Math.abs(value) >= 1e21) return text;
  return value.toFixed(Math.min(scale + 1, 100));
}

/** What kind of JSON value `value` is, for messages. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'a JSON array';
  if (typeof value === 'object') return 'a JSON object';
  return `a JSON ${typeof value}`;
}

/** Reads NDJSON records of one file into a table's columns. */
export class NdjsonRecordReader implements RecordReader {
  records = 0;
  line = 1;
  private recordStarts: number[] = [];
  private recordEnds: number[] = [];
  private recordLines: number[] = [];
  /** Per record: null when it parsed, else the error to raise. */
  private recordErrors: (StrataError | null)[] = [];
  private readonly columnValues: unknown[][];
  private readonly keyColumns = new Map<string, number>();
  private readonly lowerCaseNames: string[];

  constructor(private readonly schema: Schema, private readonly file: string) {
    this.columnValues = schema.fields.map(() => []);
    this.lowerCaseNames = schema.fields.map((field) => field.name.toLowerCase());
  }

  scan(data: Buffer, start: number, end: number, final: boolean): number {
    this.records = 0;
    let position = start;
    while (position < end) {
      let newline = data.indexOf(lineFeed, position);
      if (newline < 0 || newline >= end) {
        if (!final) break;
        newline = end;
      }
      let stop = newline;
      if (stop > position && data[stop - 1] === carriageReturn) stop--;
      const next = Math.min(newline + 1, end);
      const text = decodeUtf8(data, position, stop);
      if (text.trim() !== '') this.addRecord(text, position, next);
      position = next;
      this.line++;
    }
    return position;
  }

  recordBytes(r: number): [number, number] {
    return [this.recordStarts[r], this.recordEnds[r]];
  }

  private addRecord(text: string, start: number, end: number): void {
    const r = this.records++;
    this.recordStarts[r] = start;
    this.recordEnds[r] = end;
    this.recordLines[r] = this.line;
    for (const values of this.columnValues) values[r] = undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const position = /position (\d+)/.exec(reason);
      this.recordErrors[r] = badJsonError(this.file, this.line, position === null ? 1 : Number(position[1]) + 1, `not valid JSON: ${reason}`);
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.recordErrors[r] = badJsonError(this.file, this.line, 1, `expected a JSON object, found ${parsed === null ? 'null' : jsonKind(parsed)}`);
      return;
    }
    this.recordErrors[r] = null;
    const object = parsed as Record<string, unknown>;
    for (const key in object) {
      const column = this.columnOf(key);
      if (column >= 0) this.columnValues[column][r] = object[key];
    }
  }

  /** The schema column a JSON key names (case-insensitive), or -1. */
  private columnOf(key: string): number {
    let column = this.keyColumns.get(key);
    if (column === undefined) {
      if (this.keyColumns.size >= keyCacheSizeMax) this.keyColumns.clear();
      column = this.lowerCaseNames.indexOf(key.toLowerCase());
      this.keyColumns.set(key, column);
    }
    return column;
  }

  convert(columns: readonly ColumnBuilder[], base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    for (let r = rowStart; r < rowEnd; r++) {
      const error = this.recordErrors[r];
      if (error !== null && failures.wants(r)) failures.fail(r, error);
    }
    const fields = this.schema.fields;
    for (let c = 0; c < fields.length; c++) this.convertColumn(c, columns[c], base, rowStart, rowEnd, failures);
  }

  private convertColumn(c: number, builder: ColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    const field = this.schema.fields[c];
    const values = this.columnValues[c];
    for (let r = rowStart, i = base; r < rowEnd; r++, i++) {
      const value = values[r];
      if (value === null || value === undefined) {
        if (field.nullable) builder.setNull(i);
        else if (failures.wants(r)) failures.fail(r, nullViolationError(this.file, this.recordLines[r], c + 1, field.name));
        continue;
      }
      if (builder.kind === 'string') {
        if (typeof value === 'string') builder.setString(i, value);
        else this.badValue(r, c, value, failures, `${jsonKind(value)}, expected a string`);
        continue;
      }
      const converted = this.convertValue(field, value);
      if (typeof converted === 'number') builder.values[i] = converted;
      else this.badValue(r, c, value, failures, converted);
    }
  }

  /** The in-memory value of a JSON value for a non-string column, or why it does not convert. */
  private convertValue(field: Field, value: unknown): number | string {
    const type = field.type;
    switch (type.id) {
      case 'boolean':
        return typeof value === 'boolean' ? (value ? 1 : 0) : `${jsonKind(value)}, expected true or false`;
      case 'int16': case 'int32': case 'int64': {
        const [min, max] = integerRanges[type.id];
        if (typeof value !== 'number' || !Number.isInteger(value)) return `${jsonKind(value)}, expected an integer`;
        return value >= min && value <= max ? value : `out of range ${min} to ${max}`;
      }
      case 'float64':
        return typeof value === 'number' ? value : `${jsonKind(value)}, expected a number`;
      case 'decimal': return this.convertDecimal(field, value);
      case 'date': {
        const days = typeof value === 'string' ? parseDate(value) : null;
        return days ?? `${jsonKind(value)}, expected a 'YYYY-MM-DD' string`;
      }
      case 'timestamp': {
        const micros = typeof value === 'string' ? parseTimestamp(value) : null;
        return micros ?? `${jsonKind(value)}, expected a 'YYYY-MM-DD HH:MM:SS[.ffffff]' string`;
      }
      default:
        throw new StrataError('not_supported', 'INGEST_TYPE_NOT_SUPPORTED', `column ${field.name}: ingest cannot load ${typeToSql(type)} values`);
    }
  }

  private convertDecimal(field: Field, value: unknown): number | string {
    const precision = field.type.precision ?? 18;
    const scale = field.type.scale ?? 0;
    let text: string;
    if (typeof value === 'number') text = numberText(value, scale);
    else if (typeof value === 'string') text = value;
    else return `${jsonKind(value)}, expected a number`;
    const scaled = parseDecimal(text, scale);
    if (scaled === null) return `${jsonKind(value)}, not a decimal number`;
    const limit = powerOfTen(precision);
    return scaled > -limit && scaled < limit ? scaled : `more than ${precision - scale} digits before the decimal point`;
  }

  private badValue(r: number, c: number, value: unknown, failures: RowFailures, reason: string): void {
    if (!failures.wants(r)) return;
    const field = this.schema.fields[c];
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    failures.fail(r, badValueError(this.file, this.recordLines[r], c + 1, field.name, field.type, text, reason));
  }
}
