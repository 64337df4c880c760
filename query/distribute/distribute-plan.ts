/**
 * DistributePlan: cuts an optimized plan at exchange points. The leaf pipeline over each Scan
 * (Scan → Filter → Project, which are row-local, and joins whose small build side is broadcast)
 * runs on every node over its share of the partitions; the operator above it is split when that
 * pays — aggregates into partial (on the nodes) and final (on the coordinator), TopN and LIMIT
 * into a local bound and a final one, DISTINCT into local and final, ORDER BY into a sort of each
 * partition on the nodes and a merging exchange (Exchange.mergeKeys) — and everything else runs
 * on the coordinator over the gathered rows.
 *
 * Joins: when the build (right) side is estimated small (broadcastRowsMax) and the join's result
 * is the union of its results over the probe side's partitions (inner, left, semi, anti, mark,
 * single), the whole build side is computed on every node and the join runs inside the probe
 * side's fragment ('broadcast'); otherwise both sides are gathered to the coordinator, which
 * joins them ('gather') — unless both sides are big (shuffleRowsMin) leaf pipelines joined on
 * keys of matching types, when both are hash-partitioned by key across the nodes and each node
 * joins its buckets ('shuffle'; the join, the row-local operators and a partial aggregate above
 * it form one fragment run per bucket, see shuffle-plan.ts). Pure plan rewriting: where
 * fragments run is the FragmentExecutor's business.
 */
import { sameType, Types, type DataType, type Field } from '../../storage/index.js';
import type { AggregateExpr, Expr } from '../plan/expr.js';
import { call, castTo, columnRef, exprEquals, literal } from '../plan/expr-utils.js';
import type { Aggregate, Exchange, Join, JoinType, LogicalPlan } from '../plan/logical-plan.js';
import { planInputs, withInput, withInputs } from '../plan/plan-utils.js';
import type { TableSource } from '../catalog.js';
import { estimateRows, largestScanRows } from '../optimize/cardinality.js';

/**
 * Largest estimated build side broadcast to every node (rows): a hash table that size costs each
 * node tens of MiB; past it, gathering both sides to the coordinator costs less than computing
 * the build side everywhere.
 */
export const broadcastRowsMax = 200_000;

/**
 * Smallest estimated side (rows) of a join worth shuffling: below it, gathering both sides costs
 * the coordinator little; above it, joining bucket by bucket on every node spreads the hash table
 * and the probing. The same as broadcastRowsMax, so a join shuffles only when neither side is
 * small enough to broadcast or to gather cheaply.
 */
export const shuffleRowsMin = 200_000;

/** Joins whose output is the union of their outputs over parts of the probe (left) side. */
const broadcastJoinTypes = new Set<JoinType>(['inner', 'left', 'semi', 'anti', 'mark', 'single']);

/** What DistributePlan may consult: the statement's tables (for size estimates). */
export interface DistributeOptions {
  readonly tables?: ReadonlyMap<string, TableSource>;
  /** Overrides broadcastRowsMax (tests). */
  readonly broadcastRowsMax?: number;
  /** Overrides shuffleRowsMin (tests). */
  readonly shuffleRowsMin?: number;
}

function exchange(fragment: LogicalPlan): Exchange {
  return { kind: 'exchange', fragment, schema: fragment.schema };
}

/** True for a Scan with only row-local operators (Filter, Project, broadcast joins) above it. */
function isLeafPipeline(plan: LogicalPlan): boolean {
  if (plan.kind === 'scan') return true;
  if (plan.kind === 'filter' || plan.kind === 'project') return isLeafPipeline(plan.input);
  if (plan.kind === 'join') return plan.distribution === 'broadcast' && isLeafPipeline(plan.left);
  return false;
}

/** Marks each join broadcast, shuffle or gather, bottom-up along probe sides (a build side broadcast is left whole). */
function chooseJoinDistribution(plan: LogicalPlan, options: DistributeOptions): LogicalPlan {
  if (plan.kind !== 'join') {
    const inputs = planInputs(plan);
    return inputs.length === 0 ? plan : withInputs(plan, inputs.map((input) => chooseJoinDistribution(input, options)));
  }
  const left = chooseJoinDistribution(plan.left, options);
  const limit = options.broadcastRowsMax ?? broadcastRowsMax;
  const tables = options.tables;
  // Small by estimate, and never the larger table of the two (estimates can be far off; table sizes are not).
  const small = tables !== undefined && estimateRows(plan.right, tables) <= limit && largestScanRows(plan.right, tables) <= largestScanRows(left, tables);
  if (broadcastJoinTypes.has(plan.joinType) && isLeafPipeline(left) && small) {
    return { ...plan, left, distribution: 'broadcast' } satisfies Join;
  }
  const right = chooseJoinDistribution(plan.right, options);
  const shuffle = tables !== undefined && canShuffleJoin(plan, left, right) &&
    Math.min(estimateRows(left, tables), estimateRows(right, tables)) >= (options.shuffleRowsMin ?? shuffleRowsMin);
  return { ...plan, left, right, distribution: shuffle ? 'shuffle' : 'gather' } satisfies Join;
}

/**
 * True when the join's result is the union of its results over buckets of equal keys: an
 * equi-join (any type but null-aware, whose NULL rule needs the whole right side) of two leaf
 * pipelines whose key pairs hash alike (same type; decimals of one scale).
 */
function canShuffleJoin(plan: Join, left: LogicalPlan, right: LogicalPlan): boolean {
  if (plan.leftKeys.length === 0 || plan.nullAware || !isLeafPipeline(left) || !isLeafPipeline(right)) return false;
  return plan.leftKeys.every((key, i) => sameType(key.type, plan.rightKeys[i].type) || (isNumberLike(key.type) && isNumberLike(plan.rightKeys[i].type)));
}

/** Integer and float types: hashed as float64 values, so mixed widths agree. */
function isNumberLike(type: DataType): boolean {
  return type.id === 'int16' || type.id === 'int32' || type.id === 'int64' || type.id === 'float64';
}

/** The type a partial sum of `type` has (the sum rules of expr.ts). */
function sumType(type: DataType): DataType {
  if (type.id === 'decimal') return Types.decimal(38, type.scale ?? 0);
  if (type.id === 'float64') return Types.float64;
  return Types.int64;
}

/** One aggregate's partial columns and how the final columns make its value. */
interface AggregateSplit {
  readonly partials: AggregateExpr[];
  /** Given the final aggregates' column references (one per partial), the output expression. */
  finish(finals: readonly Expr[]): Expr;
  /** The final aggregate of each partial column. */
  readonly finalFunctions: AggregateExpr['fn'][];
}

function splitAggregate(aggregate: AggregateExpr): AggregateSplit {
  const { fn, arg, filter } = aggregate;
  switch (fn) {
    case 'count_star':
    case 'count':
      return { partials: [aggregate], finalFunctions: ['sum'], finish: ([total]) => call('coalesce', [total, literal(0, Types.int64)], Types.int64) };
    case 'sum':
    case 'min':
    case 'max':
      return { partials: [aggregate], finalFunctions: [fn === 'sum' ? 'sum' : fn], finish: ([value]) => value };
    case 'avg': {
      const sum: AggregateExpr = { fn: 'sum', arg, distinct: false, filter, type: sumType(arg!.type) };
      const count: AggregateExpr = { fn: 'count', arg, distinct: false, filter, type: Types.int64 };
      return {
        partials: [sum, count], finalFunctions: ['sum', 'sum'],
        finish: ([total, rows]) => call('divide', [castTo(total, Types.float64), castTo(rows, Types.float64)], Types.float64),
      };
    }
  }
}

/** Partial aggregate on the nodes, final aggregate and a projection on the coordinator. */
function splitAlgebraic(plan: Aggregate, input: LogicalPlan): LogicalPlan {
  const groups = plan.groupBy.length;
  const splits = plan.aggregates.map(splitAggregate);
  const partialAggregates = splits.flatMap((split) => split.partials);
  const partialFields: Field[] = [
    ...plan.schema.fields.slice(0, groups),
    ...partialAggregates.map((aggregate, i) => ({ name: `partial_${i}`, type: aggregate.type, nullable: true })),
  ];
  const partial: Aggregate = { kind: 'aggregate', input, groupBy: plan.groupBy, aggregates: partialAggregates, schema: { fields: partialFields } };
  const gathered = exchange(partial);
  const finalAggregates: AggregateExpr[] = [];
  splits.forEach((split) => split.partials.forEach((partialAggregate, j) => {
    const index = groups + finalAggregates.length;
    const fn = split.finalFunctions[j];
    const type = fn === 'sum' ? sumType(partialAggregate.type) : partialAggregate.type;
    finalAggregates.push({ fn, arg: columnRef(index, partialFields[index].name, partialAggregate.type), distinct: false, filter: null, type });
  }));
  const finalFields: Field[] = [...partialFields.slice(0, groups), ...finalAggregates.map((aggregate, i) => ({ name: `final_${i}`, type: aggregate.type, nullable: true }))];
  const final: Aggregate = {
    kind: 'aggregate', input: gathered, schema: { fields: finalFields },
    groupBy: partialFields.slice(0, groups).map((field, i) => columnRef(i, field.name, field.type)),
    aggregates: finalAggregates,
  };
  const exprs: Expr[] = partialFields.slice(0, groups).map((field, i) => columnRef(i, field.name, field.type));
  let next = groups;
  splits.forEach((split, i) => {
    const finals = split.partials.map(() => { const ref = columnRef(next, finalFields[next].name, finalFields[next].type); next += 1; return ref; });
    exprs.push(castTo(split.finish(finals), plan.aggregates[i].type));
  });
  return { kind: 'project', input: final, exprs, schema: plan.schema };
}

/**
 * DISTINCT aggregates (and min/max) over one argument: the nodes de-duplicate (group key,
 * argument) pairs, the coordinator runs the original aggregate over those pairs.
 */
function splitDistinct(plan: Aggregate, input: LogicalPlan): LogicalPlan | null {
  const arg = plan.aggregates[0]?.arg;
  if (arg === null || arg === undefined) return null;
  const eligible = plan.aggregates.every((aggregate) => aggregate.filter === null && aggregate.arg !== null && exprEquals(aggregate.arg, arg) &&
    (aggregate.distinct || aggregate.fn === 'min' || aggregate.fn === 'max'));
  if (!eligible) return null;
  const groups = plan.groupBy.length;
  const fields: Field[] = [...plan.schema.fields.slice(0, groups), { name: 'distinct_value', type: arg.type, nullable: true }];
  const pairs: Aggregate = { kind: 'aggregate', input, groupBy: [...plan.groupBy, arg], aggregates: [], schema: { fields } };
  const argRef = columnRef(groups, 'distinct_value', arg.type);
  return {
    ...plan,
    input: exchange(pairs),
    groupBy: fields.slice(0, groups).map((field, i) => columnRef(i, field.name, field.type)),
    aggregates: plan.aggregates.map((aggregate) => ({ ...aggregate, arg: argRef })),
  };
}

/** The operator over a leaf pipeline, split or placed above an exchange. */
function splitAbove(plan: LogicalPlan, input: LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'aggregate':
      if (plan.aggregates.some((aggregate) => aggregate.distinct)) return splitDistinct(plan, input) ?? withInput(plan, exchange(input));
      return splitAlgebraic(plan, input);
    case 'top_n':
      return { ...plan, input: exchange({ ...plan, input, limit: plan.limit + plan.offset, offset: 0 }) };
    case 'limit':
      if (plan.limit === null) return withInput(plan, exchange(input));
      return { ...plan, input: exchange({ ...plan, input, limit: plan.limit + plan.offset, offset: 0 }) };
    case 'distinct':
      return { ...plan, input: exchange({ ...plan, input }) };
    case 'sort':
      // Over one table's partitions each node sorts what it reads and the exchange merges the
      // sorted partitions; a shuffle's buckets come back unsorted by partition, so sort them here.
      if (!isLeafPipeline(input)) return withInput(plan, exchange(input));
      return { ...exchange({ ...plan, input }), mergeKeys: plan.keys };
    default:
      return withInput(plan, exchange(input));
  }
}

/** True for a shuffle join with only row-local operators (Filter, Project) above it: one fragment per bucket. */
function isShufflePipeline(plan: LogicalPlan): boolean {
  if (plan.kind === 'join') return plan.distribution === 'shuffle';
  if (plan.kind === 'filter' || plan.kind === 'project') return isShufflePipeline(plan.input);
  return false;
}

/** A pipeline that runs as fragments: over one table's partitions, or over the buckets of a shuffle. */
function isFragmentPipeline(plan: LogicalPlan): boolean {
  return isLeafPipeline(plan) || isShufflePipeline(plan);
}

/** The pipeline with a shuffle join's inputs as exchanges of their leaf fragments (the map side). */
function withShuffleInputs(plan: LogicalPlan): LogicalPlan {
  if (plan.kind === 'join' && plan.distribution === 'shuffle') return withInputs(plan, [exchange(plan.left), exchange(plan.right)]);
  if (plan.kind === 'filter' || plan.kind === 'project') return withInput(plan, withShuffleInputs(plan.input));
  return plan;
}

function cut(plan: LogicalPlan): LogicalPlan {
  if (isFragmentPipeline(plan)) return exchange(withShuffleInputs(plan));
  const inputs = planInputs(plan);
  if (inputs.length === 1 && isFragmentPipeline(inputs[0])) return splitAbove(plan, withShuffleInputs(inputs[0]));
  if (inputs.length === 1) return withInput(plan, cut(inputs[0]));
  // A gathered join or a set operation: each input is distributed on its own.
  if (inputs.length === 2) return withInputs(plan, inputs.map(cut));
  return plan;
}

/** Rewrites a plan so its leaf pipelines run as fragments on every node. */
export function distributePlan(plan: LogicalPlan, options: DistributeOptions = {}): LogicalPlan {
  return cut(chooseJoinDistribution(plan, options));
}
