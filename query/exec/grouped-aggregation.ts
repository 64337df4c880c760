/**
 * The work of a hash aggregation, batch by batch: evaluate the group keys, number the groups,
 * then feed each aggregate its argument column (after its FILTER and, for DISTINCT, after
 * dropping values its group has already seen). Arguments shared by several aggregates (sum(x)
 * and avg(x)) are evaluated once per batch.
 */
import type { Batch, DataType, Vector } from '../../storage/index.js';
import type { AggregateExpr, Expr } from '../plan/index.js';
import { createAccumulators, RowCounts, type Accumulator } from './accumulators.js';
import { evaluateExpr } from './evaluate-expr.js';
import { evaluateFused } from './fused-arithmetic.js';
import { GroupKeys, keyColumn, StringInterner } from './group-keys.js';
import { GroupedInt32Sets } from './grouped-int32-sets.js';
import { PairTable } from './pair-table.js';
import { selectTrue, takeVector } from './vector-ops.js';
import { referencedColumns } from './expr-columns.js';

/**
 * What makes a DISTINCT aggregate skip repeats: seen (group, value) pairs, in per-group sets
 * while the values are 32-bit integers and the groups few, else (from then on) in a pair table.
 */
interface DistinctState {
  table: PairTable | null;
  sets: GroupedInt32Sets | null;
  readonly interner: StringInterner | null;
}

/** Types whose values (or interned ids) are 32-bit integers. */
const int32KeyTypes = new Set(['int16', 'int32', 'date', 'string']);

/** What one batch contributes, evaluated before any state changes. */
interface Inputs {
  readonly keys: Vector[];
  readonly args: (Vector | null)[];
  readonly filters: (Vector | null)[];
}

/** Below this fraction of rows kept, a selection is gathered instead of masked. */
const maskedFractionMin = 0.5;

/** Rows of a batch at positions, gathering only the columns in `columns` (the others are never read). */
function subsetColumns(batch: Batch, positions: Int32Array, count: number, columns: ReadonlySet<number>): Batch {
  return { length: count, columns: batch.columns.map((column, c) => (columns.has(c) ? takeVector(column, positions, count) : column)) };
}

function takeIds(ids: Int32Array, indices: Int32Array, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = ids[indices[i]];
  return out;
}

/** Grouping and aggregate state of one aggregation. */
export class GroupedAggregation {
  private readonly groups: GroupKeys;
  private readonly accumulators: Accumulator[];
  private readonly distinct: (DistinctState | null)[];
  /** Per aggregate, the index of the first aggregate with the same argument expression. */
  private readonly sameArgument: number[];
  private readonly rowCounts = new RowCounts();
  /** Input columns the group keys, arguments and filters read. */
  private readonly columnsRead = new Set<number>();
  /** Group id that collects the rows a selection leaves out (-1 until needed); never output. */
  private discard = -1;
  private selectedMask = new Uint8Array(0);
  /** Per aggregate, the buffer its fused argument is computed into. */
  private readonly scratch: Float64Array[] = [];

  constructor(private readonly groupBy: readonly Expr[], private readonly aggregates: readonly AggregateExpr[]) {
    this.groups = new GroupKeys(groupBy.map((e) => e.type));
    this.accumulators = createAccumulators(aggregates, this.rowCounts);
    this.distinct = aggregates.map((a) => (a.distinct && a.arg !== null
      ? { table: null, sets: int32KeyTypes.has(a.arg.type.id) ? new GroupedInt32Sets() : null, interner: a.arg.type.id === 'string' ? new StringInterner() : null }
      : null));
    const keys = aggregates.map((a) => (a.arg === null ? '' : JSON.stringify(a.arg)));
    this.sameArgument = keys.map((key, j) => (key === '' ? j : keys.indexOf(key)));
    for (const e of groupBy) referencedColumns(e, this.columnsRead);
    for (const a of aggregates) {
      if (a.arg !== null) referencedColumns(a.arg, this.columnsRead);
      if (a.filter !== null) referencedColumns(a.filter, this.columnsRead);
    }
  }

  /** Bytes held by group tables, DISTINCT tables and aggregate state. */
  bytes(): number {
    let total = this.groups.bytes() + this.rowCounts.counts.byteLength;
    for (const accumulator of this.accumulators) total += accumulator.bytes();
    for (const state of this.distinct) if (state !== null) total += (state.table?.bytes() ?? 0) + (state.sets?.bytes() ?? 0) + (state.interner?.bytes ?? 0);
    return total;
  }

  /** Group ids in use (groups so far, plus the discard slot once one exists). */
  get groupCount(): number {
    if (this.groupBy.length > 0) return this.groups.groupCount;
    return this.discard < 0 ? 1 : 2;
  }

  /**
   * Adds the rows of one batch, or only the rows at selection.positions[0..count) when given.
   * A selection keeping most rows is applied by sending the others to a discard group (no
   * copying); a sparse one gathers the rows of the columns the aggregation reads.
   */
  add(batch: Batch, selection: { readonly positions: Int32Array; readonly count: number } | null = null): void {
    if (selection !== null && selection.count < batch.length) {
      if (selection.count === 0) return;
      if (selection.count < batch.length * maskedFractionMin) {
        this.addRows(subsetColumns(batch, selection.positions, selection.count, this.columnsRead), null);
        return;
      }
      this.addRows(batch, selection);
      return;
    }
    this.addRows(batch, null);
  }

  private addRows(batch: Batch, selection: { readonly positions: Int32Array; readonly count: number } | null): void {
    const n = batch.length;
    if (n === 0) return;
    let inputs: Inputs;
    try {
      inputs = this.evaluateInputs(batch);
    } catch (error) {
      // Evaluated on all rows, an expression may fail on a row the selection drops (a bad
      // CAST, an overflow) where SQL raises nothing: evaluate the kept rows alone instead.
      if (selection === null) throw error;
      this.addRows(subsetColumns(batch, selection.positions, selection.count, this.columnsRead), null);
      return;
    }
    // Nothing below evaluates expressions, so a batch is either fully added or not at all.
    let ids = this.groupBy.length === 0 ? new Int32Array(n) : this.groups.assign(inputs.keys, n);
    if (selection !== null) ids = this.discardUnselected(ids, selection, n);
    this.rowCounts.add(ids, n, this.groupCount);
    for (let j = 0; j < this.aggregates.length; j++) this.update(j, ids, inputs.args[j], inputs.filters[j], n);
  }

  /**
   * Positions of a batch's rows whose groups exist already (`known`) and of the others; the
   * grouping is unchanged. Without group keys every row is known.
   */
  splitKnown(batch: Batch): { known: Int32Array; knownCount: number; unknown: Int32Array; unknownCount: number } {
    const n = batch.length;
    const known = new Int32Array(n);
    const unknown = new Int32Array(n);
    if (this.groupBy.length === 0) {
      for (let i = 0; i < n; i++) known[i] = i;
      return { known, knownCount: n, unknown, unknownCount: 0 };
    }
    const ids = new Int32Array(n);
    this.groups.lookup(this.groupBy.map((e) => evaluateExpr(e, batch)), n, ids);
    let knownCount = 0;
    let unknownCount = 0;
    for (let i = 0; i < n; i++) {
      if (ids[i] >= 0) known[knownCount++] = i;
      else unknown[unknownCount++] = i;
    }
    return { known, knownCount, unknown, unknownCount };
  }

  /** Group keys, arguments (each distinct one once) and FILTER predicates of a batch. */
  private evaluateInputs(batch: Batch): Inputs {
    const keys = this.groupBy.map((e) => evaluateExpr(e, batch));
    const args: (Vector | null)[] = [];
    for (let j = 0; j < this.aggregates.length; j++) {
      const arg = this.aggregates[j].arg;
      const same = this.sameArgument[j];
      args.push(arg === null ? null : same < j ? args[same] : this.evaluateArgument(j, arg, batch));
    }
    const filters = this.aggregates.map((a) => (a.filter === null ? null : evaluateExpr(a.filter, batch)));
    return { keys, args, filters };
  }

  /**
   * An aggregate's argument; a fused arithmetic tree writes into a buffer reused across batches
   * (accumulators never keep argument vectors), saving an allocation per batch and aggregate.
   */
  private evaluateArgument(j: number, arg: Expr, batch: Batch): Vector {
    if (arg.kind === 'call') {
      if ((this.scratch[j]?.length ?? 0) < batch.length) this.scratch[j] = new Float64Array(batch.length);
      const fused = evaluateFused(arg, batch, this.scratch[j]);
      if (fused !== null) return fused;
    }
    return evaluateExpr(arg, batch);
  }

  /** Points the rows outside the selection at the discard group. */
  private discardUnselected(ids: Int32Array, selection: { readonly positions: Int32Array; readonly count: number }, n: number): Int32Array {
    if (this.discard < 0) this.discard = this.groupBy.length === 0 ? 1 : this.groups.reserveGroup();
    if (this.selectedMask.length < n) this.selectedMask = new Uint8Array(n);
    const mask = this.selectedMask;
    mask.fill(0, 0, n);
    const { positions, count } = selection;
    for (let k = 0; k < count; k++) mask[positions[k]] = 1;
    const discard = this.discard;
    for (let i = 0; i < n; i++) if (mask[i] === 0) ids[i] = discard;
    return ids;
  }

  private update(j: number, ids: Int32Array, arg: Vector | null, filter: Vector | null, n: number): void {
    let rowIds = ids;
    let rowArg = arg;
    let count = n;
    if (filter !== null) {
      const { indices, count: kept } = selectTrue(filter);
      if (kept < n) {
        rowIds = takeIds(ids, indices, kept);
        rowArg = arg === null ? null : takeVector(arg, indices, kept);
        count = kept;
      }
    }
    const state = this.distinct[j];
    if (state !== null && rowArg !== null && count > 0) {
      const isNew = this.firstSeen(state, rowIds, rowArg, count);
      const kept = selectTrue({ kind: 'numeric', type: { id: 'boolean' }, length: count, values: isNew, nulls: null });
      rowIds = takeIds(rowIds, kept.indices, kept.count);
      rowArg = takeVector(rowArg, kept.indices, kept.count);
      count = kept.count;
    }
    this.accumulators[j].update(rowIds, rowArg, count, this.groupCount);
  }

  /** 1 for the rows that bring a (group, value) pair the DISTINCT aggregate has not seen; never for NULLs. */
  private firstSeen(state: DistinctState, rowIds: Int32Array, rowArg: Vector, count: number): Uint8Array {
    const isNew = new Uint8Array(count);
    if (state.sets !== null && !state.sets.accepts(rowIds, count)) {
      state.table = state.sets.toPairTable();
      state.sets = null;
    }
    if (state.sets !== null) {
      // Int32 values go in as they are; strings as their interned ids.
      const values = rowArg.kind === 'numeric' && rowArg.values instanceof Int32Array ? rowArg.values : keyColumn(rowArg, state.interner, count).values;
      state.sets.markNew(rowIds, values, rowArg.nulls, count, isNew);
      return isNew;
    }
    state.table ??= new PairTable();
    const column = keyColumn(rowArg, state.interner, count);
    state.table.mapRows(rowIds, column.values, column.nulls, count, new Int32Array(count), isNew);
    // NULLs never count; only the first row of each (group, value) is kept.
    if (column.nulls !== null) for (let i = 0; i < count; i++) isNew[i] &= column.nulls[i] ^ 1;
    return isNew;
  }

  /**
   * The result: group keys then aggregates, one row per group (one row in all without keys).
   * With a selection in play, the discard group is left out, and so are groups only discarded
   * rows created (their keys were numbered before the selection applied; they hold no rows).
   */
  finish(): Batch {
    const count = this.groupCount;
    const columns: Vector[] = this.groupBy.length === 0 ? [] : this.groups.keyVectors();
    for (const accumulator of this.accumulators) columns.push(accumulator.result(count, this.discard));
    if (this.discard < 0) return { length: count, columns };
    const rows = this.rowCounts.counts;
    const kept = new Int32Array(count);
    let size = 0;
    for (let g = 0; g < count; g++) {
      if (g === this.discard || (this.groupBy.length > 0 && !(rows[g] > 0))) continue;
      kept[size++] = g;
    }
    return { length: size, columns: columns.map((column) => takeVector(column, kept, size)) };
  }

  /** Types of the output columns. */
  outputTypes(): DataType[] {
    return [...this.groupBy.map((e) => e.type), ...this.aggregates.map((a) => a.type)];
  }
}
