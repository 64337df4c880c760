/**
 * Conversions between text and the in-memory units of vector.ts, shared by ingest (parsing
 * files), the SQL binder (literals) and result formatting. Each parser returns null for text
 * that is not a valid value, and the caller turns that into an error with its own location.
 */

const microsPerSecond = 1_000_000;
const microsPerDay = 86_400 * microsPerSecond;

/** Days since 1970-01-01 of a proleptic Gregorian date (no range check). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Howard Hinnant's days_from_civil: exact integer arithmetic, no Date objects.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthIndex = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** [year, month, day] of days since 1970-01-01. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const datePattern = /^\s*(-?\d{1,6})-(\d{1,2})-(\d{1,2})\s*$/;
const timestampPattern = /^\s*(-?\d{1,6})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;

/** Days since epoch of 'YYYY-MM-DD', or null when invalid. */
export function parseDate(text: string): number | null {
  const match = datePattern.exec(text);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return daysFromCivil(year, month, day);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** 'YYYY-MM-DD' of days since epoch. */
export function formatDate(days: number): string {
  const [year, month, day] = civilFromDays(days);
  const yearText = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${yearText}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Microseconds since epoch of 'YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|±HH:MM]', or null. */
export function parseTimestamp(text: string): number | null {
  const match = timestampPattern.exec(text);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = match[4] === undefined ? 0 : Number(match[4]);
  const minute = match[5] === undefined ? 0 : Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const fraction = match[7] === undefined ? 0 : Math.round(Number(`0.${match[7]}`) * microsPerSecond);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  const zone = match[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  const days = daysFromCivil(year, month, day);
  return days * microsPerDay + ((hour * 60 + minute - offsetMinutes) * 60 + second) * microsPerSecond + fraction;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' of microseconds since epoch (fraction only when non-zero). */
export function formatTimestamp(micros: number): string {
  const days = Math.floor(micros / microsPerDay);
  let rest = micros - days * microsPerDay;
  const hour = Math.floor(rest / (3600 * microsPerSecond));
  rest -= hour * 3600 * microsPerSecond;
  const minute = Math.floor(rest / (60 * microsPerSecond));
  rest -= minute * 60 * microsPerSecond;
  const second = Math.floor(rest / microsPerSecond);
  const fraction = rest - second * microsPerSecond;
  const base = `${formatDate(days)} ${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
  return fraction === 0 ? base : `${base}.${pad(fraction, 6)}`;
}

const decimalPattern = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;
const powersOfTen: number[] = Array.from({ length: 19 }, (_, i) => 10 ** i);

/**
 * The scaled integer of decimal text at `scale` ('12.345' at scale 2 is 1235, rounded half away
 * from zero as PostgreSQL and DuckDB do), or null when the text is not a number or the value is
 * beyond +-2^53 (exact float64 range).
 */
export function parseDecimal(text: string, scale: number): number | null {
  const match = decimalPattern.exec(text);
  if (match === null) return null;
  const whole = match[2];
  const fraction = match[3] ?? '';
  if (whole.length === 0 && fraction.length === 0) return null;
  let value = 0;
  for (let i = 0; i < whole.length; i++) value = value * 10 + (whole.charCodeAt(i) - 48);
  for (let i = 0; i < scale; i++) value = value * 10 + (i < fraction.length ? fraction.charCodeAt(i) - 48 : 0);
  if (fraction.length > scale && fraction.charCodeAt(scale) - 48 >= 5) value += 1;
  if (!Number.isSafeInteger(value)) return null;
  return match[1] === '-' ? -value : value;
}

/** Text of a scaled integer at `scale`: 1235 at scale 2 is '12.35'. */
export function formatDecimal(value: number, scale: number): string {
  if (scale === 0) return String(value);
  const negative = value < 0;
  const digits = String(Math.abs(value)).padStart(scale + 1, '0');
  const text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** 10^n for n in 0..18. */
export function powerOfTen(n: number): number {
  return powersOfTen[n];
}
