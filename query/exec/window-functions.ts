/**
 * Window function kernels over a WindowLayout: ranks from the partition and peer bounds, lag /
 * lead / first_value / last_value / min / max as gathers of source rows, and count / sum / avg
 * over frames from prefix sums. Each works along the sorted positions in one loop and writes the
 * result at the row's input position.
 */
import { Types, numericVector, type Batch, type DataType, type Vector } from '../../storage/index.js';
import type { WindowExpr } from '../plan/index.js';
import { compareText } from './comparison.js';
import { isWideDecimal, tenTo } from './decimal.js';
import { evaluateExpr } from './evaluate-expr.js';
import { concatVectors } from './vector-ops.js';
import { takeVectorOrNull } from './join-gather.js';
import { frameRanges, type FrameRanges, type WindowLayout } from './window-layout.js';

/** Evaluates one window expression over all rows of `batch` (input order), given its layout. */
export function evaluateWindow(window: WindowExpr, batch: Batch, layout: WindowLayout): Vector {
  switch (window.fn) {
    case 'row_number':
    case 'rank':
    case 'dense_rank': return rankVector(window.fn, layout);
    case 'lag':
    case 'lead': return offsetValue(window, batch, layout);
    default: break;
  }
  const frame = frameRanges(window.frame, window.orderBy, batch, layout);
  switch (window.fn) {
    case 'first_value':
    case 'last_value': {
      const source = new Int32Array(layout.n);
      for (let p = 0; p < layout.n; p++) {
        const empty = frame.start[p] >= frame.end[p];
        source[layout.order[p]] = empty ? -1 : layout.order[window.fn === 'first_value' ? frame.start[p] : frame.end[p] - 1];
      }
      return takeVectorOrNull(evaluateExpr(window.args[0], batch), source, layout.n);
    }
    case 'min':
    case 'max': return extremeVector(window, batch, layout, frame);
    default: return frameAggregate(window, batch, layout, frame);
  }
}

function int64Vector(values: Float64Array): Vector {
  return numericVector(Types.int64, values);
}

function rankVector(fn: 'row_number' | 'rank' | 'dense_rank', layout: WindowLayout): Vector {
  const { n, order, partitionStart, peerStart } = layout;
  const out = new Float64Array(n);
  let dense = 0;
  for (let p = 0; p < n; p++) {
    if (p === partitionStart[p]) dense = 0;
    if (p === peerStart[p]) dense++;
    const value = fn === 'row_number' ? p - partitionStart[p] + 1 : fn === 'rank' ? peerStart[p] - partitionStart[p] + 1 : dense;
    out[order[p]] = value;
  }
  return int64Vector(out);
}

/** lag(x, k, default) / lead(x, k, default): x of the row k positions before/after in the partition, else default. */
function offsetValue(window: WindowExpr, batch: Batch, layout: WindowLayout): Vector {
  const { n, order, partitionStart, partitionEnd } = layout;
  const values = evaluateExpr(window.args[0], batch);
  const offsetArg = window.args[1];
  const offset = offsetArg !== undefined && offsetArg.kind === 'literal' && typeof offsetArg.value === 'number' ? offsetArg.value : 1;
  const step = window.fn === 'lag' ? -offset : offset;
  const defaultArg = window.args[2];
  const hasDefault = defaultArg !== undefined && !(defaultArg.kind === 'literal' && defaultArg.value === null);
  // With a default, rows without a source read the default column, appended after the values.
  const source = hasDefault ? concatVectors(window.type, [values, evaluateExpr(defaultArg, batch)]) : values;
  const indices = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const q = p + step;
    const inside = q >= partitionStart[p] && q < partitionEnd[p];
    indices[order[p]] = inside ? order[q] : hasDefault ? n + order[p] : -1;
  }
  return takeVectorOrNull(source, indices, n);
}

/** Comparable doubles of a vector (strings as the rank of their text), NaN above all numbers. */
function comparableValues(vector: Vector): Float64Array {
  const n = vector.length;
  const out = new Float64Array(n);
  if (vector.kind === 'string') {
    const entries = Array.from({ length: vector.dictionary.length }, (_, i) => i);
    entries.sort((a, b) => compareText(vector.dictionary[a], vector.dictionary[b]));
    const ranks = new Float64Array(entries.length);
    for (let k = 0; k < entries.length; k++) ranks[entries[k]] = k > 0 && vector.dictionary[entries[k]] === vector.dictionary[entries[k - 1]] ? ranks[entries[k - 1]] : k;
    for (let i = 0; i < n; i++) out[i] = ranks[vector.codes[i]] ?? 0;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const v = Number(vector.values[i]);
    out[i] = v !== v ? Number.POSITIVE_INFINITY : v;
  }
  return out;
}

/** min/max over each frame: the source row of the extreme non-NULL value, then a gather. */
function extremeVector(window: WindowExpr, batch: Batch, layout: WindowLayout, frame: FrameRanges): Vector {
  const { n, order } = layout;
  const vector = evaluateExpr(window.args[0], batch);
  const values = comparableValues(vector);
  const nulls = vector.nulls;
  const sign = window.fn === 'min' ? 1 : -1;
  const source = new Int32Array(n);
  // A frame that starts where the previous one started and grows by one row extends the running extreme.
  let best = -1;
  for (let p = 0; p < n; p++) {
    const start = frame.start[p];
    const end = frame.end[p];
    const extendsPrevious = p > 0 && start === frame.start[p - 1] && end >= frame.end[p - 1];
    let from = extendsPrevious ? frame.end[p - 1] : start;
    if (!extendsPrevious) best = -1;
    for (; from < end; from++) {
      const row = order[from];
      if (nulls !== null && nulls[row] === 1) continue;
      if (best < 0 || sign * (values[row] - values[best]) < 0) best = row;
    }
    source[order[p]] = start < end ? best : -1;
  }
  return takeVectorOrNull(vector, source, n);
}

/** count / count(*) / sum / avg over each frame by prefix sums along the sorted positions. */
function frameAggregate(window: WindowExpr, batch: Batch, layout: WindowLayout, frame: FrameRanges): Vector {
  const { n, order } = layout;
  const arg = window.fn === 'count_star' ? null : evaluateExpr(window.args[0], batch);
  const counts = new Float64Array(n + 1);
  for (let p = 0; p < n; p++) {
    const row = order[p];
    const present = arg === null || arg.nulls === null || arg.nulls[row] === 0;
    counts[p + 1] = counts[p] + (present ? 1 : 0);
  }
  // Rows (non-NULL for count(x)) in each sorted position's frame.
  const frameCounts = new Float64Array(n);
  for (let p = 0; p < n; p++) frameCounts[p] = frame.start[p] < frame.end[p] ? counts[frame.end[p]] - counts[frame.start[p]] : 0;
  if (window.fn === 'count' || window.fn === 'count_star') {
    const out = new Float64Array(n);
    for (let p = 0; p < n; p++) out[order[p]] = frameCounts[p];
    return int64Vector(out);
  }
  const numeric = arg as Extract<Vector, { kind: 'numeric' }>;
  if (isWideDecimal(numeric.type)) return wideDecimalSum(window, numeric, layout, frame, frameCounts);
  const sums = new Float64Array(n + 1);
  for (let p = 0; p < n; p++) {
    const row = order[p];
    const present = numeric.nulls === null || numeric.nulls[row] === 0;
    sums[p + 1] = sums[p] + (present ? Number(numeric.values[row]) : 0);
  }
  const out = new Float64Array(n);
  const nulls = new Uint8Array(n);
  const divisor = window.fn === 'avg' && numeric.type.id === 'decimal' ? tenTo(numeric.type.scale ?? 0) : 1;
  for (let p = 0; p < n; p++) {
    const count = frameCounts[p];
    const row = order[p];
    if (count === 0) { nulls[row] = 1; continue; }
    const sum = sums[frame.end[p]] - sums[frame.start[p]];
    out[row] = window.fn === 'avg' ? sum / count / divisor : sum;
  }
  return sumVector(window.type, out, nulls);
}

function sumVector(type: DataType, values: Float64Array, nulls: Uint8Array): Vector {
  const anyNull = nulls.includes(1);
  if (isWideDecimal(type)) {
    const wide = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) wide[i] = BigInt(Math.round(values[i]));
    return numericVector(type, wide, anyNull ? nulls : null);
  }
  return numericVector(type, values, anyNull ? nulls : null);
}

/** sum/avg of a DECIMAL(38,s) argument with exact BigInt prefix sums. */
function wideDecimalSum(window: WindowExpr, arg: Extract<Vector, { kind: 'numeric' }>, layout: WindowLayout, frame: FrameRanges, frameCounts: Float64Array): Vector {
  const { n, order } = layout;
  const values = arg.values as BigInt64Array;
  const sums = new Array<bigint>(n + 1);
  sums[0] = 0n;
  for (let p = 0; p < n; p++) {
    const row = order[p];
    sums[p + 1] = sums[p] + (arg.nulls === null || arg.nulls[row] === 0 ? values[row] : 0n);
  }
  const nulls = new Uint8Array(n);
  const wide = new BigInt64Array(n);
  const doubles = new Float64Array(n);
  const scale = tenTo(arg.type.scale ?? 0);
  for (let p = 0; p < n; p++) {
    const row = order[p];
    const count = frameCounts[p];
    if (count === 0) { nulls[row] = 1; continue; }
    const sum = sums[frame.end[p]] - sums[frame.start[p]];
    if (window.fn === 'avg') doubles[row] = Number(sum) / count / scale;
    else wide[row] = sum;
  }
  const anyNull = nulls.includes(1) ? nulls : null;
  return window.fn === 'avg' ? numericVector(Types.float64, doubles, anyNull) : numericVector(window.type, wide, anyNull);
}
