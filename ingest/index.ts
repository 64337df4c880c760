/** ingest/: streaming CSV / NDJSON readers (plain, .gz, .zst), typed conversion and table loads. */
export { ingestFiles } from './ingest-files.js';
export { ingestParts, RecordingTarget } from './ingest-parts.js';
export type { IngestPart } from './ingest-load.js';
export type { ByteRange } from './byte-range.js';
export {
  checkFilesUnchanged, planParts, rangeBytesMin, rangeCount, rangesPerWorkerMax,
  type FileStamp, type PartPlan, type PlannedPart,
} from './part-plan.js';
export { countLineEnds } from './range-lines.js';
export {
  freshTierZstdLevel, ingestDefaults, ingestThreadsMax,
  type IngestOptions, type IngestProgress, type IngestSummary, type IngestTarget,
} from './ingest-options.js';
export { ingestErrorCodes } from './ingest-errors.js';
export { recordKeyProperty, removeStaleKeyFilters } from './record-key.js';
export { deduplicatorFor, recordKeyColumns, RecordDeduplicator } from './record-dedup.js';
export { zstdWindowLogMax } from './zstd-stream.js';
