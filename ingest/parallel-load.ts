/**
 * A load spread over worker threads on one node. Large plain files are cut into byte ranges on
 * record boundaries (as for a cluster load, byte-range.ts), compressed files are loaded whole,
 * and a small pool of workers (ingest-worker.ts) parses, converts, encodes and compresses the
 * parts. The main thread only writes the encoded files, hashes split files for load
 * de-duplication, and makes one commit at the end: a failure anywhere leaves the table as it was.
 *
 * A CSV file whose quoted fields hold line breaks cannot be cut at line feeds. Workers report
 * such fields (the first one in a file is always read correctly, since every cut before it is a
 * real record boundary), and the load then returns null so the caller loads sequentially.
 */
import { createReadStream } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { StrataError, type ErrorKind, type PartitionMeta, type Snapshot } from '../storage/index.js';
import { splitRanges } from './byte-range.js';
import { compressionExtension, fileSize, readError } from './byte-source.js';
import { cancelledError } from './ingest-errors.js';
import type { IngestPart } from './ingest-load.js';
import type { IngestOptions, LoadSettings } from './ingest-options.js';
import { hashFile } from './load-hash.js';
import { rangeBytesMin } from './part-plan.js';
import { runParts, type PartitionFileTarget, type PoolOutcome } from './worker-pool.js';
import type { PartResult } from './worker-protocol.js';
import { zstdMagic } from './zstd-stream.js';

/** A part of a parallel load and the file it belongs to. */
export interface ThreadPart {
  readonly part: IngestPart;
  readonly fileIndex: number;
  /** One of several ranges of its file. */
  readonly split: boolean;
}

/** What a parallel load did (the caller adds files, timing and the rest of the summary). */
export interface ParallelOutcome {
  readonly version: number;
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  /** Decompressed input bytes. */
  readonly bytesIn: number;
  /** Input bytes as stored. */
  readonly bytesRead: number;
  readonly bytesStored: number;
  readonly partitions: number;
  readonly rejectsPath: string | null;
  readonly rejectSamples: { code: string; message: string }[];
}

/** The files of a load, as ingestFiles planned them. */
export interface ParallelFiles {
  readonly files: readonly string[];
  /** Content hash of each file when hashed ahead. */
  readonly hashes: readonly (string | undefined)[];
  readonly bytesTotal: number;
}

/** Smallest load (raw bytes of all files) run on worker threads: what two ranges need at least. */
export const parallelBytesMin = 2 * rangeBytesMin;

/** Reject samples a summary keeps (as RowFailures keeps per load). */
const rejectSamplesMax = 10;

/** Cuts the files into parts: plain files of at least two rangeBytesMin into one range per thread. */
export async function planParallelParts(files: readonly string[], hashes: readonly (string | undefined)[], threads: number): Promise<ThreadPart[]> {
  const parts: ThreadPart[] = [];
  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex];
    const size = await fileSize(file);
    const plain = compressionExtension(file) === 'none' && !(await hasCompressionMagic(file));
    const count = plain ? Math.min(threads, Math.floor(size / rangeBytesMin)) : 1;
    if (count <= 1) {
      parts.push({ part: { file, expectedHash: hashes[fileIndex] }, fileIndex, split: false });
      continue;
    }
    for (const range of splitRanges(size, count)) parts.push({ part: { file, range }, fileIndex, split: true });
  }
  return parts;
}

/**
 * Loads the files over settings.threads workers and commits once. Returns null, having
 * committed nothing, when the load gains nothing from threads (under parallelBytesMin, or a
 * single part) or when a split CSV file turned out to hold quoted line breaks: the caller then
 * loads sequentially.
 */
export async function parallelLoad(target: PartitionFileTarget, snapshot: Snapshot, settings: LoadSettings, options: IngestOptions,
  input: ParallelFiles): Promise<ParallelOutcome | null> {
  // Starting workers costs a few hundred milliseconds: small loads stay on the calling thread.
  if (input.bytesTotal < parallelBytesMin) return null;
  const parts = await planParallelParts(input.files, input.hashes, settings.threads);
  if (parts.length < 2) return null;
  const splitFiles = [...new Set(parts.filter((planned) => planned.split).map((planned) => planned.fileIndex))];
  const stamps = await Promise.all(splitFiles.map((fileIndex) => fileStamp(input.files[fileIndex])));
  // Hashing the split files runs beside the workers; a file hashed ahead is not read again.
  const hashing = splitFiles.map((fileIndex) => input.hashes[fileIndex] ?? hashFile(input.files[fileIndex]));
  hashing.forEach((hash) => void Promise.resolve(hash).catch(() => undefined));
  const rejectsPaths = parts.map((_, index) => `${settings.rejectsPath}.part-${process.pid}-${index}`);
  try {
    const outcome = await runParts({
      parts: parts.map((planned) => planned.part), rejectsPaths, threads: settings.threads, target,
      setup: { snapshot: { ...snapshot, partitions: [], loadHashes: new Set() }, options: workerOptions(options) },
      bytesTotal: input.bytesTotal, onProgress: options.onProgress, signal: options.signal,
    });
    if (outcome.results.some((result, index) => parts[index].split && result?.quotedLineBreaks === true)) {
      await removeFiles(target, outcome.added.flat());
      return null;
    }
    throwFirstFailure(outcome);
    if (options.signal?.aborted === true) throw cancelledError(snapshot.table);
    for (let i = 0; i < splitFiles.length; i++) await checkUnchanged(stamps[i]);
    const loadHashes = await collectHashes(parts, outcome, splitFiles, hashing);
    return await finish(target, snapshot, settings, input, outcome, loadHashes, rejectsPaths, parts);
  } finally {
    await Promise.all(rejectsPaths.map((path) => unlink(path).catch(() => undefined)));
  }
}

/** The options a worker may receive (no callbacks, no signal). */
function workerOptions(options: IngestOptions): IngestOptions {
  const { onProgress: _progress, signal: _signal, ...plain } = options;
  return plain;
}

/** The error of the earliest failed part, which is what a sequential load would have thrown. */
function throwFirstFailure(outcome: PoolOutcome): void {
  const failure = outcome.failures.find((entry) => entry !== null);
  if (failure === undefined || failure === null) return;
  throw new StrataError(failure.kind as ErrorKind, failure.code, failure.message, failure.details);
}

/** Load hashes in file order: split files hashed here, whole files by their worker. */
async function collectHashes(parts: readonly ThreadPart[], outcome: PoolOutcome, splitFiles: readonly number[],
  hashing: readonly (string | Promise<string>)[]): Promise<string[]> {
  const hashes: string[] = [];
  const splitHashes = await Promise.all(hashing);
  let lastFile = -1;
  for (let index = 0; index < parts.length; index++) {
    const { fileIndex, split } = parts[index];
    if (fileIndex === lastFile) continue;
    lastFile = fileIndex;
    if (split) hashes.push(splitHashes[splitFiles.indexOf(fileIndex)]);
    else hashes.push(...(outcome.results[index]?.loadHashes ?? []));
  }
  return hashes;
}

/** Gathers the rejects, commits and sums up. */
async function finish(target: PartitionFileTarget, snapshot: Snapshot, settings: LoadSettings, input: ParallelFiles, outcome: PoolOutcome,
  loadHashes: string[], rejectsPaths: readonly string[], parts: readonly { readonly split: boolean }[]): Promise<ParallelOutcome> {
  const added = outcome.added.flat();
  let rowsLoaded = 0;
  let rowsRejected = 0;
  const rejectSamples: { code: string; message: string }[] = [];
  const rejected: string[] = [];
  outcome.results.forEach((result, index) => {
    rowsLoaded += result!.rowsLoaded;
    rowsRejected += result!.rowsRejected;
    if (result!.rowsRejected > 0) rejected.push(rejectsPaths[index]);
    for (const sample of result!.rejectSamples) if (rejectSamples.length < rejectSamplesMax) rejectSamples.push(sample);
  });
  if (rejected.length > 0) await concatenate(rejected, settings.rejectsPath);
  const version = await target.commit(snapshot.version, {
    add: added, remove: [], loadHashes, info: { operation: 'load', files: [...input.files], rows: rowsLoaded },
  });
  let bytesStored = 0;
  for (const meta of added) bytesStored += meta.bytes;
  return {
    // Ranges read a little past their ends to finish their last records: every file was read, once.
    version, rowsLoaded, rowsRejected, bytesIn: input.bytesTotal + decompressionGrowth(outcome.results, parts), bytesRead: input.bytesTotal, bytesStored, partitions: added.length,
    rejectsPath: rowsRejected > 0 ? settings.rejectsPath : null, rejectSamples,
  };
}

/**
 * Bytes that decompressing whole .gz/.zst files added to their stored size. Split plain files
 * add none (a range reads a little past its end, so its own counts differ and are not used).
 */
function decompressionGrowth(results: readonly (PartResult | null)[], parts: readonly { readonly split: boolean }[]): number {
  let growth = 0;
  results.forEach((result, index) => {
    if (!parts[index].split && result?.bytesRead !== undefined) growth += result.bytesIn - result.bytesRead;
  });
  return growth;
}

/** Size and modification time of a split file, to tell whether it changed during the load. */
interface FileStamp {
  readonly file: string;
  readonly size: number;
  readonly modifiedMs: number;
}

async function fileStamp(file: string): Promise<FileStamp> {
  try {
    const status = await stat(file);
    return { file, size: status.size, modifiedMs: status.mtimeMs };
  } catch (error) {
    throw readError(file, error);
  }
}

/** INGEST_FILE_CHANGED when a split file changed: its ranges and its hash may then disagree. */
async function checkUnchanged(before: FileStamp): Promise<void> {
  const now = await fileStamp(before.file);
  if (now.size === before.size && now.modifiedMs === before.modifiedMs) return;
  throw new StrataError('conflict', 'INGEST_FILE_CHANGED',
    `${before.file}: the file changed while it was being loaded; nothing was committed, load it again once it is complete`, { file: before.file });
}

/** gzip or zstd magic bytes at the start of the file. */
async function hasCompressionMagic(file: string): Promise<boolean> {
  const head = Buffer.alloc(4);
  let bytes = 0;
  try {
    const handle = await open(file, 'r');
    try {
      bytes = (await handle.read(head, 0, head.length, 0)).bytesRead;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw readError(file, error);
  }
  if (bytes >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  return bytes >= 4 && zstdMagic.every((byte, i) => head[i] === byte);
}

/** Deletes partition files a discarded attempt wrote (best effort: vacuum removes what remains). */
async function removeFiles(target: PartitionFileTarget, added: readonly PartitionMeta[]): Promise<void> {
  for (const meta of added) await target.store.delete(`${target.directory}/${meta.path}`).catch(() => undefined);
}

/** Writes the parts' rejects files, in part order, into one rejects file. */
async function concatenate(paths: readonly string[], into: string): Promise<void> {
  try {
    const handle = await open(into, 'w');
    try {
      for (const path of paths) {
        for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) await handle.write(chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StrataError('io', 'INGEST_WRITE_FAILED', `${into}: cannot write the rejects file: ${reason}; choose a writable place with rejectsPath (--rejects)`, { path: into }, { cause: error });
  }
}
