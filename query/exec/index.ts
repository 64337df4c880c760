/** query/exec/: vectorized kernels that evaluate expressions over batches, and the helpers operators share. */
export { evaluateExpr, evaluateConstant, evaluateOperand, valueAt } from './evaluate-expr.js';
export { castVector } from './cast.js';
export { referencedColumns, isConstantExpr } from './expr-columns.js';
export { likeMatcher, type LikeMatcher } from './like.js';
export { parseInterval } from './interval-constant.js';
export { formatDouble, formatTimestampText } from './cast-text.js';
export * from './vector-ops.js';
export { GroupedAggregation } from './grouped-aggregation.js';
export { GroupKeys } from './group-keys.js';
export { compareAcross, compareRows, prepareMergeKeys, prepareSortKeys, rowsNotAfter, sortedIndices, type MergeKey, type PreparedKey } from './sort-keys.js';
export { conjuncts, filterRows, RowFilter } from './select-rows.js';
export { JoinHashTable, fillPairs, type PairCursor } from './join-hash-table.js';
export { joinedBatch, takeVectorOrNull } from './join-gather.js';
export { windowLayout, frameRanges, type WindowLayout } from './window-layout.js';
export { evaluateWindow } from './window-functions.js';
