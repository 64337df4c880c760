/**
 * ReorderJoins: a tree of inner joins (what comma-separated FROM lists and JOIN … ON become)
 * is flattened into its relations and conditions, then rebuilt greedily: at each step the two
 * parts whose join is estimated smallest are joined — parts connected by a condition first, so
 * no cross product is built while a keyed join is possible — with the part reading the larger
 * table streaming through a hash table of the other (the build, right, side). A projection restores the original column order, so nothing above changes.
 * Outer, semi and anti joins are kept where they are; their inputs are reordered on their own.
 */
import type { Expr } from '../plan/expr.js';
import { columnRef, conjunction, remapColumns } from '../plan/expr-utils.js';
import { joinConditions, makeJoin } from '../plan/join-utils.js';
import type { Join, LogicalPlan } from '../plan/logical-plan.js';
import { planInputs, withInputs } from '../plan/plan-utils.js';
import type { OptimizerContext, OptimizerRule } from './optimizer-rule.js';
import { columnsOf, distinctValues, estimateRows, largestScanRows, type TableStatistics } from './cardinality.js';

/** Selectivity assumed for a residual condition between two parts. */
const residualSelectivity = 0.5;

/** A relation of the cluster, or a join of several. */
interface Part {
  readonly plan: LogicalPlan;
  /** Cluster relations it covers. */
  readonly relations: ReadonlySet<number>;
  /** Cluster-wide column numbers of its output, in order. */
  readonly columns: readonly number[];
  readonly rows: number;
  /** Rows of the largest table it reads (before filters). */
  readonly largestTable: number;
}

/** A condition over cluster-wide column numbers and the relations it reads. */
interface Condition {
  readonly expr: Expr;
  readonly relations: ReadonlySet<number>;
}

function isClusterJoin(plan: LogicalPlan): plan is Join {
  return plan.kind === 'join' && plan.joinType === 'inner' && plan.distribution === undefined;
}

function shift(expr: Expr, offset: number): Expr {
  if (offset === 0) return expr;
  const mapping = new Map<number, number>();
  for (const c of columnsOf(expr)) mapping.set(c, c + offset);
  return remapColumns(expr, mapping);
}

/** The relations (leaves) and conditions of an inner-join tree, columns numbered across the whole tree. */
function flatten(plan: LogicalPlan, offset: number, leaves: LogicalPlan[], conditions: Expr[]): void {
  if (!isClusterJoin(plan)) {
    leaves.push(plan);
    return;
  }
  flatten(plan.left, offset, leaves, conditions);
  flatten(plan.right, offset + plan.left.schema.fields.length, leaves, conditions);
  for (const condition of joinConditions(plan)) conditions.push(shift(condition, offset));
}

/** Renumbers a cluster-wide condition to the output of a join of `left` and `right`. */
function localize(expr: Expr, left: Part, right: Part): Expr {
  const mapping = new Map<number, number>();
  for (const c of columnsOf(expr)) {
    const l = left.columns.indexOf(c);
    mapping.set(c, l >= 0 ? l : left.columns.length + right.columns.indexOf(c));
  }
  return remapColumns(expr, mapping);
}

/** Estimated rows of joining two parts under the conditions that connect them. */
function joinedRows(a: Part, b: Part, conditions: readonly Condition[], tables: TableStatistics): number {
  let divisor = 1;
  let residual = 1;
  for (const condition of conditions) {
    const e = condition.expr;
    if (e.kind === 'call' && e.fn === 'eq') {
      const [x, y] = e.args;
      const ndv = (side: Expr): number => {
        const part = [...columnsOf(side)].every((c) => a.columns.includes(c)) ? a : b;
        return Math.min(part.rows, distinctValues(localize(side, part, { ...part, columns: [] }), part.plan, tables));
      };
      divisor = Math.max(divisor, ndv(x), ndv(y));
    } else {
      residual *= residualSelectivity;
    }
  }
  return Math.max(1, (a.rows * b.rows * residual) / divisor);
}

function connecting(a: Part, b: Part, conditions: readonly Condition[]): Condition[] {
  return conditions.filter((c) => {
    const inA = [...c.relations].some((r) => a.relations.has(r));
    const inB = [...c.relations].some((r) => b.relations.has(r));
    return inA && inB && [...c.relations].every((r) => a.relations.has(r) || b.relations.has(r));
  });
}

/** Joins parts greedily, smallest estimated result first, connected pairs before cross products. */
function greedy(parts: Part[], conditions: Condition[], tables: TableStatistics): Part {
  let pending = conditions;
  while (parts.length > 1) {
    let best: { i: number; j: number; rows: number; connected: boolean; applied: Condition[] } | null = null;
    for (let i = 0; i < parts.length; i++) {
      for (let j = i + 1; j < parts.length; j++) {
        const applied = connecting(parts[i], parts[j], pending);
        const connected = applied.length > 0;
        const rows = joinedRows(parts[i], parts[j], applied, tables);
        if (best === null || (connected && !best.connected) || (connected === best.connected && rows < best.rows)) best = { i, j, rows, connected, applied };
      }
    }
    const { i, j, rows, applied } = best!;
    // The part reading the larger table streams through the hash table of the other (estimates break ties).
    const [a, b] = [parts[i], parts[j]];
    const aFirst = a.largestTable !== b.largestTable ? a.largestTable > b.largestTable : a.rows >= b.rows;
    const [left, right] = aFirst ? [a, b] : [b, a];
    const plan = makeJoin('inner', left.plan, right.plan, applied.map((c) => localize(c.expr, left, right)));
    const joined: Part = {
      plan, relations: new Set([...left.relations, ...right.relations]), columns: [...left.columns, ...right.columns], rows,
      largestTable: Math.max(left.largestTable, right.largestTable),
    };
    pending = pending.filter((c) => !applied.includes(c));
    parts = [...parts.filter((_, k) => k !== i && k !== j), joined];
  }
  return parts[0];
}

function reorderCluster(join: Join, context: OptimizerContext): LogicalPlan {
  const leaves: LogicalPlan[] = [];
  const expressions: Expr[] = [];
  flatten(join, 0, leaves, expressions);
  const parts: Part[] = [];
  const relationOf: number[] = [];
  let offset = 0;
  leaves.forEach((leaf, r) => {
    const plan = reorder(leaf, context);
    const width = plan.schema.fields.length;
    const columns = Array.from({ length: width }, (_, k) => offset + k);
    for (let k = 0; k < width; k++) relationOf.push(r);
    parts.push({ plan, relations: new Set([r]), columns, rows: estimateRows(plan, context.tables), largestTable: largestScanRows(plan, context.tables) });
    offset += width;
  });
  const conditions = expressions.map((expr) => ({ expr, relations: new Set([...columnsOf(expr)].map((c) => relationOf[c])) }));
  // Conditions on one relation (or none) were placed by filter pushdown; any left apply on top.
  const joining = conditions.filter((c) => c.relations.size >= 2);
  const loose = conditions.filter((c) => c.relations.size < 2).map((c) => c.expr);
  const result = greedy(parts, joining, context.tables);
  const original = join.schema.fields;
  const exprs = original.map((field, g) => columnRef(result.columns.indexOf(g), field.name, field.type));
  const identityOrder = result.columns.every((c, k) => c === k);
  let plan: LogicalPlan = identityOrder ? result.plan : { kind: 'project', input: result.plan, exprs, schema: join.schema };
  if (loose.length > 0) plan = { kind: 'filter', input: plan, predicate: conjunction(loose), schema: plan.schema };
  return plan;
}

function reorder(plan: LogicalPlan, context: OptimizerContext): LogicalPlan {
  if (isClusterJoin(plan)) return reorderCluster(plan, context);
  const inputs = planInputs(plan);
  if (inputs.length === 0) return plan;
  const reordered = inputs.map((input) => reorder(input, context));
  return reordered.every((input, i) => input === inputs[i]) ? plan : withInputs(plan, reordered);
}

/** The ReorderJoins rule. */
export const ReorderJoins: OptimizerRule = {
  name: 'ReorderJoins',
  apply(plan: LogicalPlan, context: OptimizerContext): LogicalPlan {
    return reorder(plan, context);
  },
};
