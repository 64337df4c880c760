/**
 * Zone maps per record batch: min, max and NULL count of every column in every batch, kept in
 * the schema metadata under `strata.zones`, so a scan can skip batches a predicate rules out
 * (partition-level stats live in the commit log; these refine them 16-fold for 1 M-row partitions).
 */
import type { ColumnChunk, StringChunk } from './partition-column-chunk.js';
import { columnRange } from './partition-stats.js';
import type { StatValue } from './table-types.js';
import type { DataType } from './types.js';

/** Min, max (null when every row is NULL) and NULL count of one column in one record batch. */
export interface ZoneStats {
  readonly min: StatValue;
  readonly max: StatValue;
  readonly nullCount: number;
}

/** What a batch filter sees of one record batch: per table column its zone, or null when unknown. */
export interface BatchZone {
  readonly index: number;
  readonly rows: number;
  readonly columns: readonly (ZoneStats | null)[];
}

/** Decides from a batch's zone map whether a scan needs the batch; returning false skips it. */
export type BatchFilter = (zone: BatchZone) => boolean;

/**
 * Longest string kept as a zone bound: a prefix of the minimum still bounds it from below; a
 * longer maximum leaves the column's zone unknown rather than bloat the footer.
 */
export const zoneStringCharsMax = 64;

function countNulls(nulls: Uint8Array | null, start: number, end: number): number {
  if (nulls === null) return 0;
  let count = 0;
  for (let i = start; i < end; i++) count += nulls[i];
  return count;
}

function stringZoneRange(chunk: StringChunk, start: number, end: number): { min: string | null; max: string | null } {
  const { codes, nulls, dictionary } = chunk;
  // Dictionary columns repeat codes: compare each entry once per batch. Plain columns rarely repeat.
  const seen = dictionary.length <= 65_536 ? new Uint8Array(dictionary.length) : null;
  let min: string | null = null;
  let max: string | null = null;
  for (let i = start; i < end; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const code = codes[i];
    if (seen !== null) {
      if (seen[code] === 1) continue;
      seen[code] = 1;
    }
    const value = dictionary[code];
    if (min === null || value < min) min = value;
    if (max === null || value > max) max = value;
  }
  return { min, max };
}

/** The zone of rows [start, end) of a column chunk of `type`, or null when it is not worth keeping. */
export function columnZone(chunk: ColumnChunk, type: DataType, start: number, end: number): ZoneStats | null {
  const nullCount = countNulls(chunk.nulls, start, end);
  if (chunk.kind === 'string') {
    const { min, max } = stringZoneRange(chunk, start, end);
    if (max !== null && max.length > zoneStringCharsMax) return null;
    return { min: min === null ? null : min.slice(0, zoneStringCharsMax), max, nullCount };
  }
  const slice = { kind: 'numeric' as const, values: chunk.values.subarray(start, end), nulls: chunk.nulls?.subarray(start, end) ?? null, nullCount };
  const { min, max } = columnRange(slice, type, null);
  return { min, max, nullCount };
}

/** JSON of a stat value; NaN and ±Infinity as {"$number": "…"} as in the commit log. */
function statJson(value: StatValue): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value;
}

function statValue(json: unknown): StatValue {
  if (json !== null && typeof json === 'object') {
    const text = (json as { $number?: unknown }).$number;
    if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return Number(text);
    throw new TypeError('a zone bound is not a value');
  }
  if (json === null || typeof json === 'number' || typeof json === 'string' || typeof json === 'boolean') return json;
  throw new TypeError('a zone bound is not a value');
}

/** The `strata.zones` value of a file: per batch, per column [min, max, nullCount] or null. */
export function encodeZones(zones: readonly (readonly (ZoneStats | null)[])[]): string {
  return JSON.stringify({ batches: zones.map((batch) => batch.map((zone) => (zone === null ? null : [statJson(zone.min), statJson(zone.max), zone.nullCount]))) });
}

/** Parses `strata.zones`; throws TypeError when it does not match `batches` batches of `columns` columns. */
export function decodeZones(text: string, batches: number, columns: number): (ZoneStats | null)[][] {
  const parsed = JSON.parse(text) as { batches?: unknown };
  if (!Array.isArray(parsed.batches) || parsed.batches.length !== batches) throw new TypeError('zone maps do not match the record batches');
  return parsed.batches.map((batch: unknown) => {
    if (!Array.isArray(batch) || batch.length !== columns) throw new TypeError('a zone map does not match the columns');
    return batch.map((zone: unknown) => {
      if (zone === null) return null;
      if (!Array.isArray(zone) || zone.length !== 3 || !Number.isSafeInteger(zone[2])) throw new TypeError('a zone is malformed');
      return { min: statValue(zone[0]), max: statValue(zone[1]), nullCount: zone[2] as number };
    });
  });
}
