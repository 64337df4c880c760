/**
 * Proleptic Gregorian calendar arithmetic on days since 1970-01-01 without allocating: the
 * per-row kernels of date_part, date_trunc and month arithmetic call these in their loops.
 */
import { daysFromCivil } from '../../storage/index.js';

/** Microseconds in one day. */
export const microsPerDay = 86_400_000_000;

/** Year, month (1-12) and day (1-31) of the last `toCivil` call; reused to avoid allocation. */
export const civil = new Int32Array(3);

/** Splits days since epoch into year, month, day, written to `civil`. */
export function toCivil(days: number): void {
  // Howard Hinnant's civil_from_days, as storage/values.ts, but writing into a shared array.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  civil[0] = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  civil[1] = month;
  civil[2] = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
}

/** True in a leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since epoch of `days` moved by `months` calendar months, the day clamped to the month's end (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(days: number, months: number): number {
  toCivil(days);
  const total = civil[0] * 12 + (civil[1] - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(civil[2], daysInMonth(year, month));
  return daysFromCivil(year, month, day);
}

/** Day of week, 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function dayOfWeek(days: number): number {
  const dow = (days + 4) % 7;
  return dow < 0 ? dow + 7 : dow;
}

/** Days since epoch of the Monday on or before `days`. */
export function mondayOnOrBefore(days: number): number {
  return days - ((dayOfWeek(days) + 6) % 7);
}

/** ISO 8601 week-numbering year and week of a date, written to civil[0] (year) and civil[1] (week). */
export function toIsoWeek(days: number): void {
  // The ISO week belongs to the year holding its Thursday.
  const thursday = mondayOnOrBefore(days) + 3;
  toCivil(thursday);
  const isoYear = civil[0];
  const firstThursday = mondayOnOrBefore(daysFromCivil(isoYear, 1, 4)) + 3;
  civil[0] = isoYear;
  civil[1] = Math.floor((thursday - firstThursday) / 7) + 1;
}
