/** strata's public API: the embedded database, result formatting, and the types they return. */
export { Database, type DatabaseOptions, type RowSet } from './database.js';
export { StorageQueryCatalog } from './storage-catalog.js';
export { StrataClient, type ClientOptions, type ClientResult, type QueryHandlers, type QuerySummary, type ResultColumn } from './client.js';
export { parseNodeConfig, isLoopback, nodeLimitsDefault, type NodeConfig, type NodeConfigInput, type NodeLimits } from './node-config.js';
export { startNode, type RunningNode } from './node.js';
export { compactionJobDefault, runCompactionPass, startCompactionJob, type CompactionJob, type CompactionJobConfig, type CompactionPassEntry } from './compaction-job.js';
export { ingestRemote, type RemoteIngestOptions } from './distributed-ingest-client.js';
export type { DistributedIngestSummary, IngestNodeShare } from './distributed-ingest.js';
export { cellText, cellValue, rowsOf, textRowsOf, renderCsv, renderJson, renderTable, querySummaryText, remoteSummaryText, type CellValue } from './result-format.js';
export type { QueryResult, QueryStats } from '../query/index.js';
export type { IngestOptions, IngestSummary } from '../ingest/index.js';
export { StrataError, type ErrorKind, type Batch, type Vector, type Schema, type Field, type DataType } from '../storage/index.js';
