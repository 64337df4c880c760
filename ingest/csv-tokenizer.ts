/**
 * The CSV tokenizer: a byte-level state machine that finds records and fields in a buffer and
 * records their offsets in typed arrays, without creating a string or object per row. Typed
 * conversion then reads the bytes a column at a time (csv-record-reader.ts).
 *
 * Dialect: RFC 4180 quoting (quoted fields may hold delimiters, doubled quotes and line breaks),
 * LF, CRLF or lone CR line ends, blank lines skipped, and one empty field after the last column
 * (the trailing delimiter TPC-H dbgen writes) ignored.
 */

/** Field flag: the field was quoted (its offsets exclude the quotes). */
export const fieldQuoted = 1;
/** Field flag: the quoted field holds doubled quotes that decoding must collapse. */
export const fieldEscapedQuotes = 2;

/** Record status: well formed. */
export const recordOk = 0;
/** Record status: the number of fields differs from the schema's. */
export const recordFieldCount = 1;
/** Record status: a character other than a delimiter or line end follows a closing quote. */
export const recordTextAfterQuote = 2;
/** Record status: a quoted field is still open at the end of the input. */
export const recordUnterminatedQuote = 3;

const quote = 0x22;
const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/** Records a tokenizer holds room for at first; it doubles as needed. */
const recordsInitial = 4096;

/** Tokenizes CSV bytes into per-record, per-field offsets. */
export class CsvTokenizer {
  /** Records found by the last scan (header excluded). */
  records = 0;
  /** 1-based line number where the next record starts. */
  line = 1;
  /** Per record: byte offsets of the whole record (end includes the line end). */
  recordStart: Int32Array = new Int32Array(recordsInitial);
  recordEnd: Int32Array = new Int32Array(recordsInitial);
  /** Per record: 1-based line where it starts. */
  recordLine: Float64Array = new Float64Array(recordsInitial);
  /** Per record: fields found and status (record* constants). */
  recordFields: Int32Array = new Int32Array(recordsInitial);
  recordStatus: Uint8Array = new Uint8Array(recordsInitial);
  /** Per record: 1-based field of a quoting problem. */
  recordProblemField: Int32Array = new Int32Array(recordsInitial);
  /** Per record and schema column (index record * columns + column): field offsets and flags. */
  fieldStart: Int32Array;
  fieldEnd: Int32Array;
  fieldFlags: Uint8Array;

  /**
   * True once a quoted field held a line feed or stayed open to the end of the input: then a
   * record may span lines, and byte ranges cut at line feeds may have cut through one.
   */
  quotedLineBreaks = false;

  private headerPending: boolean;
  private recordLines = 0;

  /** `columns` is the schema's column count; `delimiter` one byte; `header` skips the first record. */
  constructor(readonly columns: number, private readonly delimiter: number, header: boolean) {
    this.headerPending = header;
    this.fieldStart = new Int32Array(recordsInitial * columns);
    this.fieldEnd = new Int32Array(recordsInitial * columns);
    this.fieldFlags = new Uint8Array(recordsInitial * columns);
  }

  /**
   * Tokenizes the complete records in data[start, end) and returns the offset where the first
   * incomplete one begins (end when all are complete). With `final` the input ends at `end`, so
   * every record is complete.
   */
  scan(data: Uint8Array, start: number, end: number, final: boolean): number {
    this.records = 0;
    let position = start;
    while (position < end) {
      const byte = data[position];
      if (byte === lineFeed || byte === carriageReturn) {
        const next = lineEndAfter(data, position, end, final);
        if (next < 0) break;
        position = next;
        this.line++;
        continue;
      }
      if (this.records === this.recordStart.length) this.grow();
      const next = this.scanRecord(data, position, end, final);
      if (next < 0) break;
      this.finishRecord(position, next);
      position = next;
    }
    return position;
  }

  private finishRecord(start: number, end: number): void {
    const r = this.records;
    this.recordStart[r] = start;
    this.recordEnd[r] = end;
    this.recordLine[r] = this.line;
    this.line += 1 + this.recordLines;
    if (this.headerPending) {
      this.headerPending = false;
      return;
    }
    this.records = r + 1;
  }

  /** Scans one record at `position`; returns the offset after it, or -1 when incomplete. */
  private scanRecord(data: Uint8Array, position: number, end: number, final: boolean): number {
    const columns = this.columns;
    const delimiter = this.delimiter;
    const base = this.records * columns;
    const fieldStart = this.fieldStart;
    const fieldEnd = this.fieldEnd;
    const fieldFlags = this.fieldFlags;
    let field = 0;
    let status = recordOk;
    let problemField = 0;
    let extraFieldEmpty = true;
    this.recordLines = 0;
    for (;;) {
      let start = position;
      let stop: number;
      let flags = 0;
      if (position < end && data[position] === quote) {
        flags = fieldQuoted;
        start = position + 1;
        const close = this.findClosingQuote(data, start, end, final);
        if (close === -1) return -1;
        if (close === -2) {
          if (status === recordOk) { status = recordUnterminatedQuote; problemField = field + 1; }
          stop = end;
          position = end;
        } else {
          if (close < 0) { flags |= fieldEscapedQuotes; stop = -close - 3; } else stop = close;
          position = stop + 1;
          if (position < end && !isFieldEnd(data[position], delimiter)) {
            // Recover at the next delimiter or line end so the record can still be rejected whole.
            if (status === recordOk) { status = recordTextAfterQuote; problemField = field + 1; }
            while (position < end && !isFieldEnd(data[position], delimiter)) position++;
            if (position === end && !final) return -1;
          }
        }
      } else {
        // Line ends are below every printable byte: most bytes pass with two comparisons.
        while (position < end) {
          const byte = data[position];
          if (byte === delimiter || (byte <= carriageReturn && (byte === lineFeed || byte === carriageReturn))) break;
          position++;
        }
        if (position === end && !final) return -1;
        stop = position;
      }
      if (field < columns) {
        fieldStart[base + field] = start;
        fieldEnd[base + field] = stop;
        fieldFlags[base + field] = flags;
      } else if (field === columns) {
        extraFieldEmpty = stop === start && flags === 0;
      }
      field++;
      if (position === end) break;
      if (data[position] === delimiter) { position++; continue; }
      position = lineEndAfter(data, position, end, final);
      if (position < 0) return -1;
      break;
    }
    this.closeRecord(field, status, problemField, extraFieldEmpty, position);
    return position;
  }

  /** Records the field count and status, and fills missing fields so conversion stays uniform. */
  private closeRecord(fields: number, status: number, problemField: number, extraFieldEmpty: boolean, position: number): void {
    const columns = this.columns;
    const r = this.records;
    const countOk = fields === columns || (fields === columns + 1 && extraFieldEmpty);
    if (status === recordOk && !countOk) status = recordFieldCount;
    for (let f = fields; f < columns; f++) {
      this.fieldStart[r * columns + f] = position;
      this.fieldEnd[r * columns + f] = position;
      this.fieldFlags[r * columns + f] = 0;
    }
    this.recordFields[r] = fields;
    this.recordStatus[r] = status;
    this.recordProblemField[r] = problemField;
  }

  /**
   * Offset of the quote closing a field whose content starts at `start`; -(offset + 3) when the
   * field holds doubled quotes; -1 when the input may continue; -2 when it ends unclosed.
   */
  private findClosingQuote(data: Uint8Array, start: number, end: number, final: boolean): number {
    let escaped = false;
    let lines = 0;
    let i = start;
    for (;;) {
      if (i >= end) {
        if (!final) return -1;
        this.recordLines += lines;
        this.quotedLineBreaks = true;
        return -2;
      }
      const byte = data[i];
      if (byte === quote) {
        if (i + 1 < end) {
          if (data[i + 1] === quote) { escaped = true; i += 2; continue; }
        } else if (!final) {
          return -1;
        }
        this.recordLines += lines;
        if (lines > 0) this.quotedLineBreaks = true;
        return escaped ? -(i + 3) : i;
      }
      if (byte === lineFeed) lines++;
      i++;
    }
  }

  private grow(): void {
    const records = this.recordStart.length * 2;
    this.recordStart = resizeInt32(this.recordStart, records);
    this.recordEnd = resizeInt32(this.recordEnd, records);
    this.recordFields = resizeInt32(this.recordFields, records);
    this.recordProblemField = resizeInt32(this.recordProblemField, records);
    const lines = new Float64Array(records);
    lines.set(this.recordLine);
    this.recordLine = lines;
    const status = new Uint8Array(records);
    status.set(this.recordStatus);
    this.recordStatus = status;
    this.fieldStart = resizeInt32(this.fieldStart, records * this.columns);
    this.fieldEnd = resizeInt32(this.fieldEnd, records * this.columns);
    const flags = new Uint8Array(records * this.columns);
    flags.set(this.fieldFlags);
    this.fieldFlags = flags;
  }
}

function isFieldEnd(byte: number, delimiter: number): boolean {
  return byte === delimiter || byte === lineFeed || byte === carriageReturn;
}

/**
 * Offset after the line end at `position` (LF, CRLF or a lone CR), or -1 when a CR is the last
 * byte of a buffer that may continue (the LF may follow in the next chunk).
 */
function lineEndAfter(data: Uint8Array, position: number, end: number, final: boolean): number {
  if (data[position] === lineFeed) return position + 1;
  if (position + 1 < end) return data[position + 1] === lineFeed ? position + 2 : position + 1;
  return final ? position + 1 : -1;
}

function resizeInt32(array: Int32Array, length: number): Int32Array {
  const resized = new Int32Array(length);
  resized.set(array);
  return resized;
}
