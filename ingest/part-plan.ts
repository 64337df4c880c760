/**
 * The plan of a load spread over several nodes: which files to load (load de-duplication as in
 * ingestFiles) and the parts they are cut into. Every file is read once ahead, which gives its
 * content hash (needed for the commit, since no single node reads a split file whole), its real
 * compression (magic bytes) and whether a CSV file holds a quote character.
 *
 * Only plain files are cut into byte ranges, on record boundaries (byte-range.ts). A compressed
 * file has no boundaries to seek to, and a CSV file with quotes may hold line breaks inside a
 * quoted field, which a range boundary would cut through: both are loaded whole by one node.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StrataError, type Snapshot } from '../storage/index.js';
import { splitRanges } from './byte-range.js';
import { compressionExtension, fileSize, loadHashPrefix, readError } from './byte-source.js';
import { cancelledError } from './ingest-errors.js';
import type { IngestPart } from './ingest-load.js';
import { fileFormat, loadSettings, type IngestOptions } from './ingest-options.js';
import { zstdMagic } from './zstd-stream.js';

/**
 * Smallest byte range worth a part of its own: below ~8 MiB a range parses in well under a
 * second, and another request, partition tail and commit entry cost more than they save.
 */
export const rangeBytesMin = 8 * 1024 * 1024;
/** Ranges per node and file at most: a few let bytes balance well; more only add partition tails. */
export const rangesPerWorkerMax = 4;
/** Bytes read at a time while hashing ahead. */
const scanChunkBytes = 4 * 1024 * 1024;
const quote = 0x22;

/** A part of a planned load and its raw bytes (what the nodes are balanced by). */
export interface PlannedPart extends IngestPart {
  readonly bytes: number;
}

/** Size and modification time of an input file when the load was planned. */
export interface FileStamp {
  readonly file: string;
  readonly size: number;
  readonly modifiedMs: number;
}

/** What a distributed load will do. */
export interface PartPlan {
  readonly parts: PlannedPart[];
  /** Files to load, in the order given. */
  readonly files: string[];
  /** Files whose content the table already holds. */
  readonly skipped: string[];
  /** Content hash of each file to load, for the commit. */
  readonly hashes: string[];
  /** Raw bytes of all parts. */
  readonly bytesTotal: number;
  readonly stamps: FileStamp[];
}

/** What reading a file ahead told. */
interface FileScan {
  readonly hash: string;
  readonly compressed: boolean;
  readonly hasQuote: boolean;
}

/**
 * Plans a load of `files` over `workers` nodes: validates the options, skips files already
 * loaded (unless options.force), and cuts large plain files into ranges.
 */
export async function planParts(files: string[], snapshot: Snapshot, options: IngestOptions, workers: number): Promise<PartPlan> {
  const settings = loadSettings(files, options);
  const plan = { parts: [] as PlannedPart[], files: [] as string[], skipped: [] as string[], hashes: [] as string[], bytesTotal: 0, stamps: [] as FileStamp[] };
  const seen = new Set<string>();
  for (const file of files) {
    const stamp = await fileStamp(file);
    const csv = fileFormat(file, options).format === 'csv';
    const scan = await scanFile(file, csv, options.signal, snapshot.table);
    if (!settings.force && (snapshot.loadHashes.has(scan.hash) || seen.has(scan.hash))) {
      plan.skipped.push(file);
      continue;
    }
    seen.add(scan.hash);
    plan.files.push(file);
    plan.hashes.push(scan.hash);
    plan.stamps.push(stamp);
    plan.bytesTotal += stamp.size;
    // A name promising compression is loaded whole too, so the reader reports bytes that lack it.
    const whole = scan.compressed || compressionExtension(file) !== 'none' || (csv && scan.hasQuote);
    const count = whole ? 1 : rangeCount(stamp.size, workers);
    if (count === 1) {
      plan.parts.push({ file, expectedHash: scan.hash, bytes: stamp.size });
      continue;
    }
    for (const range of splitRanges(stamp.size, count)) plan.parts.push({ file, range, bytes: range.end - range.start });
  }
  return plan;
}

/** Ranges for a plain file: a multiple of the node count when the file is large enough, so nodes get equal bytes. */
export function rangeCount(size: number, workers: number): number {
  const perWorker = Math.floor(size / (Math.max(1, workers) * rangeBytesMin));
  if (perWorker >= 1) return Math.max(1, workers) * Math.min(perWorker, rangesPerWorkerMax);
  return Math.max(1, Math.floor(size / rangeBytesMin));
}

/**
 * Fails with INGEST_FILE_CHANGED when an input's size or modification time differs from the
 * plan's: ranges were read by different nodes at different times, so this check (made before
 * the commit) is what keeps the recorded content hash honest.
 */
export async function checkFilesUnchanged(plan: PartPlan): Promise<void> {
  for (const before of plan.stamps) {
    const now = await fileStamp(before.file);
    if (now.size !== before.size || now.modifiedMs !== before.modifiedMs) {
      throw new StrataError('conflict', 'INGEST_FILE_CHANGED',
        `${before.file}: the file changed while it was being loaded; nothing was committed, load it again once it is complete`, { file: before.file });
    }
  }
}

async function fileStamp(file: string): Promise<FileStamp> {
  const size = await fileSize(file);
  try {
    return { file, size, modifiedMs: (await stat(file)).mtimeMs };
  } catch (error) {
    throw readError(file, error);
  }
}

/** Reads a file once: its sha256, whether its magic bytes say gzip/zstd, and (CSV) whether it holds a quote. */
async function scanFile(file: string, csv: boolean, signal: AbortSignal | undefined, table: string): Promise<FileScan> {
  const hash = createHash('sha256');
  let head: Buffer | null = null;
  let hasQuote = false;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: scanChunkBytes }) as AsyncIterable<Buffer>) {
      if (signal?.aborted === true) throw cancelledError(table);
      hash.update(chunk);
      head ??= chunk;
      if (csv && !hasQuote) hasQuote = chunk.includes(quote);
    }
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw readError(file, error);
  }
  return { hash: loadHashPrefix + hash.digest('hex'), compressed: head !== null && isCompressed(head), hasQuote };
}

/** gzip or zstd magic bytes (a chunk of 4 MiB always holds the 4 bytes when the file does). */
function isCompressed(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  return head.length >= 4 && zstdMagic.every((byte, i) => head[i] === byte);
}
