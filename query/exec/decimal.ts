/**
 * Decimal helpers: scales, exact rescaling with rounding half away from zero (as PostgreSQL and
 * DuckDB round), and conversion between the float64 (p <= 18) and BigInt64 (p > 18) forms.
 */
import { exactIntegerMax, storedDecimalPrecisionMax, type DataType, type NumericArray } from '../../storage/index.js';

/** Scale of a decimal type; 0 for integers. */
export function scaleOf(type: DataType): number {
  return type.id === 'decimal' ? type.scale ?? 0 : 0;
}

/** True when a decimal type is held in a BigInt64Array (precision above 18). */
export function isWideDecimal(type: DataType): boolean {
  return type.id === 'decimal' && (type.precision ?? storedDecimalPrecisionMax) > storedDecimalPrecisionMax;
}

/** 10^n as a double (exact for n <= 22). */
export function tenTo(n: number): number {
  return 10 ** n;
}

/** 10^n as a bigint. */
export function bigTenTo(n: number): bigint {
  return 10n ** BigInt(n);
}

/** v / 10^digits rounded half away from zero, exact for |v| <= 2^53. */
export function divideRounded(v: number, divisor: number): number {
  let quotient = Math.trunc(v / divisor);
  let remainder = v - quotient * divisor;
  // v / divisor rounds in floating point; step the quotient back if it overshot.
  if (v >= 0 && remainder < 0) { quotient -= 1; remainder += divisor; }
  if (v < 0 && remainder > 0) { quotient += 1; remainder -= divisor; }
  if (2 * Math.abs(remainder) >= divisor) quotient += v < 0 ? -1 : 1;
  return quotient;
}

/** A scaled integer moved from scale `from` to scale `to` (rounded when the scale shrinks). */
export function rescale(v: number, from: number, to: number): number {
  if (to === from) return v;
  if (to > from) return v * tenTo(to - from);
  return divideRounded(v, tenTo(from - to));
}

/** A bigint scaled integer moved from scale `from` to `to`, rounded half away from zero. */
export function rescaleBig(v: bigint, from: number, to: number): bigint {
  if (to === from) return v;
  if (to > from) return v * bigTenTo(to - from);
  const divisor = bigTenTo(from - to);
  const quotient = v / divisor;
  const remainder = v - quotient * divisor;
  const twice = remainder < 0n ? -2n * remainder : 2n * remainder;
  if (twice >= divisor) return quotient + (v < 0n ? -1n : 1n);
  return quotient;
}

/** Rescales n values in place or into a new array (rows under NULL are rescaled too; harmless). */
export function rescaleArray(values: Float64Array, n: number, from: number, to: number): Float64Array {
  if (from === to) return values;
  const out = new Float64Array(n);
  if (to > from) {
    const factor = tenTo(to - from);
    for (let i = 0; i < n; i++) out[i] = values[i] * factor;
  } else {
    const divisor = tenTo(from - to);
    for (let i = 0; i < n; i++) out[i] = divideRounded(values[i], divisor);
  }
  return out;
}

/** First non-NULL row whose value lies beyond +-2^53, or -1. */
export function firstInexactRow(values: Float64Array, nulls: Uint8Array | null, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if ((v > exactIntegerMax || v < -exactIntegerMax) && (nulls === null || nulls[i] === 0)) return i;
  }
  return -1;
}

/** Decimal text of a scaled bigint. */
export function formatBigDecimal(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** The row of a numeric array as a bigint (exact for float64 scaled integers). */
export function bigAt(values: NumericArray, i: number): bigint {
  const v = values[i];
  return typeof v === 'bigint' ? v : BigInt(v);
}
