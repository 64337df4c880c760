/**
 * Turns an optimized logical plan into a tree of physical operators, one per logical node.
 */
import { StrataError } from '../../storage/index.js';
import type { Expr, LogicalPlan, Scan } from '../plan/index.js';
import { conjuncts } from '../exec/index.js';
import type { TableSource } from '../catalog.js';
import type { ExecutionPlan } from './execution-plan.js';
import { DistinctExec } from './distinct-exec.js';
import { ExchangeExec } from './exchange-exec.js';
import { FilterExec } from './filter-exec.js';
import { HashAggregateExec } from './hash-aggregate-exec.js';
import { LimitExec } from './limit-exec.js';
import { ProjectExec } from './project-exec.js';
import { ScanExec } from './scan-exec.js';
import { SortExec } from './sort-exec.js';
import { TopNExec } from './top-n-exec.js';
import { ValuesExec } from './values-exec.js';
import { HashJoinExec } from './hash-join-exec.js';
import { UnionExec } from './union-exec.js';
import { SetOperationExec } from './set-operation-exec.js';
import { WindowExec } from './window-exec.js';

/** Builds operators for an optimized logical plan; tables maps lower-case table name -> snapshot source. */
export function createPhysicalPlan(plan: LogicalPlan, tables: ReadonlyMap<string, TableSource>): ExecutionPlan {
  switch (plan.kind) {
    case 'scan': return new ScanExec(plan, sourceOf(plan, tables));
    case 'filter': return new FilterExec(createPhysicalPlan(plan.input, tables), plan.predicate);
    case 'project': return new ProjectExec(createPhysicalPlan(plan.input, tables), plan.exprs, plan.schema);
    case 'aggregate': {
      const { input, predicates } = absorbFilters(plan.input, tables);
      return new HashAggregateExec(input, plan.groupBy, plan.aggregates, plan.schema, predicates);
    }
    case 'sort': return new SortExec(createPhysicalPlan(plan.input, tables), plan.keys);
    case 'limit': return new LimitExec(createPhysicalPlan(plan.input, tables), plan.limit, plan.offset);
    case 'top_n': return new TopNExec(createPhysicalPlan(plan.input, tables), plan.keys, plan.limit, plan.offset);
    case 'distinct': return new DistinctExec(createPhysicalPlan(plan.input, tables));
    case 'values': return new ValuesExec(plan.rows, plan.schema);
    case 'exchange': return new ExchangeExec(plan, tables, (fragment) => createPhysicalPlan(fragment, tables));
    case 'join': {
      // A broadcast build side is the same on every run of its fragment: its plan object keys the shared build.
      const buildKey = plan.distribution === 'broadcast' ? plan.right : null;
      return new HashJoinExec(createPhysicalPlan(plan.left, tables), createPhysicalPlan(plan.right, tables), plan, plan.schema, buildKey);
    }
    case 'window': return new WindowExec(createPhysicalPlan(plan.input, tables), plan.windows, plan.schema);
    case 'set_operation': {
      const left = createPhysicalPlan(plan.left, tables);
      const right = createPhysicalPlan(plan.right, tables);
      if (plan.op !== 'union') return new SetOperationExec(left, right, plan.op, plan.all, plan.schema);
      const union = new UnionExec(left, right, plan.schema);
      return plan.all ? union : new DistinctExec(union);
    }
  }
}

function sourceOf(scan: Scan, tables: ReadonlyMap<string, TableSource>): TableSource {
  const source = tables.get(scan.table.toLowerCase());
  if (source === undefined) {
    throw new StrataError('plan', 'TABLE_NOT_FOUND', `table '${scan.table}' is not among the tables given to the executor; check the table name`, { table: scan.table });
  }
  return source;
}

/**
 * The operator under an aggregate with the filters directly below it taken out, for the
 * aggregate to apply itself (same columns: a Filter and a Scan's filters see the input schema).
 */
function absorbFilters(plan: LogicalPlan, tables: ReadonlyMap<string, TableSource>): { input: ExecutionPlan; predicates: Expr[] } {
  if (plan.kind === 'filter') {
    const inner = absorbFilters(plan.input, tables);
    return { input: inner.input, predicates: [...inner.predicates, ...conjuncts(plan.predicate)] };
  }
  if (plan.kind === 'scan' && plan.filters.length > 0) {
    return { input: new ScanExec({ ...plan, filters: [] }, sourceOf(plan, tables), plan.filters, plan), predicates: plan.filters.flatMap(conjuncts) };
  }
  return { input: createPhysicalPlan(plan, tables), predicates: [] };
}
