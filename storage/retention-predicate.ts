/**
 * The row predicates of retention, legal holds and purge: one column compared with a list of
 * values or a half-open range [from, to), in the in-memory units of vector.ts (days, microseconds,
 * scaled integers, 0/1 for booleans) or strings. Evaluated a column at a time over typed arrays,
 * and against partition min/max statistics to skip partitions that cannot match.
 */
import { StrataError } from './errors.js';
import type { ColumnStats, PartitionMeta } from './table-types.js';
import type { Schema } from './types.js';
import type { Vector } from './vector.js';

/** A value of a predicate: a number (in-memory units) or a string. */
export type PredicateValue = number | string;

/** Rows whose `column` equals one of `in`, or else lies in [from, to) (an absent end is open). NULL never matches. */
export interface RowPredicate {
  readonly column: string;
  readonly in?: readonly PredicateValue[];
  readonly from?: PredicateValue;
  readonly to?: PredicateValue;
}

/** A predicate checked against a schema: the column's position and whether it holds strings. */
export interface BoundPredicate {
  readonly predicate: RowPredicate;
  readonly column: number;
  readonly strings: boolean;
}

/** Binds `predicate` to `schema`; input PREDICATE_INVALID for an unknown column or values of the wrong kind. */
export function bindPredicate(schema: Schema, predicate: RowPredicate, table: string): BoundPredicate {
  const column = schema.fields.findIndex((field) => field.name.toLowerCase() === predicate.column.toLowerCase());
  const invalid = (problem: string): StrataError => new StrataError('input', 'PREDICATE_INVALID',
    `row condition on ${table}.${predicate.column}: ${problem}`, { table, columnName: predicate.column });
  if (column < 0) throw invalid(`the table has no such column; it has ${schema.fields.map((field) => field.name).join(', ')}`);
  const strings = schema.fields[column].type.id === 'string';
  const values = [...(predicate.in ?? []), ...(predicate.from === undefined ? [] : [predicate.from]), ...(predicate.to === undefined ? [] : [predicate.to])];
  if (predicate.in === undefined && predicate.from === undefined && predicate.to === undefined) throw invalid('give values or a range');
  if (predicate.in !== undefined && (predicate.from !== undefined || predicate.to !== undefined)) throw invalid('give values or a range, not both');
  for (const value of values) {
    if (strings ? typeof value !== 'string' : typeof value !== 'number' || Number.isNaN(value)) {
      throw invalid(`${JSON.stringify(value)} is not a ${strings ? 'string' : 'number'} like the column's values`);
    }
  }
  return { predicate, column, strings };
}

/** False when the partition's statistics prove no row can match. */
export function mayMatch(bound: BoundPredicate, meta: PartitionMeta): boolean {
  const stats = meta.columns[bound.column];
  if (stats === undefined) return true;
  if (stats.min === null || stats.max === null) return false; // every value is NULL
  const { predicate } = bound;
  if (predicate.in !== undefined) return predicate.in.some((value) => compare(value, stats.min!) >= 0 && compare(value, stats.max!) <= 0);
  if (predicate.from !== undefined && compare(stats.max, predicate.from) < 0) return false;
  if (predicate.to !== undefined && compare(stats.min, predicate.to) >= 0) return false;
  return true;
}

/** True when the statistics prove every row matches (no NULLs, min and max inside the range). */
export function matchesAll(bound: BoundPredicate, stats: ColumnStats | undefined, rows: number): boolean {
  const { predicate } = bound;
  if (stats === undefined || predicate.in !== undefined || stats.nullCount !== 0 || rows === 0 || stats.min === null || stats.max === null) return false;
  return (predicate.from === undefined || compare(stats.min, predicate.from) >= 0) && (predicate.to === undefined || compare(stats.max, predicate.to) < 0);
}

/** A byte per row of `vector`: 1 where the row matches. */
export function matchRows(bound: BoundPredicate, vector: Vector): Uint8Array {
  const mask = new Uint8Array(vector.length);
  if (vector.kind === 'string') {
    // Decide once per dictionary entry, then map codes: no string work per row.
    const entryMatches = new Uint8Array(vector.dictionary.length);
    for (let i = 0; i < vector.dictionary.length; i++) entryMatches[i] = matchesValue(bound.predicate, vector.dictionary[i]) ? 1 : 0;
    const codes = vector.codes;
    for (let i = 0; i < vector.length; i++) mask[i] = entryMatches[codes[i]];
  } else if (bound.predicate.in !== undefined) {
    const set = new Set(bound.predicate.in as number[]);
    const values = vector.values;
    for (let i = 0; i < vector.length; i++) mask[i] = set.has(Number(values[i])) ? 1 : 0;
  } else {
    const from = (bound.predicate.from as number | undefined) ?? -Infinity;
    const to = (bound.predicate.to as number | undefined) ?? Infinity;
    const values = vector.values;
    for (let i = 0; i < vector.length; i++) {
      const value = Number(values[i]);
      mask[i] = value >= from && value < to ? 1 : 0;
    }
  }
  const nulls = vector.nulls;
  if (nulls !== null) for (let i = 0; i < vector.length; i++) if (nulls[i] === 1) mask[i] = 0;
  return mask;
}

function matchesValue(predicate: RowPredicate, value: PredicateValue): boolean {
  if (predicate.in !== undefined) return predicate.in.includes(value);
  return (predicate.from === undefined || compare(value, predicate.from) >= 0) && (predicate.to === undefined || compare(value, predicate.to) < 0);
}

/** Orders numbers numerically (booleans as 0/1) and strings by UTF-16 code unit, as the statistics do. */
function compare(a: PredicateValue | boolean, b: PredicateValue | boolean): number {
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  return x < y ? -1 : x > y ? 1 : 0;
}
