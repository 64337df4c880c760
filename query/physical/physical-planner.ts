/**
 * Turns an optimized logical plan into a tree of physical operators, one per logical node.
 */
import { StrataError } from '../../storage/index.js';
import type { LogicalPlan } from '../plan/index.js';
import type { TableSource } from '../catalog.js';
import type { ExecutionPlan } from './execution-plan.js';
import { DistinctExec } from './distinct-exec.js';
import { FilterExec } from './filter-exec.js';
import { HashAggregateExec } from './hash-aggregate-exec.js';
import { LimitExec } from './limit-exec.js';
import { ProjectExec } from './project-exec.js';
import { ScanExec } from './scan-exec.js';
import { SortExec } from './sort-exec.js';
import { TopNExec } from './top-n-exec.js';
import { ValuesExec } from './values-exec.js';

/** Builds operators for an optimized logical plan; tables maps lower-case table name -> snapshot source. */
export function createPhysicalPlan(plan: LogicalPlan, tables: ReadonlyMap<string, TableSource>): ExecutionPlan {
  switch (plan.kind) {
    case 'scan': {
      const source = tables.get(plan.table.toLowerCase());
      if (source === undefined) {
        throw new StrataError('plan', 'TABLE_NOT_FOUND', `table '${plan.table}' is not among the tables given to the executor; check the table name`, { table: plan.table });
      }
      return new ScanExec(plan, source);
    }
    case 'filter': return new FilterExec(createPhysicalPlan(plan.input, tables), plan.predicate);
    case 'project': return new ProjectExec(createPhysicalPlan(plan.input, tables), plan.exprs, plan.schema);
    case 'aggregate': return new HashAggregateExec(createPhysicalPlan(plan.input, tables), plan.groupBy, plan.aggregates, plan.schema);
    case 'sort': return new SortExec(createPhysicalPlan(plan.input, tables), plan.keys);
    case 'limit': return new LimitExec(createPhysicalPlan(plan.input, tables), plan.limit, plan.offset);
    case 'top_n': return new TopNExec(createPhysicalPlan(plan.input, tables), plan.keys, plan.limit, plan.offset);
    case 'distinct': return new DistinctExec(createPhysicalPlan(plan.input, tables));
    case 'values': return new ValuesExec(plan.rows, plan.schema);
  }
}
