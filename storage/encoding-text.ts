/**
 * The 'joined' text encoding: the UTF-8 of a batch's rows joined by a separator byte no row
 * contains. Arrow's per-row int32 offsets are nearly incompressible (a third of a short-text
 * column after zstd); a separator costs one well-predicted byte, and decoding is one split.
 */
import { StrataError } from './errors.js';
import { joinedSeparators } from './encoding-spec.js';

/** Rows of a string column as UTF-8: row i is data[offsets[codes[i]] .. offsets[codes[i] + 1]). */
export interface TextRows {
  readonly data: Uint8Array;
  readonly offsets: Int32Array;
  readonly codes: Int32Array;
  readonly nulls: Uint8Array | null;
}

/** The first of joinedSeparators that `data` does not contain, or null when it holds them all. */
export function chooseSeparator(data: Uint8Array): number | null {
  for (const separator of joinedSeparators) {
    if (data.indexOf(separator) < 0) return separator;
  }
  return null;
}

/** UTF-8 of rows [start, end) joined by `separator` (NULL rows are empty). */
export function joinRows(rows: TextRows, start: number, end: number, separator: number): Uint8Array {
  const { data, offsets, codes, nulls } = rows;
  let total = end - start - 1;
  for (let i = start; i < end; i++) {
    if (nulls === null || nulls[i] === 0) total += offsets[codes[i] + 1] - offsets[codes[i]];
  }
  const out = new Uint8Array(Math.max(total, 0));
  let at = 0;
  for (let i = start; i < end; i++) {
    if (i > start) out[at++] = separator;
    if (nulls !== null && nulls[i] === 1) continue;
    const to = offsets[codes[i] + 1];
    for (let j = offsets[codes[i]]; j < to; j++) out[at++] = data[j];
  }
  return out;
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/** The `rows` strings of a joined buffer; corruption when the separator count is off. */
export function splitJoined(bytes: Uint8Array, rows: number, separator: number, where: string): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  // latin1 is a plain byte copy; for ASCII it equals UTF-8 and is several times faster.
  const text = buffer.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const strings = text.split(String.fromCharCode(separator));
  if (strings.length !== rows) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT',
      `${where}: joined text holds ${strings.length} rows, the batch ${rows}; restore the partition from a backup`);
  }
  return strings;
}

/** Strings of UTF-8 `data` cut at `offsets` (count + 1 of them, already validated). */
export function stringsOfUtf8(offsets: Int32Array, data: Uint8Array, count: number): string[] {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.length);
  const strings = new Array<string>(count);
  if (isAscii(data)) {
    // One latin1 decode of the whole buffer, then slices: far cheaper than a decode per row.
    const whole = buffer.toString('latin1');
    for (let i = 0; i < count; i++) strings[i] = whole.slice(offsets[i], offsets[i + 1]);
  } else {
    for (let i = 0; i < count; i++) strings[i] = buffer.toString('utf8', offsets[i], offsets[i + 1]);
  }
  return strings;
}
