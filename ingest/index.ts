/** ingest/: streaming CSV / NDJSON readers (plain, .gz, .zst), typed conversion and table loads. */
export { ingestFiles } from './ingest-files.js';
export {
  ingestDefaults,
  type IngestOptions, type IngestProgress, type IngestSummary, type IngestTarget,
} from './ingest-options.js';
export { ingestErrorCodes } from './ingest-errors.js';
export { zstdWindowLogMax } from './zstd-stream.js';
