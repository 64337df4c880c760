/**
 * Text conversions of CAST, following DuckDB's accepted spellings: parsers return null for text
 * that is not a value (the caller raises INVALID_CAST naming it), formatters produce DuckDB's
 * canonical text (doubles as Python's repr: 100.0, 1e+16, 1e-05; timestamps without trailing
 * fraction zeros).
 */
import { formatDate, formatTimestamp, parseDate, parseDecimal, parseTimestamp } from '../../storage/index.js';
import { civil, microsPerDay, toCivil } from './calendar.js';

const numberPattern = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d+)?$/i;
const hexPattern = /^[+-]?0x[0-9a-f]+$/i;
const specialDoubles = new Map<string, number>([
  ['inf', Infinity], ['+inf', Infinity], ['-inf', -Infinity], ['infinity', Infinity], ['+infinity', Infinity],
  ['-infinity', -Infinity], ['nan', Number.NaN], ['+nan', Number.NaN], ['-nan', Number.NaN],
]);

/** A finite number written in decimal, exponent or hex notation (underscores between digits allowed), or null. */
export function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (hexPattern.test(trimmed)) {
    const negative = trimmed[0] === '-';
    const value = Number(trimmed.replace(/^[+-]/, ''));
    return negative ? -value : value;
  }
  if (!numberPattern.test(trimmed)) return null;
  return Number(trimmed.replace(/_/g, ''));
}

/** A double, including inf, -infinity and nan (not hex, which DuckDB takes only for integers), or null. */
export function parseDouble(text: string): number | null {
  const special = specialDoubles.get(text.trim().toLowerCase());
  if (special !== undefined) return special;
  return hexPattern.test(text.trim()) ? null : parseNumber(text);
}

/** 1 or 0 for DuckDB's boolean spellings (true/t/yes/y/1, false/f/no/n/0, any case), or null. */
export function parseBoolean(text: string): number | null {
  switch (text.toLowerCase()) {
    case 'true': case 't': case 'yes': case 'y': case '1': return 1;
    case 'false': case 'f': case 'no': case 'n': case '0': return 0;
    default: return null;
  }
}

/** The scaled integer of decimal text at `scale`, also accepting exponents ('1e2'), or null. */
export function parseDecimalText(text: string, scale: number): number | null {
  const plain = parseDecimal(text.replace(/_/g, ''), scale);
  if (plain !== null) return plain;
  const value = parseNumber(text);
  if (value === null) return null;
  const scaled = value * 10 ** scale;
  return scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
}

/** Days since epoch of a date, also accepting a timestamp (its time is dropped), or null. */
export function parseDateText(text: string): number | null {
  const days = parseDate(text);
  if (days !== null) return days;
  const micros = parseTimestamp(text);
  return micros === null ? null : Math.floor(micros / microsPerDay);
}

/** Microseconds since epoch of a timestamp or a date, or null. */
export function parseTimestampText(text: string): number | null {
  return parseTimestamp(text);
}

/** DuckDB's text of a double: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const exponential = value.toExponential();
  const at = exponential.indexOf('e');
  const exponent = Number(exponential.slice(at + 1));
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${exponential.slice(0, at)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const text = String(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}

/** DuckDB's text of a timestamp: fraction digits only as many as needed; years before 1 as '(BC)'. */
export function formatTimestampText(micros: number): string {
  const days = Math.floor(micros / microsPerDay);
  const text = formatTimestamp(micros);
  const time = text.slice(text.lastIndexOf(' ') + 1);
  return `${formatDateText(days)} ${time.includes('.') ? time.replace(/0+$/, '') : time}`;
}

/** DuckDB's text of a date: years before 1 as '0001-…-… (BC)' for year 0, and so on. */
export function formatDateText(days: number): string {
  toCivil(days);
  const year = civil[0];
  if (year > 0) return formatDate(days);
  const pad = (v: number, width: number): string => String(v).padStart(width, '0');
  return `${pad(1 - year, 4)}-${pad(civil[1], 2)}-${pad(civil[2], 2)} (BC)`;
}
