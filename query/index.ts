/** query/: SQL front end (parse, bind), optimizer, execution; the engine that runs statements. */
export { QueryEngine, queryMemoryBytesMaxDefault } from './engine.js';
export type { QueryEngineOptions, QueryResult, QueryStats, ExecuteOptions, QueryProgress, QueryStream } from './engine.js';
export type { QueryCatalog, TableSource, ScanPartition, ColumnDefinition, CreateTableOptions, ViewRecord, RowMatcher, DeleteRowsRequest, DeleteRowsResult } from './catalog.js';
export * from './plan/index.js';
export { explainPlan, formatExpr, summaryLine, type SummaryCounts } from './plan/explain.js';
export { optimizerRuleNames } from './optimize/optimizer.js';
export { parseSql } from './sql/parse.js';
export { catalogTableName } from './sql/table-keys.js';
export { distributePlan, broadcastRowsMax, shuffleRowsMin } from './distribute/distribute-plan.js';
export { shuffleMapOutputs, splitByBucket, shuffleBucketsMax } from './distribute/shuffle-hash.js';
export { runShuffleReduce } from './physical/shuffle-reduce.js';
export { canShuffle } from './distribute/shuffle-task.js';
export type { ShuffleExecutor, ShuffleInputs, ShuffleMapOutput, ShuffleMapRequest, ShuffleSide, ShuffleTask } from './distribute/shuffle-task.js';
export type { FragmentExecutor, FragmentOutput, FragmentProgress, FragmentRequest, FragmentScanCounts, FragmentTask, PartitionOutput } from './distribute/fragment-executor.js';
export type { SqlStatement } from './sql/ast.js';
