/**
 * HashJoinExec: reads the right input whole and builds a JoinHashTable over its keys (counted
 * against the query's memory budget), then streams the left input through it batch by batch.
 * Matches are produced as (probe row, build row) index pairs, at most batchRowsMax at a time,
 * gathered column by column; the residual filter runs on the gathered pairs. Outer joins add
 * the rows without a match with NULLs on the other side; semi, anti and mark joins only flag the
 * probe rows. A NULL key never matches. With a spill area, a build side past the memory limit
 * turns it into a grace hash join over partitions on disk (spilling-join.ts).
 */
import { StrataError, Types, numericVector, type Batch, type DataType, type Schema, type Vector } from '../../storage/index.js';
import type { Expr, JoinType } from '../plan/index.js';
import {
  JoinHashTable, RowFilter, conjuncts, evaluateExpr, fillPairs, joinedBatch, takeBatch, type PairCursor,
} from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { batchRowsMax, bufferInput, checkCancelled, MemoryReservation } from './execution-limits.js';
import { canGraceJoin, joinSpillDepthMax, spillingHashJoin } from './spilling-join.js';

/** What the operator needs of the logical Join. */
export interface HashJoinSpec {
  readonly joinType: JoinType;
  readonly leftKeys: readonly Expr[];
  readonly rightKeys: readonly Expr[];
  readonly filter: Expr | null;
  readonly nullAware: boolean;
}

/** The built right side of one execution. */
interface BuildSide {
  readonly batch: Batch;
  readonly table: JoinHashTable;
  /** Build rows that found a partner (right and full joins), else null. */
  readonly matched: Uint8Array | null;
}

/** Scratch arrays of one execution: pair indices and the probe rows' groups. */
interface ProbeScratch {
  readonly probeRows: Int32Array;
  readonly buildRows: Int32Array;
  groups: Int32Array;
  readonly filter: RowFilter | null;
}

/** Join types whose output is only the probe rows (with or without a mark column). */
const flagJoins = new Set<JoinType>(['semi', 'anti', 'mark']);
/** Join types that output probe rows without a match (with NULLs on the right). */
const probeOuterJoins = new Set<JoinType>(['left', 'full', 'single']);

/** Hash join, building on the right input. */
export class HashJoinExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[];
  private readonly leftTypes: readonly DataType[];
  private readonly rightTypes: readonly DataType[];

  constructor(
    readonly left: ExecutionPlan, readonly right: ExecutionPlan, private readonly spec: HashJoinSpec, readonly schema: Schema,
    /** When set, the build side is shared through the context's joinBuilds under this key (broadcast joins). */
    private readonly buildKey: object | null = null,
    /** Grace-join partitioning level of this join (spilling-join.ts); past joinSpillDepthMax it never spills. */
    private readonly spillDepth = 0,
  ) {
    this.children = [left, right];
    this.leftTypes = left.schema.fields.map((f) => f.type);
    this.rightTypes = right.schema.fields.map((f) => f.type);
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    // A shared broadcast build cannot be partitioned per run of the fragment; it stays in memory.
    if (context.spill !== undefined && this.buildKey === null && this.spillDepth <= joinSpillDepthMax && canGraceJoin(this.spec)) {
      yield* spillingHashJoin(this.left, this.right, this.spec, this.spillDepth, context, context.spill,
        (left, right, depth) => new HashJoinExec(left, right, this.spec, this.schema, null, depth));
      return;
    }
    const reservation = new MemoryReservation(context, 'HashJoinExec');
    try {
      const build = await this.sharedBuildSide(context, reservation);
      const type = this.spec.joinType;
      // Nothing to match: these joins output nothing, so the left input is never read.
      if (build.batch.length === 0 && (type === 'inner' || type === 'semi' || type === 'right')) return;
      const scratch: ProbeScratch = {
        probeRows: new Int32Array(batchRowsMax), buildRows: new Int32Array(batchRowsMax), groups: new Int32Array(0),
        filter: this.spec.filter === null ? null : new RowFilter(conjuncts(this.spec.filter)),
      };
      for await (const batch of this.left.execute(context)) {
        checkCancelled(context);
        if (batch.length === 0) continue;
        yield* this.probeBatch(batch, build, scratch);
      }
      if (build.matched !== null) yield* this.unmatchedBuildRows(build);
    } finally {
      reservation.release();
    }
  }

  /** The build side, built once per context's joinBuilds when this join is a broadcast one. */
  private async sharedBuildSide(context: ExecutionContext, reservation: MemoryReservation): Promise<BuildSide> {
    const cache = context.joinBuilds;
    if (this.buildKey === null || cache === undefined) return this.buildSide(context, reservation);
    let build = cache.get(this.buildKey) as Promise<BuildSide> | undefined;
    if (build === undefined) {
      build = this.buildSide(context, reservation);
      cache.set(this.buildKey, build);
    }
    return build;
  }

  private async buildSide(context: ExecutionContext, reservation: MemoryReservation): Promise<BuildSide> {
    const buffered = await bufferInput(this.right, this.rightTypes, context, reservation);
    const batch: Batch = buffered?.batch ?? { length: 0, columns: this.rightTypes.map(() => emptyVector()) };
    const bytes = buffered?.bytes ?? 0;
    const keys = batch.length === 0 ? [] : this.spec.rightKeys.map((key) => evaluateExpr(key, batch));
    const table = new JoinHashTable(batch.length === 0 ? this.spec.rightKeys.map(() => emptyVector()) : keys, batch.length);
    reservation.resize(2 * bytes + table.bytes());
    const type = this.spec.joinType;
    const matched = type === 'right' || type === 'full' ? new Uint8Array(batch.length) : null;
    return { batch: batch.length === 0 ? emptyBuild(this.rightTypes) : batch, table, matched };
  }

  private *probeBatch(batch: Batch, build: BuildSide, scratch: ProbeScratch): Generator<Batch> {
    const n = batch.length;
    if (scratch.groups.length < n) scratch.groups = new Int32Array(Math.max(n, 2 * scratch.groups.length));
    const groups = scratch.groups;
    const keys = this.spec.leftKeys.map((key) => evaluateExpr(key, batch));
    build.table.probe(keys, n, groups);
    const type = this.spec.joinType;
    if (flagJoins.has(type) && this.spec.filter === null) {
      const matched = new Uint8Array(n);
      for (let i = 0; i < n; i++) matched[i] = groups[i] >= 0 ? 1 : 0;
      const result = this.flagOutput(batch, matched, keys, build);
      if (result.length > 0) yield result;
      return;
    }
    const probeMatched = flagJoins.has(type) || probeOuterJoins.has(type) ? new Uint8Array(n) : null;
    yield* this.pairBatches(batch, build, scratch, probeMatched);
    if (probeMatched === null) return;
    if (flagJoins.has(type)) {
      const result = this.flagOutput(batch, probeMatched, keys, build);
      if (result.length > 0) yield result;
      return;
    }
    yield* this.unmatchedProbeRows(batch, build, probeMatched);
  }

  /** Joined pairs of one probe batch, chunk by chunk; records which rows on either side matched. */
  private *pairBatches(batch: Batch, build: BuildSide, scratch: ProbeScratch, probeMatched: Uint8Array | null): Generator<Batch> {
    const emits = !flagJoins.has(this.spec.joinType);
    const single = this.spec.joinType === 'single';
    const cursor: PairCursor = { row: 0, offset: 0 };
    for (;;) {
      const count = fillPairs(build.table, scratch.groups, batch.length, cursor, scratch.probeRows, scratch.buildRows, batchRowsMax);
      if (count === 0) return;
      const pairs = joinedBatch(batch, this.leftTypes, scratch.probeRows, build.batch, this.rightTypes, scratch.buildRows, count, false);
      let kept = count;
      let positions: Int32Array | null = null;
      if (scratch.filter !== null) {
        const selection = scratch.filter.select(pairs);
        kept = selection.count;
        positions = kept === count ? null : selection.positions;
      }
      for (let k = 0; k < kept; k++) {
        const p = positions === null ? k : positions[k];
        if (probeMatched !== null) {
          const row = scratch.probeRows[p];
          if (single && probeMatched[row] === 1) throw multipleRows();
          probeMatched[row] = 1;
        }
        if (build.matched !== null) build.matched[scratch.buildRows[p]] = 1;
      }
      if (emits && kept > 0) yield positions === null ? pairs : takeBatch(pairs, positions, kept);
    }
  }

  /**
   * NOT IN / IN rules: rows whose "no match" is unknown (1) because the probe key is NULL or the
   * build side holds a NULL key, unless the build side is empty; null when no row is.
   */
  private unknownRows(matched: Uint8Array, keys: readonly Vector[], build: BuildSide, n: number): Uint8Array | null {
    if (!this.spec.nullAware || build.batch.length === 0) return null;
    const unknown = new Uint8Array(n);
    let any = 0;
    if (build.table.hasNullKey) {
      for (let i = 0; i < n; i++) any |= unknown[i] = matched[i] ^ 1;
    } else {
      for (const key of keys) {
        const nulls = key.nulls;
        if (nulls === null) continue;
        for (let i = 0; i < n; i++) any |= unknown[i] |= nulls[i] & (matched[i] ^ 1);
      }
    }
    return any === 0 ? null : unknown;
  }

  /** Semi/anti: the probe rows that (do not) match; mark: every probe row plus the match flag. */
  private flagOutput(batch: Batch, matched: Uint8Array, keys: readonly Vector[], build: BuildSide): Batch {
    const n = batch.length;
    const unknown = this.unknownRows(matched, keys, build, n);
    if (this.spec.joinType === 'mark') return { length: n, columns: [...batch.columns, numericVector(Types.boolean, matched, unknown)] };
    const rows = new Int32Array(n);
    let count = 0;
    if (this.spec.joinType === 'semi') {
      for (let i = 0; i < n; i++) if (matched[i] === 1) rows[count++] = i;
    } else {
      for (let i = 0; i < n; i++) if (matched[i] === 0 && (unknown === null || unknown[i] === 0)) rows[count++] = i;
    }
    return count === n ? batch : takeBatch(batch, rows, count);
  }

  private *unmatchedProbeRows(batch: Batch, build: BuildSide, probeMatched: Uint8Array): Generator<Batch> {
    const rows = new Int32Array(batch.length);
    let count = 0;
    for (let i = 0; i < batch.length; i++) if (probeMatched[i] === 0) rows[count++] = i;
    if (count > 0) yield joinedBatch(batch, this.leftTypes, rows, build.batch, this.rightTypes, null, count, false);
  }

  private *unmatchedBuildRows(build: BuildSide): Generator<Batch> {
    const matched = build.matched as Uint8Array;
    const rows = new Int32Array(batchRowsMax);
    let count = 0;
    const empty: Batch = { length: 0, columns: [] };
    for (let i = 0; i <= matched.length; i++) {
      if (count === batchRowsMax || (i === matched.length && count > 0)) {
        yield joinedBatch(empty, this.leftTypes, null, build.batch, this.rightTypes, rows, count, false);
        count = 0;
      }
      if (i < matched.length && matched[i] === 0) rows[count++] = i;
    }
  }
}

function multipleRows(): StrataError {
  return new StrataError('input', 'SUBQUERY_MULTIPLE_ROWS',
    'a scalar subquery returned more than one row for one row of the outer query; make it return one row (an aggregate, LIMIT 1) or use IN / EXISTS');
}

function emptyVector(): Vector {
  return numericVector(Types.int32, new Int32Array(0));
}

function emptyBuild(types: readonly DataType[]): Batch {
  return { length: 0, columns: types.map(() => emptyVector()) };
}
