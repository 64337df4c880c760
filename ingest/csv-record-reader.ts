/**
 * Reads CSV: the tokenizer finds field offsets, then each column is converted straight from the
 * bytes into its builder (numbers parsed from bytes, strings decoded once per distinct value).
 */
import {
  exactIntegerMax, parseDate, parseDecimal, parseTimestamp, powerOfTen, StrataError, typeToSql,
  type Field, type Schema,
} from '../storage/index.js';
import {
  parseBooleanBytes, parseDateBytes, parseDecimalBytes, parseFloatBytes, parseIntegerBytes, parseTimestampBytes,
} from './byte-values.js';
import { decodeUtf8, type ColumnBuilder, type NumericColumnBuilder, type StringColumnBuilder } from './column-builder.js';
import {
  CsvTokenizer, fieldEscapedQuotes, recordFieldCount, recordOk, recordUnterminatedQuote,
} from './csv-tokenizer.js';
import { badQuoteError, badValueError, fieldCountError, nullViolationError } from './ingest-errors.js';
import type { RecordReader } from './record-reader.js';
import type { RowFailures } from './row-failures.js';

/** How to read one CSV file. */
export interface CsvReadOptions {
  /** One single-byte character. */
  readonly delimiter: string;
  /** Skip the first record. */
  readonly header: boolean;
  /** Unquoted field texts that mean NULL ('' is the empty field). */
  readonly nullMarkers: readonly string[];
}

const int16Min = -32_768;
const int16Max = 32_767;
const int32Min = -2_147_483_648;
const int32Max = 2_147_483_647;

/** The spellings of a double that the slow path accepts (besides inf, infinity, nan). */
const floatPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const floatWords = new Map<string, number>([
  ['inf', Infinity], ['+inf', Infinity], ['-inf', -Infinity],
  ['infinity', Infinity], ['+infinity', Infinity], ['-infinity', -Infinity],
  ['nan', NaN], ['+nan', NaN], ['-nan', NaN],
]);

/** A double from text, or undefined when the text is not a number. */
export function parseFloatText(text: string): number | undefined {
  const trimmed = text.trim();
  if (floatPattern.test(trimmed)) return Number(trimmed);
  return floatWords.get(trimmed.toLowerCase());
}

/** Reads CSV records of one file into a table's columns. */
export class CsvRecordReader implements RecordReader {
  private readonly tokenizer: CsvTokenizer;
  private readonly nullMarkers: Buffer[];
  private readonly emptyIsTheOnlyNull: boolean;
  private data: Buffer = Buffer.alloc(0);

  constructor(private readonly schema: Schema, private readonly file: string, private readonly options: CsvReadOptions) {
    this.tokenizer = new CsvTokenizer(schema.fields.length, options.delimiter.charCodeAt(0), options.header);
    this.nullMarkers = options.nullMarkers.map((marker) => Buffer.from(marker, 'utf8'));
    this.emptyIsTheOnlyNull = options.nullMarkers.length === 1 && options.nullMarkers[0] === '';
  }

  get records(): number { return this.tokenizer.records; }
  get line(): number { return this.tokenizer.line; }
  /** True once a quoted field held a line break (see CsvTokenizer.quotedLineBreaks). */
  get quotedLineBreaks(): boolean { return this.tokenizer.quotedLineBreaks; }

  scan(data: Buffer, start: number, end: number, final: boolean): number {
    this.data = data;
    return this.tokenizer.scan(data, start, end, final);
  }

  recordBytes(r: number): [number, number] {
    return [this.tokenizer.recordStart[r], this.tokenizer.recordEnd[r]];
  }

  convert(columns: readonly ColumnBuilder[], base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    this.failMalformed(rowStart, rowEnd, failures);
    const fields = this.schema.fields;
    for (let c = 0; c < fields.length; c++) {
      const builder = columns[c];
      if (builder.kind === 'string') this.convertStrings(c, builder, base, rowStart, rowEnd, failures);
      else this.convertNumbers(c, builder, base, rowStart, rowEnd, failures);
    }
  }

  /** Flags records the tokenizer found malformed (field count, quoting). */
  private failMalformed(rowStart: number, rowEnd: number, failures: RowFailures): void {
    const tokenizer = this.tokenizer;
    for (let r = rowStart; r < rowEnd; r++) {
      const status = tokenizer.recordStatus[r];
      if (status === recordOk || !failures.wants(r)) continue;
      const line = tokenizer.recordLine[r];
      const error = status === recordFieldCount
        ? fieldCountError(this.file, line, this.schema.fields.length, tokenizer.recordFields[r], this.options.delimiter)
        : badQuoteError(this.file, line, tokenizer.recordProblemField[r], status === recordUnterminatedQuote);
      failures.fail(r, error);
    }
  }

  private convertNumbers(c: number, builder: NumericColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    const type = this.schema.fields[c].type;
    switch (type.id) {
      case 'boolean': return this.convertBooleans(c, builder, base, rowStart, rowEnd, failures);
      case 'int16': return this.convertIntegers(c, builder, base, rowStart, rowEnd, failures, int16Min, int16Max);
      case 'int32': return this.convertIntegers(c, builder, base, rowStart, rowEnd, failures, int32Min, int32Max);
      case 'int64': return this.convertIntegers(c, builder, base, rowStart, rowEnd, failures, -exactIntegerMax, exactIntegerMax);
      case 'float64': return this.convertFloats(c, builder, base, rowStart, rowEnd, failures);
      case 'decimal': return this.convertDecimals(c, builder, base, rowStart, rowEnd, failures);
      case 'date': return this.convertDates(c, builder, base, rowStart, rowEnd, failures);
      case 'timestamp': return this.convertTimestamps(c, builder, base, rowStart, rowEnd, failures);
      default:
        throw new StrataError('not_supported', 'INGEST_TYPE_NOT_SUPPORTED', `column ${this.schema.fields[c].name}: ingest cannot load ${typeToSql(type)} values`);
    }
  }

  /** True when field f (a flat index) is a NULL marker; quoted fields never are. */
  private isNull(f: number): boolean {
    const tokenizer = this.tokenizer;
    if (tokenizer.fieldFlags[f] !== 0) return false;
    const start = tokenizer.fieldStart[f];
    const end = tokenizer.fieldEnd[f];
    if (this.emptyIsTheOnlyNull) return start === end;
    const data = this.data;
    for (const marker of this.nullMarkers) {
      if (marker.length !== end - start) continue;
      let same = true;
      for (let k = 0; k < marker.length && same; k++) same = marker[k] === data[start + k];
      if (same) return true;
    }
    return false;
  }

  /** Handles a NULL at record r, column c, row i: a NULL value or a NOT NULL violation. */
  private setNull(builder: ColumnBuilder, field: Field, i: number, r: number, c: number, failures: RowFailures): void {
    if (field.nullable) { builder.setNull(i); return; }
    if (failures.wants(r)) failures.fail(r, nullViolationError(this.file, this.tokenizer.recordLine[r], c + 1, field.name));
  }

  /** The text of field f as the user wrote it (quotes removed, doubled quotes collapsed). */
  private fieldText(f: number): string {
    const tokenizer = this.tokenizer;
    const text = decodeUtf8(this.data, tokenizer.fieldStart[f], tokenizer.fieldEnd[f]);
    return (tokenizer.fieldFlags[f] & fieldEscapedQuotes) === 0 ? text : text.replaceAll('""', '"');
  }

  private badValue(r: number, c: number, failures: RowFailures, reason = ''): void {
    if (!failures.wants(r)) return;
    const field = this.schema.fields[c];
    const text = this.fieldText(r * this.tokenizer.columns + c);
    failures.fail(r, badValueError(this.file, this.tokenizer.recordLine[r], c + 1, field.name, field.type, text, reason));
  }

  private convertIntegers(c: number, builder: NumericColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures, min: number, max: number): void {
    const { fieldStart, fieldEnd, columns } = this.tokenizer;
    const field = this.schema.fields[c];
    const data = this.data;
    const values = builder.values as Int32Array | Float64Array;
    for (let r = rowStart, i = base; r < rowEnd; r++, i++) {
      const f = r * columns + c;
      if (this.isNull(f)) { this.setNull(builder, field, i, r, c, failures); continue; }
      const value = parseIntegerBytes(data, fieldStart[f], fieldEnd[f]);
      if (value >= min && value <= max) values[i] = value;
      else this.badValue(r, c, failures, Number.isNaN(value) ? '' : `out of range ${min} to ${max}`);
    }
  }

  private convertFloats(c: number, builder: NumericColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    const { fieldStart, fieldEnd, columns } = this.tokenizer;
    const field = this.schema.fields[c];
    const data = this.data;
    const values = builder.values as Float64Array;
    for (let r = rowStart, i = base; r < rowEnd; r++, i++) {
      const f = r * columns + c;
      if (this.isNull(f)) { this.setNull(builder, field, i, r, c, failures); continue; }
      let value: number | undefined = parseFloatBytes(data, fieldStart[f], fieldEnd[f]);
      if (Number.isNaN(value)) value = parseFloatText(this.fieldText(f));
      if (value === undefined) this.badValue(r, c, failures);
      else values[i] = value;
    }
  }

  private convertDecimals(c: number, builder: NumericColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    const { fieldStart, fieldEnd, columns } = this.tokenizer;
    const field = this.schema.fields[c];
    const precision = field.type.precision ?? 18;
    const scale = field.type.scale ?? 0;
    const limit = powerOfTen(precision);
    const data = this.data;
    const values = builder.values as Float64Array;
    for (let r = rowStart, i = base; r < rowEnd; r++, i++) {
      const f = r * columns + c;
      if (this.isNull(f)) { this.setNull(builder, field, i, r, c, failures); continue; }
      let value = parseDecimalBytes(data, fieldStart[f], fieldEnd[f], scale);
      if (Number.isNaN(value)) value = parseDecimal(this.fieldText(f), scale) ?? NaN;
      if (value > -limit && value < limit) values[i] = value;
      else this.badValue(r, c, failures, Number.isNaN(value) ? '' : `more than ${precision - scale} digits before the decimal point`);
    }
  }

  private convertDates(c: number, builder: NumericColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    const { fieldStart, fieldEnd, columns } = this.tokenizer;
    const field = this.schema.fields[c];
    const data = this.data;
    const values = builder.values as Int32Array;
    for (let r = rowStart, i = base; r < rowEnd; r++, i++) {
      const f = r * columns + c;
      if (this.isNull(f)) { this.setNull(builder, field, i, r, c, failures); continue; }
      let value = parseDateBytes(data, fieldStart[f], fieldEnd[f]);
      if (Number.isNaN(value)) value = parseDate(this.fieldText(f)) ?? NaN;
      if (value >= int32Min && value <= int32Max) values[i] = value;
      else this.badValue(r, c, failures, 'expected YYYY-MM-DD');
    }
  }

  private convertTimestamps(c: number, builder: NumericColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    const { fieldStart, fieldEnd, columns } = this.tokenizer;
    const field = this.schema.fields[c];
    const data = this.data;
    const values = builder.values as Float64Array;
    for (let r = rowStart, i = base; r < rowEnd; r++, i++) {
      const f = r * columns + c;
      if (this.isNull(f)) { this.setNull(builder, field, i, r, c, failures); continue; }
      let value = parseTimestampBytes(data, fieldStart[f], fieldEnd[f]);
      if (Number.isNaN(value)) value = parseTimestamp(this.fieldText(f)) ?? NaN;
      if (Number.isNaN(value)) this.badValue(r, c, failures, 'expected YYYY-MM-DD HH:MM:SS[.ffffff][Z|±HH:MM]');
      else values[i] = value;
    }
  }

  private convertBooleans(c: number, builder: NumericColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    const { fieldStart, fieldEnd, columns } = this.tokenizer;
    const field = this.schema.fields[c];
    const data = this.data;
    const values = builder.values as Uint8Array;
    for (let r = rowStart, i = base; r < rowEnd; r++, i++) {
      const f = r * columns + c;
      if (this.isNull(f)) { this.setNull(builder, field, i, r, c, failures); continue; }
      const value = parseBooleanBytes(data, fieldStart[f], fieldEnd[f]);
      if (value >= 0) values[i] = value;
      else this.badValue(r, c, failures, 'expected true/false, t/f, 1/0 or yes/no');
    }
  }

  private convertStrings(c: number, builder: StringColumnBuilder, base: number, rowStart: number, rowEnd: number, failures: RowFailures): void {
    const { fieldStart, fieldEnd, fieldFlags, columns } = this.tokenizer;
    const field = this.schema.fields[c];
    const data = this.data;
    for (let r = rowStart, i = base; r < rowEnd; r++, i++) {
      const f = r * columns + c;
      if (this.isNull(f)) { this.setNull(builder, field, i, r, c, failures); continue; }
      if ((fieldFlags[f] & fieldEscapedQuotes) === 0) builder.setBytes(i, data, fieldStart[f], fieldEnd[f]);
      else builder.setString(i, this.fieldText(f));
    }
  }
}
