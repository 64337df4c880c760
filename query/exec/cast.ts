/**
 * CAST between all types. Numbers convert with DuckDB's rounding (double to integer: half to
 * even; decimal to integer or to a smaller scale: half away from zero) and range checks; text
 * is parsed once per dictionary entry; anything formats to text with DuckDB's spelling. A value
 * that does not convert raises INVALID_CAST naming the value and both types, but only when a
 * non-NULL row actually holds it.
 */
import {
  allocateValues, exactIntegerMax, formatDecimal, numericVector, sameType, stringVector, typeToSql,
  type DataType, type NumericArray, type NumericVector, type StringVector, type Vector,
} from '../../storage/index.js';
import { invalidCast } from './exec-errors.js';
import { divideRounded, formatBigDecimal, isWideDecimal, rescale, rescaleBig, scaleOf, tenTo } from './decimal.js';
import { microsPerDay } from './calendar.js';
import {
  formatDateText, formatDouble, formatTimestampText, parseBoolean, parseDateText, parseDecimalText, parseDouble,
  parseNumber, parseTimestampText,
} from './cast-text.js';
import { withType } from './vector-ops.js';

const integerRanges: Record<string, [number, number]> = {
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-exactIntegerMax, exactIntegerMax],
};

/** Largest magnitude a DECIMAL(p, s) scaled integer may have (p digits, and exact in a double). */
function decimalLimit(type: DataType): number {
  return Math.min(tenTo(type.precision ?? 18) - 1, exactIntegerMax);
}

/** Converts a vector to another type. */
export function castVector(vector: Vector, to: DataType): Vector {
  const from = vector.type;
  if (sameType(from, to)) return withType(vector, to);
  if (vector.kind === 'string') return to.id === 'string' ? withType(vector, to) : castFromString(vector, to);
  if (to.id === 'string') return castToString(vector, to);
  return castNumeric(vector, to);
}

/** Rounds half to even (C's nearbyint), as DuckDB casts doubles to integers. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return (r - v === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

/** Rounds half away from zero. */
function roundHalfAway(v: number): number {
  return (v < 0 ? -Math.round(-v) : Math.round(v)) + 0;
}

/** Text of row i for an error message. */
function valueText(vector: NumericVector, i: number): string {
  const v = vector.values[i];
  if (vector.type.id === 'decimal') return typeof v === 'bigint' ? formatBigDecimal(v, scaleOf(vector.type)) : formatDecimal(v, scaleOf(vector.type));
  if (vector.type.id === 'float64') return formatDouble(v as number);
  return String(v);
}

function castNumeric(vector: NumericVector, to: DataType): Vector {
  const from = vector.type;
  const n = vector.length;
  if (from.id === 'date' && to.id === 'timestamp') return mapValues(vector, to, (v) => v * microsPerDay);
  if (from.id === 'timestamp' && to.id === 'date') return mapValues(vector, to, (v) => Math.floor(v / microsPerDay));
  const temporal = (t: DataType): boolean => t.id === 'date' || t.id === 'timestamp' || t.id === 'interval';
  if (temporal(from) || temporal(to)) throw invalidCast(`a ${typeToSql(from)} value`, from, to, 'no conversion between these types');
  if (isWideDecimal(from) || isWideDecimal(to)) return castWide(vector, to);
  if (to.id === 'boolean') return mapValues(vector, to, (v) => (v !== 0 ? 1 : 0));
  if (to.id === 'float64') {
    const divisor = tenTo(scaleOf(from));
    return divisor === 1 ? mapValues(vector, to, (v) => v) : mapValues(vector, to, (v) => v / divisor);
  }
  let convert: (v: number) => number;
  let limit: number;
  let low: number;
  if (to.id === 'decimal') {
    const scale = scaleOf(to);
    limit = decimalLimit(to);
    low = -limit;
    if (from.id === 'float64') convert = (v) => roundHalfAway(v * tenTo(scale));
    else convert = (v) => rescale(v, scaleOf(from), scale);
  } else {
    [low, limit] = integerRanges[to.id];
    if (from.id === 'float64') convert = roundHalfEven;
    else if (from.id === 'decimal') convert = (v) => divideRounded(v, tenTo(scaleOf(from))) + 0;
    else convert = (v) => v;
  }
  const out = allocateValues(to, n) as Float64Array;
  const source = vector.values as Float64Array;
  const nulls = vector.nulls;
  for (let i = 0; i < n; i++) {
    const r = convert(source[i]);
    out[i] = r;
    if (!(r >= low && r <= limit) && (nulls === null || nulls[i] === 0)) {
      throw invalidCast(valueText(vector, i), from, to, 'value out of range for the target type');
    }
  }
  return numericVector(to, out, nulls);
}

function mapValues(vector: NumericVector, to: DataType, convert: (v: number) => number): Vector {
  const n = vector.length;
  const out = allocateValues(to, n) as Float64Array;
  const source = vector.values as Float64Array;
  for (let i = 0; i < n; i++) out[i] = convert(source[i]);
  return numericVector(to, out, vector.nulls);
}

/** Casts where the source or target is a wide (BigInt64) decimal. */
function castWide(vector: NumericVector, to: DataType): Vector {
  const n = vector.length;
  const from = vector.type;
  const fromScale = scaleOf(from);
  const out = allocateValues(to, n);
  for (let i = 0; i < n; i++) {
    if (vector.nulls !== null && vector.nulls[i] === 1) continue;
    const v = vector.values[i];
    const big = typeof v === 'bigint' ? v : from.id === 'float64' ? BigInt(roundHalfAway((v as number) * tenTo(scaleOf(to)))) : BigInt(v);
    const bigScale = from.id === 'float64' ? scaleOf(to) : fromScale;
    if (to.id === 'float64') (out as Float64Array)[i] = Number(big) / tenTo(bigScale);
    else if (to.id === 'boolean') (out as Uint8Array)[i] = big !== 0n ? 1 : 0;
    else {
      const scaled = rescaleBig(big, bigScale, scaleOf(to));
      const limit = out instanceof BigInt64Array ? (1n << 63n) - 1n : BigInt(to.id === 'decimal' ? decimalLimit(to) : integerRanges[to.id][1]);
      if (scaled > limit || scaled < -limit) throw invalidCast(valueText(vector, i), from, to, 'value out of range for the target type');
      if (out instanceof BigInt64Array) out[i] = scaled;
      else (out as Float64Array)[i] = Number(scaled);
    }
  }
  return numericVector(to, out, vector.nulls);
}

/** The parser of text into the in-memory units of `to`, returning null for bad text. */
function textParser(to: DataType): (text: string) => number | null {
  switch (to.id) {
    case 'boolean': return (text) => parseBoolean(text.trim() === text ? text : '?');
    case 'float64': return parseDouble;
    case 'date': return parseDateText;
    case 'timestamp': return parseTimestampText;
    case 'decimal': {
      const scale = scaleOf(to);
      const limit = decimalLimit(to);
      return (text) => {
        const value = parseDecimalText(text, scale);
        return value === null || Math.abs(value) > limit ? null : value;
      };
    }
    case 'interval': return () => null;
    default: {
      const [low, high] = integerRanges[to.id];
      return (text) => {
        const value = parseNumber(text);
        if (value === null) return null;
        const rounded = roundHalfAway(value);
        return rounded >= low && rounded <= high ? rounded : null;
      };
    }
  }
}

function castFromString(vector: StringVector, to: DataType): Vector {
  const n = vector.length;
  const parse = textParser(to);
  const { codes, dictionary, nulls } = vector;
  // Wide decimal targets are parsed as doubles first (exact up to 2^53) and widened at the end.
  const out: NumericArray = isWideDecimal(to) ? new Float64Array(n) : allocateValues(to, n);
  const fail = (text: string): never => {
    throw invalidCast(`'${text}'`, vector.type, to, to.id === 'interval' ? 'intervals are constants only' : '');
  };
  if (dictionary.length <= n) {
    // Parse each dictionary entry once; an entry no non-NULL row uses may be bad without harm.
    const parsed = new Float64Array(dictionary.length);
    const bad = new Uint8Array(dictionary.length);
    for (let d = 0; d < dictionary.length; d++) {
      const value = parse(dictionary[d]);
      if (value === null) bad[d] = 1;
      else parsed[d] = value;
    }
    for (let i = 0; i < n; i++) {
      const code = codes[i];
      if (bad[code] === 1 && (nulls === null || nulls[i] === 0)) fail(dictionary[code]);
      (out as Float64Array)[i] = parsed[code];
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const value = parse(dictionary[codes[i]]);
      if (value === null) fail(dictionary[codes[i]]);
      (out as Float64Array)[i] = value as number;
    }
  }
  if (isWideDecimal(to)) return numericVector(to, BigInt64Array.from(out as Float64Array, (v) => BigInt(v)), nulls);
  return numericVector(to, out, nulls);
}

/** The formatter of in-memory values of `from` as DuckDB spells them. */
function textFormatter(from: DataType): (v: number | bigint) => string {
  const scale = scaleOf(from);
  switch (from.id) {
    case 'boolean': return (v) => (v === 1 ? 'true' : 'false');
    case 'float64': return (v) => formatDouble(v as number);
    case 'decimal': return (v) => (typeof v === 'bigint' ? formatBigDecimal(v, scale) : formatDecimal(v, scale));
    case 'date': return (v) => formatDateText(v as number);
    case 'timestamp': return (v) => formatTimestampText(v as number);
    default: return (v) => String(v);
  }
}

function castToString(vector: NumericVector, to: DataType): Vector {
  const n = vector.length;
  const format = textFormatter(vector.type);
  const codes = new Int32Array(n);
  const dictionary: string[] = [];
  const index = new Map<number | bigint, number>();
  const { values, nulls } = vector;
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const v = values[i];
    let code = index.get(v);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(format(v));
      index.set(v, code);
    }
    codes[i] = code;
  }
  return stringVector(to, codes, dictionary, nulls);
}
