/**
 * Fast parsers that read values straight from UTF-8 bytes, for the common spellings only.
 *
 * Each returns NaN (or -1 for booleans) when the text is not in its fast form; the caller then
 * decodes the text and asks storage/values.ts, which stays the one authority on what a value
 * means. Where a fast parser accepts text it returns exactly what values.ts would.
 */
import { daysFromCivil } from '../storage/index.js';

const space = 0x20;
const tab = 0x09;
const plus = 0x2b;
const minus = 0x2d;
const dot = 0x2e;
const zero = 0x30;
const nine = 0x39;

/** Digits a float64 holds exactly, for the exact fast path of decimal-to-double conversion. */
const exactFloatDigitsMax = 15;
/** Powers of ten that are exact doubles (10^0 … 10^22), for the same fast path. */
const exactPowersOfTen: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** First index in [start, end) that is not a space or tab. */
export function skipBlanksForward(data: Uint8Array, start: number, end: number): number {
  while (start < end && (data[start] === space || data[start] === tab)) start++;
  return start;
}

/** One past the last index in [start, end) that is not a space or tab. */
export function skipBlanksBackward(data: Uint8Array, start: number, end: number): number {
  while (end > start && (data[end - 1] === space || data[end - 1] === tab)) end--;
  return end;
}

/**
 * A signed decimal integer ('-42', ' 7 '), or NaN. Values beyond 2^53 come back inexact but
 * still beyond the safe range, so a range check rejects them.
 */
export function parseIntegerBytes(data: Uint8Array, start: number, end: number): number {
  let i = skipBlanksForward(data, start, end);
  const stop = skipBlanksBackward(data, i, end);
  let negative = false;
  if (i < stop && (data[i] === minus || data[i] === plus)) negative = data[i++] === minus;
  if (i === stop) return NaN;
  let value = 0;
  for (; i < stop; i++) {
    const digit = data[i] - zero;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/**
 * The scaled integer of '[-+]digits[.digits]' at `scale`, rounded half away from zero like
 * values.ts parseDecimal; NaN when not in that form; ±Infinity when beyond 2^53.
 */
export function parseDecimalBytes(data: Uint8Array, start: number, end: number, scale: number): number {
  let i = skipBlanksForward(data, start, end);
  const stop = skipBlanksBackward(data, i, end);
  let negative = false;
  if (i < stop && (data[i] === minus || data[i] === plus)) negative = data[i++] === minus;
  let value = 0;
  let digits = 0;
  for (; i < stop && data[i] !== dot; i++, digits++) {
    const digit = data[i] - zero;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  let fractionDigits = 0;
  let roundUp = false;
  if (i < stop) {
    for (i++; i < stop; i++, fractionDigits++) {
      const digit = data[i] - zero;
      if (digit < 0 || digit > 9) return NaN;
      if (fractionDigits < scale) value = value * 10 + digit;
      else if (fractionDigits === scale) roundUp = digit >= 5;
    }
  }
  if (digits === 0 && fractionDigits === 0) return NaN;
  for (let k = fractionDigits; k < scale; k++) value *= 10;
  if (roundUp) value += 1;
  // value is a non-negative integer here, so one comparison does Number.isSafeInteger's job (a
  // call the profile showed at a fifth of this function's time).
  if (value > Number.MAX_SAFE_INTEGER) return negative ? -Infinity : Infinity;
  return negative ? -value : value;
}

/**
 * A double from '[-+]digits[.digits]' with at most 15 significant digits (exact: both parts
 * are exact doubles and one division rounds correctly), or NaN for any other spelling.
 */
export function parseFloatBytes(data: Uint8Array, start: number, end: number): number {
  let i = skipBlanksForward(data, start, end);
  const stop = skipBlanksBackward(data, i, end);
  let negative = false;
  if (i < stop && (data[i] === minus || data[i] === plus)) negative = data[i++] === minus;
  let value = 0;
  let digits = 0;
  let fractionDigits = 0;
  let seenDot = false;
  for (; i < stop; i++) {
    const byte = data[i];
    if (byte === dot && !seenDot) { seenDot = true; continue; }
    const digit = byte - zero;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
    digits++;
    if (seenDot) fractionDigits++;
  }
  if (digits === 0 || digits > exactFloatDigitsMax) return NaN;
  const result = fractionDigits === 0 ? value : value / exactPowersOfTen[fractionDigits];
  return negative ? -result : result;
}

function twoDigits(data: Uint8Array, at: number): number {
  const high = data[at] - zero;
  const low = data[at + 1] - zero;
  if (high < 0 || high > 9 || low < 0 || low > 9) return NaN;
  return high * 10 + low;
}

function fourDigits(data: Uint8Array, at: number): number {
  return twoDigits(data, at) * 100 + twoDigits(data, at + 2);
}

/**
 * Days since epoch of the first of each month of the years [monthTableYearFirst,
 * monthTableYearFirst + monthTableYears): a date parses with one lookup instead of the civil
 * calendar arithmetic (dates are a third of TPC-H lineitem's fields). Other years compute.
 */
const monthTableYearFirst = 1900;
const monthTableYears = 200;
const monthStartDays = (() => {
  const table = new Float64Array(monthTableYears * 12);
  for (let i = 0; i < table.length; i++) table[i] = daysFromCivil(monthTableYearFirst + Math.floor(i / 12), 1 + (i % 12), 1);
  return table;
})();

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since epoch of exactly 'YYYY-MM-DD' at data[at], or NaN (invalid or another form). */
function civilDate(data: Uint8Array, at: number): number {
  if (data[at + 4] !== minus || data[at + 7] !== minus) return NaN;
  const year = fourDigits(data, at);
  const month = twoDigits(data, at + 5);
  const day = twoDigits(data, at + 8);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) return NaN;
  const yearIndex = year - monthTableYearFirst;
  if (yearIndex >= 0 && yearIndex < monthTableYears) return monthStartDays[yearIndex * 12 + month - 1] + day - 1;
  return daysFromCivil(year, month, day);
}

/** Days since epoch of exactly 'YYYY-MM-DD', or NaN for anything else. */
export function parseDateBytes(data: Uint8Array, start: number, end: number): number {
  if (end - start !== 10) return NaN;
  return civilDate(data, start);
}

/**
 * Microseconds since epoch of 'YYYY-MM-DD HH:MM:SS' (or 'T' between), optionally with up to six
 * fraction digits and a 'Z', or NaN for anything else.
 */
export function parseTimestampBytes(data: Uint8Array, start: number, end: number): number {
  if (end - start < 19) return NaN;
  const separator = data[start + 10];
  if ((separator !== space && separator !== 0x54 && separator !== 0x74) || data[start + 13] !== 0x3a || data[start + 16] !== 0x3a) return NaN;
  const days = civilDate(data, start);
  const hour = twoDigits(data, start + 11);
  const minute = twoDigits(data, start + 14);
  const second = twoDigits(data, start + 17);
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  let i = start + 19;
  let stop = end;
  if (data[stop - 1] === 0x5a || data[stop - 1] === 0x7a) stop--;
  let fraction = 0;
  if (i < stop) {
    if (data[i] !== dot || stop - i - 1 < 1 || stop - i - 1 > 6) return NaN;
    let scale = 1_000_000;
    for (i++; i < stop; i++) {
      const digit = data[i] - zero;
      if (digit < 0 || digit > 9) return NaN;
      scale /= 10;
      fraction += digit * scale;
    }
  }
  return days * 86_400_000_000 + ((hour * 60 + minute) * 60 + second) * 1_000_000 + fraction;
}

/** 1 or 0 for true/false/t/f/1/0/yes/no in any case (blanks around allowed), else -1. */
export function parseBooleanBytes(data: Uint8Array, start: number, end: number): number {
  const i = skipBlanksForward(data, start, end);
  const stop = skipBlanksBackward(data, i, end);
  if (stop - i > 5) return -1;
  // Pack up to five lower-cased ASCII bytes into one number so one switch decides.
  let word = 0;
  for (let k = i; k < stop; k++) {
    const byte = data[k];
    word = word * 256 + (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte);
  }
  switch (word) {
    case 0x74: case 0x31: case 0x796573: case 0x74727565: return 1; // t 1 yes true
    case 0x66: case 0x30: case 0x6e6f: case 0x66616c7365: return 0; // f 0 no false
    default: return -1;
  }
}

/** True when every byte of data[start, end) is a decimal digit (and there is one). */
export function isDigits(data: Uint8Array, start: number, end: number): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) if (data[i] < zero || data[i] > nine) return false;
  return true;
}
