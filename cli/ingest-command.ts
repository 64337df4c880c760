/**
 * `strata ingest`: loads files into a table in one commit, with a progress bar and a summary;
 * with --store on this machine, with --url through a running cluster (the node spreads the files
 * over its live nodes and commits once).
 */
import { resolve } from 'node:path';
import { Database, ingestRemote, type DistributedIngestSummary, type IngestOptions, type IngestSummary } from '../service-manager/index.js';
import { ProgressBar } from './progress-bar.js';
import { usageError } from './usage.js';
import { ingestThreadsMax } from '../ingest/index.js';

/** Options of `strata ingest`, as given on the command line. */
export interface IngestCommandOptions {
  readonly store?: string;
  /** A node of a running cluster (ws://HOST:PORT); instead of --store. */
  readonly url?: string;
  readonly token?: string;
  readonly table?: string;
  readonly format?: string;
  readonly delimiter?: string;
  readonly header?: boolean;
  readonly noHeader?: boolean;
  readonly nullMarkers?: string[];
  readonly onError?: string;
  readonly rejects?: string;
  readonly force?: boolean;
  readonly partitionRows?: string;
  /** Worker threads of a local load (default: the CPUs, at most ingestThreadsMax). */
  readonly threads?: string;
  readonly files: string[];
}

function toIngestOptions(options: IngestCommandOptions, progress: ProgressBar): IngestOptions {
  if (options.format !== undefined && options.format !== 'csv' && options.format !== 'ndjson') {
    throw usageError(`--format must be csv or ndjson, not '${options.format}'`);
  }
  if (options.onError !== undefined && options.onError !== 'abort' && options.onError !== 'reject') {
    throw usageError(`--on-error must be abort or reject, not '${options.onError}'`);
  }
  if (options.header === true && options.noHeader === true) throw usageError('give --header or --no-header, not both');
  if (options.delimiter !== undefined && options.delimiter.length !== 1) throw usageError('--delimiter takes one character');
  const partitionRows = options.partitionRows === undefined ? undefined : Number(options.partitionRows);
  if (partitionRows !== undefined && !(Number.isInteger(partitionRows) && partitionRows > 0)) {
    throw usageError(`--partition-rows takes a positive whole number, not '${options.partitionRows}'`);
  }
  const threads = options.threads === undefined ? undefined : Number(options.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= ingestThreadsMax)) {
    throw usageError(`--threads takes a whole number from 1 to ${ingestThreadsMax}, not '${options.threads}'`);
  }
  return {
    partitionRowsTarget: partitionRows,
    ...(threads === undefined ? {} : { threads }),
    format: options.format as IngestOptions['format'],
    delimiter: options.delimiter,
    header: options.header === true ? true : options.noHeader === true ? false : undefined,
    nullMarkers: options.nullMarkers,
    onError: options.onError as IngestOptions['onError'],
    rejectsPath: options.rejects,
    force: options.force,
    onProgress: (p: { bytesRead: number; bytesTotal: number; rows: number }) => progress.update(p.bytesRead, p.bytesTotal, p.rows),
  };
}

/** A byte count for people: exact below 10 kB, else kB, MB or GB (decimal units) with one decimal. */
export function bytesText(bytes: number): string {
  if (bytes < 10_000) return `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** The compression extensions among `files` ('.zst', '.gz', or both), for the summary line. */
function compressedExtensions(files: readonly string[]): string {
  const extensions = new Set<string>();
  for (const file of files) {
    const match = /\.(zst|zstd|gz|gzip)$/i.exec(file);
    if (match !== null) extensions.add(`.${match[1].toLowerCase()}`);
  }
  return extensions.size === 0 ? 'compressed' : [...extensions].join(', ');
}

/** One line per load: what went in and what it cost. */
export function summaryText(summary: IngestSummary): string {
  if (summary.skipped) {
    return `${summary.table}: already loaded (same file content); nothing to do. Use --force to load it again.\n`;
  }
  const ratio = summary.bytesStored > 0 ? (summary.bytesIn / summary.bytesStored).toFixed(1) : '-';
  // The ratio compares with the raw text: a .zst file's own size would make strata look like it inflates data.
  const input = summary.bytesRead === undefined
    ? `${bytesText(summary.bytesIn)} in`
    : `${bytesText(summary.bytesRead)} read (${compressedExtensions(summary.files)}), ${bytesText(summary.bytesIn)} raw`;
  let text = `${summary.table}: loaded ${summary.rowsLoaded.toLocaleString('en-US')} rows from ${summary.files.length} file(s) ` +
    `in ${summary.seconds.toFixed(2)} s — ${input}, ${bytesText(summary.bytesStored)} stored (${ratio}x), ` +
    `${summary.partitions} partition(s), version ${summary.version}\n`;
  if ((summary.rowsDuplicate ?? 0) > 0) text += `${summary.rowsDuplicate!.toLocaleString('en-US')} duplicate record(s) dropped (key already in the table)\n`;
  if (summary.rowsRejected > 0) {
    text += `${summary.rowsRejected.toLocaleString('en-US')} bad line(s) rejected to ${summary.rejectsPath}\n`;
  }
  return text;
}

/** Which node built how many partitions, for a load through a cluster. */
export function nodesText(summary: DistributedIngestSummary): string {
  if (summary.nodes.length === 0) return '';
  const shares = summary.nodes.map((share) => `${share.node} ${share.partitions} partition(s), ${share.rows.toLocaleString('en-US')} rows`);
  return `built on ${summary.nodes.length} node(s): ${shares.join('; ')}\n`;
}

/** Runs `strata ingest`. */
export async function ingestCommand(options: IngestCommandOptions): Promise<void> {
  if (options.store === undefined && options.url === undefined) throw usageError('strata ingest needs --store DIR or --url ws://HOST:PORT');
  if (options.store !== undefined && options.url !== undefined) throw usageError('give --store or --url, not both');
  if (options.table === undefined) throw usageError('strata ingest needs --table NAME');
  if (options.files.length === 0) throw usageError('strata ingest needs at least one FILE');
  const progress = new ProgressBar(`loading ${options.table}`);
  const ingestOptions = toIngestOptions(options, progress);
  if (options.url !== undefined) return ingestThroughCluster(options.url, options.table, options, ingestOptions, progress);
  const database = await Database.open(options.store!);
  try {
    const summary = await database.ingest(options.table, options.files, ingestOptions);
    progress.finish();
    process.stdout.write(summaryText(summary));
  } finally {
    progress.finish();
    await database.close();
  }
}

/** The load through a node: paths go absolute (the node reads them), the summary adds each node's share. */
async function ingestThroughCluster(url: string, table: string, options: IngestCommandOptions, ingestOptions: IngestOptions, progress: ProgressBar): Promise<void> {
  const { onProgress, signal: _signal, ...wire } = ingestOptions;
  const files = options.files.map((file) => resolve(file));
  const rejectsPath = wire.rejectsPath === undefined ? undefined : resolve(wire.rejectsPath);
  try {
    const summary = await ingestRemote(url, table, files, { ...wire, ...(rejectsPath === undefined ? {} : { rejectsPath }) }, { token: options.token, onProgress });
    progress.finish();
    process.stdout.write(summaryText(summary) + nodesText(summary));
  } finally {
    progress.finish();
  }
}
