/** query/physical/: operators that execute a logical plan over batches. */
export type { ExecutionContext, ExecutionMetrics, ExecutionPlan, ScanCounts, SpillArea, SpillRun } from './execution-plan.js';
export { createPhysicalPlan } from './physical-planner.js';
export { batchRowsMax, MemoryReservation } from './execution-limits.js';
export { ScanExec } from './scan-exec.js';
export { FilterExec } from './filter-exec.js';
export { ProjectExec } from './project-exec.js';
export { HashAggregateExec } from './hash-aggregate-exec.js';
export { SortExec } from './sort-exec.js';
export { LimitExec } from './limit-exec.js';
export { TopNExec } from './top-n-exec.js';
export { DistinctExec } from './distinct-exec.js';
export { ValuesExec } from './values-exec.js';
export { HashJoinExec, type HashJoinSpec } from './hash-join-exec.js';
export { UnionExec } from './union-exec.js';
export { SetOperationExec } from './set-operation-exec.js';
export { WindowExec } from './window-exec.js';
