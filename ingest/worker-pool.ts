/**
 * The worker threads of one parallel load: parts are handed out in order to whichever worker is
 * free, each encoded partition a worker sends is written to the table's store before the worker
 * may go on (so memory stays at one partition per worker), and the first failure stops the
 * dispatch of later parts and cancels those running. Nothing here commits.
 */
import { Worker } from 'node:worker_threads';
import { StrataError, tableDataDirectory, type PartitionMeta, type Store } from '../storage/index.js';
import type { IngestPart } from './ingest-load.js';
import type { IngestProgress, IngestTarget } from './ingest-options.js';
import type { FromWorker, PartResult, ToWorker, WorkerError, WorkerSetup } from './worker-protocol.js';

/** A target whose partition files the main thread writes itself: storage's Table is one. */
export interface PartitionFileTarget extends IngestTarget {
  readonly store: Store;
  /** Store path of the table directory. */
  readonly directory: string;
}

/** True when the target exposes its store and directory, so workers can encode its partitions. */
export function writesFiles(target: IngestTarget): target is PartitionFileTarget {
  const candidate = target as Partial<PartitionFileTarget>;
  return typeof candidate.directory === 'string' && typeof candidate.store?.write === 'function';
}

/** What runParts needs. */
export interface PoolRequest {
  readonly parts: readonly IngestPart[];
  /** Per part: where its worker writes rejected records. */
  readonly rejectsPaths: readonly string[];
  readonly threads: number;
  readonly target: PartitionFileTarget;
  readonly setup: WorkerSetup;
  readonly bytesTotal: number;
  readonly onProgress?: (progress: IngestProgress) => void;
  readonly signal?: AbortSignal;
}

/** Per part (by index): what it produced, its failure, and the partitions written for it in order. */
export interface PoolOutcome {
  readonly results: (PartResult | null)[];
  readonly failures: (WorkerError | null)[];
  readonly added: PartitionMeta[][];
}

/** Runs every part (until the first failure) on up to request.threads workers. */
export function runParts(request: PoolRequest): Promise<PoolOutcome> {
  return new Promise((resolve) => new PartPool(request, resolve).start());
}

/** The state of one pool while it runs. */
class PartPool {
  private readonly outcome: PoolOutcome;
  private readonly workers: Worker[] = [];
  /** Per worker: the part it runs, or -1. */
  private readonly current: number[] = [];
  private readonly progressBytes: number[];
  private readonly progressRows: number[];
  private next = 0;
  private running = 0;
  private failedIndex = Infinity;
  private finished = false;
  private readonly onAbort = (): void => this.cancelAfter(-1);

  constructor(private readonly request: PoolRequest, private readonly resolve: (outcome: PoolOutcome) => void) {
    const parts = request.parts.length;
    this.outcome = { results: new Array(parts).fill(null), failures: new Array(parts).fill(null), added: request.parts.map(() => []) };
    this.progressBytes = new Array(parts).fill(0);
    this.progressRows = new Array(parts).fill(0);
  }

  start(): void {
    this.request.signal?.addEventListener('abort', this.onAbort, { once: true });
    const count = Math.max(1, Math.min(this.request.threads, this.request.parts.length));
    for (let w = 0; w < count; w++) {
      const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: this.request.setup });
      this.workers.push(worker);
      this.current.push(-1);
      worker.on('message', (message: FromWorker) => this.onMessage(w, message));
      worker.on('error', (error) => this.onWorkerLost(w, error));
      worker.on('exit', (code) => this.onWorkerLost(w, new Error(`worker exited with code ${code}`)));
      this.dispatch(w);
    }
  }

  /** Gives worker w the next part, or lets it rest; finishes once no part runs. */
  private dispatch(w: number): void {
    const parts = this.request.parts;
    if (this.next < parts.length && this.next < this.failedIndex && this.request.signal?.aborted !== true) {
      const index = this.next++;
      this.current[w] = index;
      this.running++;
      this.send(w, { type: 'part', index, part: parts[index], rejectsPath: this.request.rejectsPaths[index] });
      return;
    }
    if (this.running === 0) this.finish();
  }

  private send(w: number, message: ToWorker): void {
    this.workers[w].postMessage(message);
  }

  private onMessage(w: number, message: FromWorker): void {
    switch (message.type) {
      case 'partition': void this.write(w, message.index, message.meta, message.data); return;
      case 'progress': this.progress(message.index, message.bytesRead, message.rows); return;
      case 'done':
        this.outcome.results[message.index] = message.result;
        this.progress(message.index, message.result.bytesIn, message.result.rowsLoaded);
        break;
      case 'failed':
        this.fail(message.index, message.error);
        if (message.quotedLineBreaks) this.outcome.results[message.index] = quotedOnly();
        break;
    }
    this.current[w] = -1;
    this.running--;
    this.dispatch(w);
  }

  /** Writes one encoded partition, then lets the worker go on. */
  private async write(w: number, index: number, meta: PartitionMeta, data: Uint8Array[]): Promise<void> {
    const relative = `${tableDataDirectory}/${meta.id}.arrow`;
    try {
      await this.request.target.store.write(`${this.request.target.directory}/${relative}`, data);
      this.outcome.added[index].push({ ...meta, path: relative });
    } catch (error) {
      this.fail(index, error instanceof StrataError ? error.toJSON() : internalError(error));
      this.send(w, { type: 'cancel' });
    }
    this.send(w, { type: 'written' });
  }

  private progress(index: number, bytesRead: number, rows: number): void {
    this.progressBytes[index] = bytesRead;
    this.progressRows[index] = rows;
    const onProgress = this.request.onProgress;
    if (onProgress === undefined) return;
    let bytes = 0;
    let total = 0;
    for (let i = 0; i < this.progressBytes.length; i++) {
      bytes += this.progressBytes[i];
      total += this.progressRows[i];
    }
    // Ranges read a little past their ends (to finish their last records), so the sum may overshoot.
    onProgress({ bytesRead: Math.min(bytes, this.request.bytesTotal), bytesTotal: this.request.bytesTotal, rows: total });
  }

  /** Records part index's failure (the first per part wins) and cancels the parts after it. */
  private fail(index: number, error: WorkerError): void {
    this.outcome.failures[index] ??= error;
    if (index < this.failedIndex) {
      this.failedIndex = index;
      this.cancelAfter(index);
    }
  }

  private cancelAfter(index: number): void {
    for (let w = 0; w < this.workers.length; w++) if (this.current[w] > index) this.send(w, { type: 'cancel' });
  }

  /** A worker that died (a crash in native code, out of memory) fails the part it ran. */
  private onWorkerLost(w: number, error: unknown): void {
    if (this.finished || this.current[w] < 0) return;
    const index = this.current[w];
    this.current[w] = -1;
    this.running--;
    this.fail(index, internalError(error));
    if (this.running === 0) this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.request.signal?.removeEventListener('abort', this.onAbort);
    for (const worker of this.workers) {
      worker.removeAllListeners('exit');
      void worker.terminate();
    }
    this.resolve(this.outcome);
  }
}

function internalError(error: unknown): WorkerError {
  const reason = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', code: 'INGEST_WORKER_FAILED', message: `an ingest worker thread failed: ${reason}; run the load again with threads 1 and report the bug`, details: {} };
}

/** The result a failed part leaves when all that matters is that it met a quoted line break. */
function quotedOnly(): PartResult {
  return { rowsLoaded: 0, rowsRejected: 0, bytesIn: 0, loadHashes: [], rejectSamples: [], quotedLineBreaks: true };
}
