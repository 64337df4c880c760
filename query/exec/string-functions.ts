/**
 * String functions. When every argument but the string is constant, a function runs once per
 * dictionary entry and the codes are kept (a low-cardinality column costs a few calls per batch);
 * otherwise it runs per row. Lengths and positions count Unicode code points, as DuckDB does.
 */
import {
  allocateValues, numericVector, stringVector,
  type DataType, type StringVector, type Vector,
} from '../../storage/index.js';
import { castVector } from './cast.js';
import { numericOutOfRange } from './exec-errors.js';
import { isNullScalar, materialize, type Operand } from './operand.js';
import { nullVector, unionNulls } from './vector-ops.js';

/** String functions of this module. */
export type StringFunction =
  | 'concat' | 'lower' | 'upper' | 'length' | 'substring' | 'trim' | 'ltrim' | 'rtrim' | 'replace' | 'position'
  | 'starts_with' | 'ends_with' | 'contains' | 'left' | 'right' | 'lpad' | 'rpad' | 'reverse' | 'repeat' | 'split_part';

type Argument = string | number;
type Implementation = (s: string, a: Argument, b: Argument) => string | number | boolean;

const surrogates = /[\uD800-\uDFFF]/;

/** The code points of s (UTF-16 units when it has no surrogate pairs, which is the common case). */
function codePoints(s: string): string[] | string {
  return surrogates.test(s) ? Array.from(s) : s;
}

function slice(s: string, start: number, end: number): string {
  const points = codePoints(s);
  return typeof points === 'string' ? points.slice(start, end) : points.slice(start, end).join('');
}

function pointLength(s: string): number {
  const points = codePoints(s);
  return points.length;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const ascii = /^[\x00-\x7f]*$/;

/** s reversed by user-perceived characters (an emoji with its skin tone stays whole), as DuckDB does. */
function reverseGraphemes(s: string): string {
  if (ascii.test(s)) return s.split('').reverse().join('');
  return Array.from(graphemes.segment(s), (part) => part.segment).reverse().join('');
}

/** Characters whose one-to-one case mapping JS does not give (its mapping yields several characters). */
const simpleUpper: Record<string, string> = { 'ß': 'ẞ' };
const simpleLower: Record<string, string> = { 'İ': 'i' };

/** Case mapping one code point to one, as DuckDB (utf8proc) does: upper('straße') is 'STRAẞE', not 'STRASSE'. */
function simpleCaseMap(s: string, upper: boolean): string {
  let out = '';
  for (const c of s) {
    const mapped = upper ? c.toUpperCase() : c.toLowerCase();
    if (mapped.length === c.length || Array.from(mapped).length === 1) out += mapped;
    else out += (upper ? simpleUpper[c] : simpleLower[c]) ?? c;
  }
  return out;
}

/** DuckDB's substring: 1-based start, 0 is before the first character, negative counts from the end; negative length takes characters before start. */
export function substring(s: string, start: number, length: number): string {
  const total = pointLength(s);
  let from: number;
  let count = length;
  if (start > 0) from = start - 1;
  else if (start === 0) { from = 0; count -= 1; }
  else from = total + start;
  if (count < 0) { from += count; count = -count; }
  if (from < 0) { count += from; from = 0; }
  if (count <= 0 || from >= total) return '';
  return slice(s, from, Math.min(from + count, total));
}

function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  let start = 0;
  let end = s.length;
  while (left && start < end && chars.includes(s[start])) start++;
  while (right && end > start && chars.includes(s[end - 1])) end--;
  return s.slice(start, end);
}

function pad(s: string, length: number, fill: string, left: boolean): string {
  const size = pointLength(s);
  if (size >= length) return slice(s, 0, Math.max(length, 0));
  if (fill.length === 0) throw numericOutOfRange(left ? 'lpad' : 'rpad', 'insufficient padding: the fill string is empty');
  const fillPoints = Array.from(fill);
  let padding = '';
  for (let k = 0; k < length - size; k++) padding += fillPoints[k % fillPoints.length];
  return left ? padding + s : s + padding;
}

function splitPart(s: string, delimiter: string, index: number): string {
  const parts = delimiter === '' ? Array.from(s) : s.split(delimiter);
  if (index === 0) return '';
  const at = index > 0 ? index - 1 : parts.length + index;
  return at >= 0 && at < parts.length ? parts[at] : '';
}

function position(s: string, needle: string): number {
  const at = s.indexOf(needle);
  if (at <= 0) return at + 1;
  return surrogates.test(s) ? Array.from(s.slice(0, at)).length + 1 : at + 1;
}

/** Implementations over (string, second argument, third argument). */
const implementations: Record<Exclude<StringFunction, 'concat'>, Implementation> = {
  lower: (s) => (ascii.test(s) ? s.toLowerCase() : simpleCaseMap(s, false)),
  upper: (s) => (ascii.test(s) ? s.toUpperCase() : simpleCaseMap(s, true)),
  length: (s) => pointLength(s),
  reverse: (s) => reverseGraphemes(s),
  substring: (s, start, length) => substring(s, Number(start), length === undefined ? Number.MAX_SAFE_INTEGER : Number(length)),
  trim: (s, chars) => trimChars(s, chars === undefined ? ' ' : String(chars), true, true),
  ltrim: (s, chars) => trimChars(s, chars === undefined ? ' ' : String(chars), true, false),
  rtrim: (s, chars) => trimChars(s, chars === undefined ? ' ' : String(chars), false, true),
  replace: (s, from, to) => (from === '' ? s : s.split(String(from)).join(String(to))),
  position: (s, needle) => position(s, String(needle)),
  starts_with: (s, prefix) => s.startsWith(String(prefix)),
  ends_with: (s, suffix) => s.endsWith(String(suffix)),
  contains: (s, part) => s.includes(String(part)),
  left: (s, count) => {
    const k = Number(count);
    return k >= 0 ? slice(s, 0, k) : slice(s, 0, Math.max(pointLength(s) + k, 0));
  },
  right: (s, count) => {
    const k = Number(count);
    const size = pointLength(s);
    return k >= 0 ? slice(s, Math.max(size - k, 0), size) : slice(s, Math.min(-k, size), size);
  },
  lpad: (s, length, fill) => pad(s, Number(length), fill === undefined ? ' ' : String(fill), true),
  rpad: (s, length, fill) => pad(s, Number(length), fill === undefined ? ' ' : String(fill), false),
  repeat: (s, count) => (Number(count) > 0 ? s.repeat(Number(count)) : ''),
  split_part: (s, delimiter, index) => splitPart(s, String(delimiter), Number(index)),
};

/** Evaluates a string function; `type` is the call's result type. */
export function evaluateStringFunction(fn: StringFunction, type: DataType, args: readonly Operand[], n: number): Vector {
  if (fn === 'concat') return concat(type, args, n);
  if (args.some(isNullScalar)) return nullVector(type, n);
  const text = asStringVector(materialize(args[0], n));
  const rest = args.slice(1);
  const implementation = implementations[fn];
  if (rest.every((a) => a.kind === 'scalar') && text.dictionary.length <= n) {
    const a = rest.length > 0 ? scalarArgument(rest[0]) : undefined;
    const b = rest.length > 1 ? scalarArgument(rest[1]) : undefined;
    return perEntry(type, text, (s) => implementation(s, a as Argument, b as Argument), n);
  }
  return perRow(type, text, rest.map((a) => materialize(a, n)), implementation, n);
}

function scalarArgument(operand: Operand): Argument {
  const value = (operand as { value: unknown }).value;
  return typeof value === 'boolean' ? Number(value) : value as Argument;
}

function asStringVector(vector: Vector): StringVector {
  return vector.kind === 'string' ? vector : castVector(vector, { id: 'string' }) as StringVector;
}

/** Runs f once per dictionary entry and maps codes through the results. */
function perEntry(type: DataType, text: StringVector, f: (s: string) => string | number | boolean, n: number): Vector {
  const { dictionary, codes, nulls } = text;
  if (type.id === 'string') return stringVector(type, codes, dictionary.map((s) => f(s) as string), nulls);
  const results = dictionary.map(f);
  const out = allocateValues(type, n) as Float64Array;
  for (let i = 0; i < n; i++) out[i] = Number(results[codes[i]] ?? 0);
  return numericVector(type, out, nulls);
}

/** Value of row i of an argument vector, or null. */
function argumentAt(vector: Vector, i: number): Argument | null {
  if (vector.nulls !== null && vector.nulls[i] === 1) return null;
  if (vector.kind === 'string') return vector.dictionary[vector.codes[i]];
  return Number(vector.values[i]);
}

function perRow(type: DataType, text: StringVector, rest: readonly Vector[], f: Implementation, n: number): Vector {
  const nulls = new Uint8Array(n);
  const results: (string | number | boolean)[] = new Array(n);
  let anyNull = false;
  for (let i = 0; i < n; i++) {
    const a = rest.length > 0 ? argumentAt(rest[0], i) : undefined;
    const b = rest.length > 1 ? argumentAt(rest[1], i) : undefined;
    if ((text.nulls !== null && text.nulls[i] === 1) || a === null || b === null) {
      nulls[i] = 1;
      anyNull = true;
      results[i] = type.id === 'string' ? '' : 0;
      continue;
    }
    results[i] = f(text.dictionary[text.codes[i]], a as Argument, b as Argument);
  }
  if (type.id === 'string') {
    const codes = Int32Array.from({ length: n }, (_, i) => i);
    return stringVector(type, codes, results as string[], anyNull ? nulls : null);
  }
  const out = allocateValues(type, n) as Float64Array;
  for (let i = 0; i < n; i++) out[i] = Number(results[i]);
  return numericVector(type, out, anyNull ? nulls : null);
}

/**
 * concat(a, b, …) as the binder uses it for ||: NULL when any argument is NULL (the concat()
 * function form wraps its arguments in coalesce(x, '') to skip NULLs, as DuckDB's concat does).
 */
function concat(type: DataType, args: readonly Operand[], n: number): Vector {
  if (args.some(isNullScalar)) return nullVector(type, n);
  const parts = args.map((a) => (a.kind === 'scalar' ? String(a.value) : asStringVector(a)));
  const vectors = parts.filter((p): p is StringVector => typeof p !== 'string');
  if (vectors.length === 0) return stringVector(type, new Int32Array(n), [parts.join('')]);
  if (vectors.length === 1 && vectors[0].dictionary.length <= n) {
    // One column among constants: build the result once per dictionary entry.
    const column = vectors[0];
    const dictionary = column.dictionary.map((s) => parts.map((p) => (typeof p === 'string' ? p : s)).join(''));
    return stringVector(type, column.codes, dictionary, column.nulls);
  }
  let nulls: Uint8Array | null = null;
  for (const v of vectors) nulls = unionNulls(nulls, v.nulls, n);
  const dictionary: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) { dictionary[i] = ''; continue; }
    let text = '';
    for (const part of parts) text += typeof part === 'string' ? part : part.dictionary[part.codes[i]];
    dictionary[i] = text;
  }
  return stringVector(type, Int32Array.from({ length: n }, (_, i) => i), dictionary, nulls);
}
