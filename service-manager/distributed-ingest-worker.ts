/**
 * A node's share of a distributed load: check every path against the node's own rules, parse
 * the parts it was given into partitions of the table, and return them uncommitted (the
 * coordinator commits every node's partitions at once, or none). Records whose key the table
 * holds at the pinned snapshot are dropped here (distributed-ingest-dedup.ts).
 */
import { Table, type Store } from '../storage/index.js';
import { ingestParts, type IngestProgress } from '../ingest/index.js';
import { KeyedRecordingTarget } from './distributed-ingest-dedup.js';
import type { IngestPathPolicy } from './distributed-ingest-paths.js';
import type { IngestPartRequest, IngestPartResult } from './distributed-ingest-wire.js';

/** What a worker needs of its node. */
export interface IngestWorkerContext {
  readonly store: Store;
  readonly node: string;
  readonly paths: IngestPathPolicy;
}

/** Checks every path of a part request (before any work starts); returns the request with real paths. */
export async function checkPartPaths(context: IngestWorkerContext, request: IngestPartRequest): Promise<IngestPartRequest> {
  const parts = [];
  for (const part of request.parts) parts.push({ ...part, file: await context.paths.readable(part.file) });
  const rejectsPath = request.options.rejectsPath === undefined ? undefined : await context.paths.writable(request.options.rejectsPath);
  return { ...request, parts, options: { ...request.options, ...(rejectsPath === undefined ? {} : { rejectsPath }) } };
}

/** Parses the parts of a checked request and writes their partitions without committing. */
export async function runIngestPart(context: IngestWorkerContext, request: IngestPartRequest, signal: AbortSignal,
  onProgress: (progress: IngestProgress) => void): Promise<IngestPartResult> {
  const table = await Table.open(context.store, request.table);
  // Keyed: a table with a record key has the worker drop records the pinned snapshot holds.
  const recording = new KeyedRecordingTarget(table, await table.snapshot(request.version));
  const summary = await ingestParts(recording, request.parts, { ...request.options, signal, onProgress });
  return {
    node: context.node,
    partitions: [...(recording.actions?.add ?? [])],
    rowsLoaded: summary.rowsLoaded,
    rowsRejected: summary.rowsRejected,
    ...(summary.rowsDuplicate === undefined ? {} : { rowsDuplicate: summary.rowsDuplicate }),
    bytesIn: summary.bytesIn,
    ...(summary.bytesRead === undefined ? {} : { bytesRead: summary.bytesRead }),
    bytesStored: summary.bytesStored,
    rejectSamples: summary.rejectSamples,
    rejectsPath: summary.rejectsPath,
  };
}
