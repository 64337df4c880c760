/**
 * The entry of an ingest worker thread: it loads the parts the main thread sends, one at a time
 * (read, parse, convert, encode, compress), passes each encoded partition back to be written,
 * and reports what the part produced. See parallel-load.ts for the main thread's side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StrataError, type PartitionMeta } from '../storage/index.js';
import { Load, type IngestPart } from './ingest-load.js';
import { loadSettings } from './ingest-options.js';
import { WorkerTarget } from './worker-target.js';
import type { FromWorker, ToWorker, WorkerError, WorkerSetup } from './worker-protocol.js';

const port = parentPort;
const setup = workerData as WorkerSetup;
let written: (() => void) | null = null;
let cancel: AbortController | null = null;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function sendPartition(index: number, meta: PartitionMeta, data: Uint8Array[], transfer: ArrayBuffer[]): Promise<void> {
  return new Promise((resolve) => {
    written = resolve;
    post({ type: 'partition', index, meta, data }, transfer);
  });
}

function crossing(error: unknown): WorkerError {
  if (error instanceof StrataError) return { kind: error.kind, code: error.code, message: error.message, details: { ...error.details } };
  const reason = error instanceof Error ? error.stack ?? error.message : String(error);
  return { kind: 'internal', code: 'INGEST_WORKER_FAILED', message: `an ingest worker failed: ${reason}`, details: {} };
}

async function loadPart(index: number, part: IngestPart, rejectsPath: string): Promise<void> {
  cancel = new AbortController();
  const options = {
    ...setup.options, rejectsPath, signal: cancel.signal,
    onProgress: (progress: { bytesRead: number; rows: number }) => post({ type: 'progress', index, bytesRead: progress.bytesRead, rows: progress.rows }),
  };
  const target = new WorkerTarget(setup.snapshot, (meta, data, transfer) => sendPartition(index, meta, data, transfer));
  const settings = loadSettings([part.file], options);
  const load = new Load(target, setup.snapshot, settings, options, [part], 0, null);
  try {
    await load.run();
  } catch (error) {
    post({ type: 'failed', index, error: crossing(error), quotedLineBreaks: load.quotedLineBreaks });
    return;
  }
  const summary = load.summary([part.file], [], 0);
  post({ type: 'done', index, result: {
    rowsLoaded: summary.rowsLoaded, rowsRejected: summary.rowsRejected, bytesIn: summary.bytesIn, ...(summary.bytesRead === undefined ? {} : { bytesRead: summary.bytesRead }),
    loadHashes: target.actions?.loadHashes ?? [], rejectSamples: summary.rejectSamples, quotedLineBreaks: load.quotedLineBreaks,
  } });
}

port?.on('message', (message: ToWorker) => {
  if (message.type === 'written') {
    const resolve = written;
    written = null;
    resolve?.();
  } else if (message.type === 'cancel') {
    cancel?.abort();
  } else {
    void loadPart(message.index, message.part, message.rejectsPath);
  }
});
