/**
 * A load of whole files on one node: skip files already loaded, stream the rest into
 * partitions (ingest-load.ts) and make the whole load visible with one commit at the end.
 */
import type { Snapshot } from '../storage/index.js';
import { fileSize } from './byte-source.js';
import { cancelledError } from './ingest-errors.js';
import { Load } from './ingest-load.js';
import { loadSettings, type IngestOptions, type IngestSummary, type IngestTarget } from './ingest-options.js';
import { hashFile } from './load-hash.js';
import { parallelLoad, type ParallelOutcome } from './parallel-load.js';
import { writesFiles } from './worker-pool.js';
import { deduplicatorFor } from './record-dedup.js';

/** Which files to load and what is known of them before reading. */
interface LoadPlan {
  readonly files: string[];
  readonly skipped: string[];
  /** Content hash per file to load, when hashed ahead (undefined otherwise). */
  readonly hashes: (string | undefined)[];
  readonly bytesTotal: number;
}

/**
 * Loads `files` into `table` in one commit and reports what happened. Files whose content hash
 * the table already holds are skipped unless `force`; when all are, nothing is written.
 */
export async function ingestFiles(table: IngestTarget, files: string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const startedMs = performance.now();
  const settings = loadSettings(files, options);
  const snapshot = await table.snapshot();
  const plan = await planLoad(files, snapshot, settings.force, options.signal);
  const parts = plan.files.map((file, i) => ({ file, expectedHash: plan.hashes[i] }));
  const dedup = parts.length > 0 ? await deduplicatorFor(table, snapshot, options.signal) : null;
  if (parts.length > 0 && dedup === null && settings.threads > 1 && writesFiles(table)) {
    const outcome = await parallelLoad(table, snapshot, settings, options, plan);
    if (outcome !== null) return parallelSummary(snapshot.table, outcome, files, plan.skipped, (performance.now() - startedMs) / 1000);
  }
  const load = new Load(table, snapshot, settings, options, parts, plan.bytesTotal, dedup);
  if (parts.length > 0) await load.run();
  return load.summary(files, plan.skipped, (performance.now() - startedMs) / 1000);
}

/**
 * Sizes every file and, when a duplicate is possible, hashes the raw files first: reading the
 * stored bytes costs a small fraction of parsing them, and it lets a repeated load finish
 * without writing anything.
 */
async function planLoad(files: readonly string[], snapshot: Snapshot, force: boolean, signal: AbortSignal | undefined): Promise<LoadPlan> {
  const sizes = await Promise.all(files.map((file) => fileSize(file)));
  const load: string[] = [];
  const skipped: string[] = [];
  const hashes: (string | undefined)[] = [];
  let bytesTotal = 0;
  const hashAhead = !force && (snapshot.loadHashes.size > 0 || files.length > 1);
  const seen = new Set<string>();
  for (let i = 0; i < files.length; i++) {
    if (signal?.aborted === true) throw cancelledError(snapshot.table);
    const hash = hashAhead ? await hashFile(files[i]) : undefined;
    if (hash !== undefined && (snapshot.loadHashes.has(hash) || seen.has(hash))) {
      skipped.push(files[i]);
      continue;
    }
    if (hash !== undefined) seen.add(hash);
    load.push(files[i]);
    hashes.push(hash);
    bytesTotal += sizes[i];
  }
  return { files: load, skipped, hashes, bytesTotal };
}

/** The summary of a load that ran on worker threads. */
function parallelSummary(table: string, outcome: ParallelOutcome, files: readonly string[], skipped: readonly string[], seconds: number): IngestSummary {
  return {
    table, version: outcome.version, rowsLoaded: outcome.rowsLoaded, rowsRejected: outcome.rowsRejected,
    bytesIn: outcome.bytesIn, ...(outcome.bytesRead === outcome.bytesIn ? {} : { bytesRead: outcome.bytesRead }), bytesStored: outcome.bytesStored, partitions: outcome.partitions, seconds, skipped: false,
    rejectsPath: outcome.rejectsPath, files: [...files], filesSkipped: [...skipped], rejectSamples: outcome.rejectSamples,
  };
}
