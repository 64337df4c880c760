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
  /** Adds n rows: ids[i] (< groupCount) is the group of row i, arg the argument (null for count(*)). */
  update(ids: Int32Array, arg: Vector | null, n: number, groupCount: number): void;
  /** Final values of groups 0 … groupCount-1; group `excluded` (-1: none) is left NULL unchecked. */
  result(groupCount: number, excluded: number): Vector;
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

/**
 * Rows per group over all batches, counted once for every aggregate that sees all rows (no
 * FILTER, no DISTINCT): those count only their NULL rows and subtract, so a batch without NULLs
 * costs them no counting at all.
 */
export class RowCounts {
  counts = new Float64Array(64);

  /** Counts the rows of one batch. */
  add(ids: Int32Array, n: number, groupCount: number): void {
    this.counts = grow(this.counts, groupCount);
    const counts = this.counts;
    for (let i = 0; i < n; i++) counts[ids[i]] += 1;
  }
}

/** Non-NULL rows per group of one aggregate: from shared row counts minus NULL rows, or counted itself. */
class NonNullCounts {
  private own = new Float64Array(64);

  constructor(private readonly shared: RowCounts | null) {}

  record(ids: Int32Array, nulls: Uint8Array | null, n: number, groupCount: number): void {
    this.own = grow(this.own, groupCount);
    const own = this.own;
    if (this.shared !== null) {
      if (nulls !== null) for (let i = 0; i < n; i++) own[ids[i]] += nulls[i];
    } else if (nulls === null) {
      for (let i = 0; i < n; i++) own[ids[i]] += 1;
    } else {
      for (let i = 0; i < n; i++) own[ids[i]] += nulls[i] ^ 1;
    }
  }

  countOf(g: number): number {
    const own = g < this.own.length ? this.own[g] : 0;
    if (this.shared === null) return own;
    return (g < this.shared.counts.length ? this.shared.counts[g] : 0) - own;
  }

  bytes(): number {
    return this.own.byteLength;
  }
}

/** count(*) and count(x). */
class CountAccumulator implements Accumulator {
  private readonly counts: NonNullCounts;

  constructor(shared: RowCounts | null) {
    this.counts = new NonNullCounts(shared);
  }

  update(ids: Int32Array, arg: Vector | null, n: number, groupCount: number): void {
    this.counts.record(ids, arg === null ? null : arg.nulls, n, groupCount);
  }

  result(groupCount: number): Vector {
    const values = new Float64Array(groupCount);
    for (let g = 0; g < groupCount; g++) values[g] = this.counts.countOf(g);
    return numericVector({ id: 'int64' }, values);
  }

  bytes(): number {
    return this.counts.bytes();
  }
}

/** The running sums and non-NULL counts that sum and avg of one argument share. */
interface SumState {
  update(ids: Int32Array, arg: Vector, n: number, groupCount: number): void;
  sums(groupCount: number, type: DataType, excluded: number): Vector;
  averages(groupCount: number, type: DataType): Vector;
  bytes(): number;
}

/** Exact sums of integers or decimals. */
class ExactSumState implements SumState {
  private sumsByGroup = new Float64Array(64);
  /** Spilled parts of sums beyond 2^53, per group (sparse). */
  private readonly spills = new Map<number, bigint>();
  private readonly counts: NonNullCounts;

  constructor(private readonly argType: DataType, shared: RowCounts | null) {
    this.counts = new NonNullCounts(shared);
  }

  update(ids: Int32Array, arg: Vector, n: number, groupCount: number): void {
    this.sumsByGroup = grow(this.sumsByGroup, groupCount);
    const vector = arg as NumericVector;
    this.counts.record(ids, vector.nulls, n, groupCount);
    if (vector.values instanceof BigInt64Array) return this.updateBig(ids, vector, n);
    const values = vector.values as Float64Array;
    const nulls = vector.nulls;
    const sums = this.sumsByGroup;
    let spilled = -1;
    if (nulls === null) {
      for (let i = 0; i < n; i++) {
        const g = ids[i];
        const s = sums[g] + values[i];
        if (s < spillLimit && s > -spillLimit) sums[g] = s;
        else { spilled = i; break; }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const g = ids[i];
        const s = sums[g] + (nulls[i] === 1 ? 0 : values[i]);
        if (s < spillLimit && s > -spillLimit) sums[g] = s;
        else { spilled = i; break; }
      }
    }
    // Rare: a sum would leave the exact double range; finish the batch with bigint spills.
    if (spilled >= 0) this.updateSpilling(ids, values, nulls, spilled, n);
  }

  private updateSpilling(ids: Int32Array, values: Float64Array, nulls: Uint8Array | null, start: number, n: number): void {
    const sums = this.sumsByGroup;
    for (let i = start; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const g = ids[i];
      const v = values[i];
      const s = sums[g] + v;
      if (s < spillLimit && s > -spillLimit) {
        sums[g] = s;
        continue;
      }
      this.spills.set(g, (this.spills.get(g) ?? 0n) + BigInt(sums[g]) + BigInt(v));
      sums[g] = 0;
    }
  }

  private updateBig(ids: Int32Array, vector: NumericVector, n: number): void {
    const values = vector.values as BigInt64Array;
    for (let i = 0; i < n; i++) {
      if (vector.nulls !== null && vector.nulls[i] === 1) continue;
      const g = ids[i];
      this.spills.set(g, (this.spills.get(g) ?? 0n) + values[i]);
    }
  }

  private total(g: number): bigint {
    return (this.spills.get(g) ?? 0n) + BigInt(this.sumsByGroup[g]);
  }

  private nullMask(groupCount: number): Uint8Array | null {
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groupCount; g++) {
      if (this.counts.countOf(g) > 0) continue;
      nulls ??= new Uint8Array(groupCount);
      nulls[g] = 1;
    }
    return nulls;
  }

  sums(groupCount: number, type: DataType, excluded: number): Vector {
    this.sumsByGroup = grow(this.sumsByGroup, groupCount);
    const nulls = this.nullMask(groupCount);
    if (type.id === 'float64') return this.averages(groupCount, type, false);
    const out = allocateValues(type, groupCount);
    const fromScale = scaleOf(this.argType);
    const toScale = scaleOf(type);
    for (let g = 0; g < groupCount; g++) {
      // The excluded (discard) group may hold anything; it is never output, so never checked.
      if ((nulls !== null && nulls[g] === 1) || g === excluded) continue;
      const exact = this.spills.size === 0 && fromScale === toScale ? null : rescaleBig(this.total(g), fromScale, toScale);
      if (out instanceof BigInt64Array) {
        const value = exact ?? BigInt(this.sumsByGroup[g]);
        if (value > int64Max || value < -int64Max) throw decimalOverflow('sum', type, formatBigDecimal(value, toScale));
        out[g] = value;
      } else {
        const value = exact === null ? this.sumsByGroup[g] : Number(exact);
        if (Math.abs(value) > exactIntegerMax) throw this.overflow(type, exact ?? BigInt(value));
        (out as Float64Array)[g] = value;
      }
    }
    return numericVector(type, out, nulls);
  }

  private overflow(type: DataType, value: bigint): Error {
    if (type.id === 'decimal') return decimalOverflow('sum', type, formatBigDecimal(value, scaleOf(type)));
    return numericOutOfRange(`sum of ${typeToSql(this.argType)}`, `the sum ${value} is beyond +-2^53, the exact range of BIGINT in strata`);
  }

  /** Averages (or, with average false, sums) in doubles: the exact sum divided by count and 10^scale. */
  averages(groupCount: number, type: DataType, average = true): Vector {
    this.sumsByGroup = grow(this.sumsByGroup, groupCount);
    const nulls = this.nullMask(groupCount);
    const out = new Float64Array(groupCount);
    const divisor = tenTo(scaleOf(this.argType));
    for (let g = 0; g < groupCount; g++) {
      if (nulls !== null && nulls[g] === 1) continue;
      const sum = this.spills.size === 0 ? this.sumsByGroup[g] : Number(this.total(g));
      out[g] = average ? sum / this.counts.countOf(g) / divisor : sum / divisor;
    }
    return numericVector(type, out, nulls);
  }

  bytes(): number {
    return this.sumsByGroup.byteLength + this.counts.bytes() + this.spills.size * 64;
  }
}

/** Sums of doubles. */
class FloatSumState implements SumState {
  private sumsByGroup = new Float64Array(64);
  private readonly counts: NonNullCounts;

  constructor(shared: RowCounts | null) {
    this.counts = new NonNullCounts(shared);
  }

  update(ids: Int32Array, arg: Vector, n: number, groupCount: number): void {
    this.sumsByGroup = grow(this.sumsByGroup, groupCount);
    const vector = arg as NumericVector;
    this.counts.record(ids, vector.nulls, n, groupCount);
    const values = vector.values as Float64Array;
    const nulls = vector.nulls;
    const sums = this.sumsByGroup;
    if (nulls === null) for (let i = 0; i < n; i++) sums[ids[i]] += values[i];
    else for (let i = 0; i < n; i++) if (nulls[i] === 0) sums[ids[i]] += values[i];
  }

  sums(groupCount: number, type: DataType): Vector {
    return this.results(groupCount, type, false);
  }

  averages(groupCount: number, type: DataType): Vector {
    return this.results(groupCount, type, true);
  }

  private results(groupCount: number, type: DataType, average: boolean): Vector {
    const out = new Float64Array(groupCount);
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groupCount; g++) {
      const count = this.counts.countOf(g);
      if (count === 0) {
        nulls ??= new Uint8Array(groupCount);
        nulls[g] = 1;
        continue;
      }
      const sum = g < this.sumsByGroup.length ? this.sumsByGroup[g] : 0;
      out[g] = average ? sum / count : sum;
    }
    return numericVector(type, out, nulls);
  }

  bytes(): number {
    return this.sumsByGroup.byteLength + this.counts.bytes();
  }
}

/** sum(x) or avg(x) over a SumState; when sum and avg of one argument share the state, only the owner updates it. */
class SumAccumulator implements Accumulator {
  constructor(private readonly state: SumState, private readonly owner: boolean, private readonly average: boolean, private readonly type: DataType) {}

  update(ids: Int32Array, arg: Vector | null, n: number, groupCount: number): void {
    if (this.owner) this.state.update(ids, arg as Vector, n, groupCount);
  }

  result(groupCount: number, excluded: number): Vector {
    return this.average ? this.state.averages(groupCount, this.type) : this.state.sums(groupCount, this.type, excluded);
  }

  bytes(): number {
    return this.owner ? this.state.bytes() : 0;
  }
}

/** min / max of numbers, dates, timestamps, booleans and decimals (NaN above all, as DuckDB). */
class NumericExtremeAccumulator implements Accumulator {
  private best = new Float64Array(64);
  private seen = new Uint8Array(64);
  private bigBest: (bigint | undefined)[] = [];

  constructor(private readonly type: DataType, private readonly max: boolean) {}

  update(ids: Int32Array, arg: Vector | null, n: number, groupCount: number): void {
    this.best = grow(this.best, groupCount);
    this.seen = grow(this.seen, groupCount);
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

/** Builds accumulators for one aggregation's aggregates (sum and avg of one argument share their state). */
export function createAccumulators(aggregates: readonly AggregateExpr[], rowCounts: RowCounts): Accumulator[] {
  const sumStates = new Map<string, SumState>();
  return aggregates.map((aggregate) => {
    // FILTER and DISTINCT drop rows, so those aggregates count their rows themselves.
    const shared = aggregate.filter === null && !aggregate.distinct ? rowCounts : null;
    const argType = aggregate.arg?.type ?? { id: 'int64' };
    switch (aggregate.fn) {
      case 'count_star':
      case 'count': return new CountAccumulator(shared);
      case 'sum':
      case 'avg': {
        const key = shared === null ? null : JSON.stringify(aggregate.arg);
        let state = key === null ? undefined : sumStates.get(key);
        const owner = state === undefined;
        if (state === undefined) {
          state = argType.id === 'float64' ? new FloatSumState(shared) : new ExactSumState(argType, shared);
          if (key !== null) sumStates.set(key, state);
        }
        return new SumAccumulator(state, owner, aggregate.fn === 'avg', aggregate.type);
      }
      case 'min':
      case 'max': {
        const max = aggregate.fn === 'max';
        if (argType.id === 'string') return new StringExtremeAccumulator(aggregate.type, max);
        return new NumericExtremeAccumulator(aggregate.type, max);
      }
    }
  });
}
