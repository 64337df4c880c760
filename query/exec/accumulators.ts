/**
 * Per-group aggregate state in typed arrays, updated a batch at a time by tight loops over
 * (group id, value) pairs. Rows an aggregate must skip (FILTER, DISTINCT repeats) are removed by
 * the caller before update, so each loop has one shape.
 *
 * Exact sums: integer and decimal values are added in doubles while the running sum stays below
 * 2^53 in magnitude (where double addition of integers is exact) and spill into a bigint per
 * group when a step would leave that range, so sum(decimal) is exact to 64 bits (DECIMAL(38,s)
 * in a BigInt64Array) and sum(bigint) exact to 2^53.
 */
import {
  allocateValues, exactIntegerMax, numericVector, stringVector, typeToSql,
  type DataType, type NumericVector, type StringVector, type Vector,
} from '../../storage/index.js';
import type { AggregateExpr } from '../plan/index.js';
import { decimalOverflow, numericOutOfRange } from './exec-errors.js';
import { formatBigDecimal, rescaleBig, scaleOf, tenTo } from './decimal.js';
import { compareText } from './comparison.js';

/** The state of one aggregate over all groups. */
export interface Accumulator {
  /** Adds n rows: ids[i] is the group of row i, arg the argument (null for count(*)). */
  update(ids: Int32Array, arg: Vector | null, n: number): void;
  /** Final values of groups 0 … groupCount-1. */
  result(groupCount: number): Vector;
  /** Bytes of state held. */
  bytes(): number;
}

const spillLimit = 2 ** 53;
const int64Max = (1n << 63n) - 1n;

function grow<T extends Float64Array | Uint8Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  let capacity = array.length;
  while (capacity < needed) capacity *= 2;
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  return next;
}

/** Largest group id in ids[0..n) plus one. */
function groupsIn(ids: Int32Array, n: number): number {
  let max = -1;
  for (let i = 0; i < n; i++) if (ids[i] > max) max = ids[i];
  return max + 1;
}

/** count(*) and count(x). */
class CountAccumulator implements Accumulator {
  private counts = new Float64Array(64);

  update(ids: Int32Array, arg: Vector | null, n: number): void {
    this.counts = grow(this.counts, groupsIn(ids, n));
    const counts = this.counts;
    const nulls = arg === null ? null : arg.nulls;
    if (nulls === null) for (let i = 0; i < n; i++) counts[ids[i]] += 1;
    else for (let i = 0; i < n; i++) counts[ids[i]] += nulls[i] ^ 1;
  }

  result(groupCount: number): Vector {
    const values = new Float64Array(groupCount);
    values.set(this.counts.subarray(0, Math.min(groupCount, this.counts.length)));
    return numericVector({ id: 'int64' }, values);
  }

  bytes(): number {
    return this.counts.byteLength;
  }
}

/** Exact sums of integers or decimals (and the sum and count avg needs). */
class ExactSumAccumulator implements Accumulator {
  private sums = new Float64Array(64);
  private counts = new Float64Array(64);
  /** Spilled parts of sums beyond 2^53, per group (sparse). */
  private readonly spills = new Map<number, bigint>();

  constructor(private readonly type: DataType, private readonly argType: DataType, private readonly average: boolean) {}

  update(ids: Int32Array, arg: Vector | null, n: number): void {
    const groups = groupsIn(ids, n);
    this.sums = grow(this.sums, groups);
    this.counts = grow(this.counts, groups);
    const vector = arg as NumericVector;
    if (vector.values instanceof BigInt64Array) return this.updateBig(ids, vector, n);
    const values = vector.values as Float64Array;
    const nulls = vector.nulls;
    const sums = this.sums;
    const counts = this.counts;
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const g = ids[i];
      const v = values[i];
      const s = sums[g] + v;
      if (s < spillLimit && s > -spillLimit) sums[g] = s;
      else this.spill(g, v);
      counts[g] += 1;
    }
  }

  private spill(g: number, v: number): void {
    this.spills.set(g, (this.spills.get(g) ?? 0n) + BigInt(this.sums[g]) + BigInt(v));
    this.sums[g] = 0;
  }

  private updateBig(ids: Int32Array, vector: NumericVector, n: number): void {
    const values = vector.values as BigInt64Array;
    for (let i = 0; i < n; i++) {
      if (vector.nulls !== null && vector.nulls[i] === 1) continue;
      const g = ids[i];
      this.spills.set(g, (this.spills.get(g) ?? 0n) + values[i]);
      this.counts[g] += 1;
    }
  }

  private total(g: number): bigint {
    return (this.spills.get(g) ?? 0n) + BigInt(this.sums[g]);
  }

  result(groupCount: number): Vector {
    const nulls = new Uint8Array(groupCount);
    let anyNull = false;
    for (let g = 0; g < groupCount; g++) if (g >= this.counts.length || this.counts[g] === 0) { nulls[g] = 1; anyNull = true; }
    const mask = anyNull ? nulls : null;
    // avg, and sums the plan types as DOUBLE, divide the exact sum in doubles.
    if (this.average || this.type.id === 'float64') return this.averages(groupCount, mask);
    const out = allocateValues(this.type, groupCount);
    const fromScale = scaleOf(this.argType);
    const toScale = scaleOf(this.type);
    for (let g = 0; g < groupCount; g++) {
      if (nulls[g] === 1) continue;
      const exact = this.spills.size === 0 && fromScale === toScale ? null : rescaleBig(this.total(g), fromScale, toScale);
      if (out instanceof BigInt64Array) {
        const value = exact ?? BigInt(this.sums[g]);
        if (value > int64Max || value < -int64Max) throw decimalOverflow('sum', this.type, formatBigDecimal(value, toScale));
        out[g] = value;
      } else {
        const value = exact === null ? this.sums[g] : Number(exact);
        if (Math.abs(value) > exactIntegerMax) throw this.overflow(exact ?? BigInt(value));
        (out as Float64Array)[g] = value;
      }
    }
    return numericVector(this.type, out, mask);
  }

  private overflow(value: bigint): Error {
    if (this.type.id === 'decimal') return decimalOverflow('sum', this.type, formatBigDecimal(value, scaleOf(this.type)));
    return numericOutOfRange(`sum of ${typeToSql(this.argType)}`, `the sum ${value} is beyond +-2^53, the exact range of BIGINT in strata`);
  }

  private averages(groupCount: number, nulls: Uint8Array | null): Vector {
    const out = new Float64Array(groupCount);
    const divisor = tenTo(scaleOf(this.argType));
    for (let g = 0; g < groupCount; g++) {
      if (nulls !== null && nulls[g] === 1) continue;
      const sum = this.spills.size === 0 ? this.sums[g] : Number(this.total(g));
      out[g] = this.average ? sum / this.counts[g] / divisor : sum / divisor;
    }
    return numericVector(this.type, out, nulls);
  }

  bytes(): number {
    return this.sums.byteLength + this.counts.byteLength + this.spills.size * 64;
  }
}

/** Sums and averages of doubles. */
class FloatSumAccumulator implements Accumulator {
  private sums = new Float64Array(64);
  private counts = new Float64Array(64);

  constructor(private readonly type: DataType, private readonly average: boolean) {}

  update(ids: Int32Array, arg: Vector | null, n: number): void {
    const groups = groupsIn(ids, n);
    this.sums = grow(this.sums, groups);
    this.counts = grow(this.counts, groups);
    const vector = arg as NumericVector;
    const values = vector.values as Float64Array;
    const nulls = vector.nulls;
    const sums = this.sums;
    const counts = this.counts;
    if (nulls === null) {
      for (let i = 0; i < n; i++) {
        const g = ids[i];
        sums[g] += values[i];
        counts[g] += 1;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      if (nulls[i] === 1) continue;
      const g = ids[i];
      sums[g] += values[i];
      counts[g] += 1;
    }
  }

  result(groupCount: number): Vector {
    const out = new Float64Array(groupCount);
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groupCount; g++) {
      const count = g < this.counts.length ? this.counts[g] : 0;
      if (count === 0) {
        nulls ??= new Uint8Array(groupCount);
        nulls[g] = 1;
        continue;
      }
      out[g] = this.average ? this.sums[g] / count : this.sums[g];
    }
    return numericVector(this.type, out, nulls);
  }

  bytes(): number {
    return this.sums.byteLength + this.counts.byteLength;
  }
}

/** min / max of numbers, dates, timestamps, booleans and decimals (NaN above all, as DuckDB). */
class NumericExtremeAccumulator implements Accumulator {
  private best = new Float64Array(64);
  private seen = new Uint8Array(64);
  private bigBest: (bigint | undefined)[] = [];

  constructor(private readonly type: DataType, private readonly max: boolean) {}

  update(ids: Int32Array, arg: Vector | null, n: number): void {
    const groups = groupsIn(ids, n);
    this.best = grow(this.best, groups);
    this.seen = grow(this.seen, groups);
    const vector = arg as NumericVector;
    if (vector.values instanceof BigInt64Array) return this.updateBig(ids, vector, n);
    const values = vector.values as ArrayLike<number>;
    const nulls = vector.nulls;
    const best = this.best;
    const seen = this.seen;
    const sign = this.max ? 1 : -1;
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const g = ids[i];
      const v = values[i];
      const current = best[g];
      // Ordered comparison with NaN greatest: (v - current) * sign > 0 fails for NaN, handled after.
      if (seen[g] === 0 || (v - current) * sign > 0 || (v !== v ? this.max && current === current : !this.max && current !== current)) {
        best[g] = v;
        seen[g] = 1;
      }
    }
  }

  private updateBig(ids: Int32Array, vector: NumericVector, n: number): void {
    const values = vector.values as BigInt64Array;
    for (let i = 0; i < n; i++) {
      if (vector.nulls !== null && vector.nulls[i] === 1) continue;
      const g = ids[i];
      const current = this.bigBest[g];
      if (current === undefined || (this.max ? values[i] > current : values[i] < current)) this.bigBest[g] = values[i];
      this.seen[g] = 1;
    }
  }

  result(groupCount: number): Vector {
    const out = allocateValues(this.type, groupCount);
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groupCount; g++) {
      if (g >= this.seen.length || this.seen[g] === 0) {
        nulls ??= new Uint8Array(groupCount);
        nulls[g] = 1;
        continue;
      }
      if (out instanceof BigInt64Array) out[g] = this.bigBest[g] ?? BigInt(this.best[g]);
      else (out as Float64Array)[g] = this.best[g];
    }
    return numericVector(this.type, out, nulls);
  }

  bytes(): number {
    return this.best.byteLength + this.seen.byteLength + this.bigBest.length * 16;
  }
}

/** min / max of strings (UTF-16 code unit order). */
class StringExtremeAccumulator implements Accumulator {
  private best: (string | undefined)[] = [];
  private textBytes = 0;

  constructor(private readonly type: DataType, private readonly max: boolean) {}

  update(ids: Int32Array, arg: Vector | null, n: number): void {
    const vector = arg as StringVector;
    const { codes, dictionary, nulls } = vector;
    const best = this.best;
    const sign = this.max ? 1 : -1;
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const g = ids[i];
      const text = dictionary[codes[i]];
      const current = best[g];
      if (current === undefined || compareText(text, current) * sign > 0) {
        this.textBytes += 2 * (text.length - (current?.length ?? 0));
        best[g] = text;
      }
    }
  }

  result(groupCount: number): Vector {
    const codes = new Int32Array(groupCount);
    const dictionary: string[] = new Array(groupCount);
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groupCount; g++) {
      codes[g] = g;
      const text = this.best[g];
      if (text === undefined) {
        nulls ??= new Uint8Array(groupCount);
        nulls[g] = 1;
        dictionary[g] = '';
      } else {
        dictionary[g] = text;
      }
    }
    return stringVector(this.type, codes, dictionary, nulls);
  }

  bytes(): number {
    return this.best.length * 8 + this.textBytes;
  }
}

/** The accumulator of an aggregate call. */
export function createAccumulator(aggregate: AggregateExpr): Accumulator {
  const argType = aggregate.arg?.type ?? { id: 'int64' };
  switch (aggregate.fn) {
    case 'count_star':
    case 'count': return new CountAccumulator();
    case 'sum':
    case 'avg': {
      const average = aggregate.fn === 'avg';
      if (argType.id === 'float64') return new FloatSumAccumulator(aggregate.type, average);
      return new ExactSumAccumulator(aggregate.type, argType, average);
    }
    case 'min':
    case 'max': {
      const max = aggregate.fn === 'max';
      if (argType.id === 'string') return new StringExtremeAccumulator(aggregate.type, max);
      return new NumericExtremeAccumulator(aggregate.type, max);
    }
  }
}

