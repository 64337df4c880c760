/**
 * The layout a window function is computed over: the rows sorted by (partition, ORDER BY keys)
 * and, per sorted position, where its partition and its peer group (rows equal under ORDER BY)
 * begin and end. Partition and peer groups come from GroupKeys (NULLs equal, as SQL windows
 * treat them), the order from the sort kernels; no per-row objects.
 */
import { Types, numericVector, type Batch, type Vector } from '../../storage/index.js';
import type { FrameBound, SortKey, WindowExpr, WindowFrame } from '../plan/index.js';
import { evaluateExpr } from './evaluate-expr.js';
import { GroupKeys } from './group-keys.js';
import { prepareSortKeys, sortedIndices } from './sort-keys.js';

/** Sorted order and partition/peer bounds (end exclusive), indexed by sorted position. */
export interface WindowLayout {
  readonly n: number;
  /** order[p] = input row at sorted position p. */
  readonly order: Int32Array;
  readonly partitionStart: Int32Array;
  readonly partitionEnd: Int32Array;
  readonly peerStart: Int32Array;
  readonly peerEnd: Int32Array;
}

/** Dense ids of the rows' values of `keys` (all 0 without keys). */
function groupIds(keys: readonly Vector[], n: number): Int32Array {
  if (keys.length === 0) return new Int32Array(n);
  const groups = new GroupKeys(keys.map((k) => k.type));
  return groups.assign(keys, n).slice(0, n);
}

/** Fills start/end arrays for runs of equal ids along the sorted order. */
function runs(ids: Int32Array, order: Int32Array, n: number, start: Int32Array, end: Int32Array): void {
  let begin = 0;
  for (let p = 1; p <= n; p++) {
    if (p < n && ids[order[p]] === ids[order[p - 1]]) continue;
    for (let q = begin; q < p; q++) {
      start[q] = begin;
      end[q] = p;
    }
    begin = p;
  }
}

/** Sorts and groups the n rows of `batch` for windows with these PARTITION BY and ORDER BY clauses. */
export function windowLayout(partitionBy: WindowExpr['partitionBy'], orderBy: readonly SortKey[], batch: Batch): WindowLayout {
  const n = batch.length;
  const partitionKeys = partitionBy.map((e) => evaluateExpr(e, batch));
  const partitionIds = groupIds(partitionKeys, n);
  const orderKeys = orderBy.map((k) => evaluateExpr(k.expr, batch));
  // Sort by partition id, then the ORDER BY keys (stable: ties keep input order).
  const sortBatch: Batch = { length: n, columns: [numericVector(Types.int32, partitionIds), ...orderKeys] };
  const keys: SortKey[] = [
    { expr: { kind: 'column', index: 0, name: 'partition', type: Types.int32 }, ascending: true, nullsFirst: false },
    ...orderBy.map((k, i) => ({ ...k, expr: { kind: 'column' as const, index: i + 1, name: `order${i}`, type: orderKeys[i].type } })),
  ];
  const order = sortedIndices(prepareSortKeys(keys, sortBatch), n);
  const peerIds = orderBy.length === 0 ? partitionIds : groupIds([numericVector(Types.int32, partitionIds), ...orderKeys], n);
  const layout = {
    n, order,
    partitionStart: new Int32Array(n), partitionEnd: new Int32Array(n),
    peerStart: new Int32Array(n), peerEnd: new Int32Array(n),
  };
  runs(partitionIds, order, n, layout.partitionStart, layout.partitionEnd);
  runs(peerIds, order, n, layout.peerStart, layout.peerEnd);
  return layout;
}

/** Frame [start, end) per sorted position (end exclusive; empty when start >= end). */
export interface FrameRanges {
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/** Sorted order key values of a RANGE frame with offsets: doubles, NaN for NULL. */
function rangeKeyValues(orderBy: readonly SortKey[], batch: Batch, layout: WindowLayout): Float64Array {
  const vector = evaluateExpr(orderBy[0].expr, batch);
  const values = new Float64Array(layout.n);
  if (vector.kind !== 'numeric') return values.fill(Number.NaN);
  for (let p = 0; p < layout.n; p++) {
    const row = layout.order[p];
    values[p] = vector.nulls !== null && vector.nulls[row] === 1 ? Number.NaN : Number(vector.values[row]);
  }
  return values;
}

/** First sorted position q in [from, to) whose key is not before `target` in the sort direction. */
function searchRange(values: Float64Array, from: number, to: number, target: number, ascending: boolean, inclusive: boolean): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >> 1;
    const v = values[middle];
    const before = ascending ? (inclusive ? v < target : v <= target) : (inclusive ? v > target : v >= target);
    if (before) low = middle + 1;
    else high = middle;
  }
  return low;
}

function rowsBound(bound: FrameBound, p: number, layout: WindowLayout, isEnd: boolean): number {
  const ps = layout.partitionStart[p];
  const pe = layout.partitionEnd[p];
  switch (bound.kind) {
    case 'unbounded_preceding': return ps;
    case 'unbounded_following': return pe;
    case 'current_row': return isEnd ? p + 1 : p;
    case 'preceding': return Math.min(pe, Math.max(ps, p - bound.offset + (isEnd ? 1 : 0)));
    case 'following': return Math.min(pe, Math.max(ps, p + bound.offset + (isEnd ? 1 : 0)));
  }
}

function rangeBound(bound: FrameBound, p: number, layout: WindowLayout, isEnd: boolean, values: Float64Array | null, ascending: boolean): number {
  const ps = layout.partitionStart[p];
  const pe = layout.partitionEnd[p];
  if (bound.kind === 'unbounded_preceding') return ps;
  if (bound.kind === 'unbounded_following') return pe;
  if (bound.kind === 'current_row' || values === null || Number.isNaN(values[p])) return isEnd ? layout.peerEnd[p] : layout.peerStart[p];
  // Offsets search among the partition's non-NULL keys (NULL peers sort together at one end).
  let from = ps;
  let to = pe;
  while (from < to && Number.isNaN(values[from])) from++;
  while (to > from && Number.isNaN(values[to - 1])) to--;
  const sign = bound.kind === 'preceding' ? -1 : 1;
  const target = values[p] + sign * (ascending ? bound.offset : -bound.offset);
  return searchRange(values, from, to, target, ascending, !isEnd);
}

/** The frame of every sorted position. */
export function frameRanges(frame: WindowFrame, orderBy: readonly SortKey[], batch: Batch, layout: WindowLayout): FrameRanges {
  const n = layout.n;
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  if (frame.units === 'rows') {
    for (let p = 0; p < n; p++) {
      start[p] = rowsBound(frame.start, p, layout, false);
      end[p] = rowsBound(frame.end, p, layout, true);
    }
    return { start, end };
  }
  const withOffsets = frame.start.kind === 'preceding' || frame.start.kind === 'following' || frame.end.kind === 'preceding' || frame.end.kind === 'following';
  const values = withOffsets ? rangeKeyValues(orderBy, batch, layout) : null;
  const ascending = orderBy[0]?.ascending ?? true;
  for (let p = 0; p < n; p++) {
    start[p] = rangeBound(frame.start, p, layout, false, values, ascending);
    end[p] = rangeBound(frame.end, p, layout, true, values, ascending);
  }
  return { start, end };
}
