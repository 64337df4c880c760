/**
 * The IngestTarget of an ingest worker thread: it encodes each partition into file bytes right
 * here (the costly part: statistics, Arrow layout, zstd) and hands the bytes to the main thread,
 * which owns the store. The worker builds the next partition while the main thread writes one,
 * so it holds two encoded partitions at most. The commit is only recorded; the main thread
 * commits all parts at once.
 */
import {
  newPartitionId, StrataError, tableDataDirectory, writePartition,
  type Batch, type CommitActions, type PartitionMeta, type Snapshot, type Store, type StoreFileStatus,
} from '../storage/index.js';
import type { FreshPartitionOptions, IngestTarget } from './ingest-options.js';

/** A store that only takes one write, in memory: what writePartition produces in a worker. */
class CapturedFile implements Store {
  readonly url = 'memory://ingest-worker';
  chunks: readonly Uint8Array[] = [];

  write(_path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    this.chunks = data instanceof Uint8Array ? [data] : data;
    return Promise.resolve();
  }

  read(path: string): Promise<Uint8Array> { return unsupported(path); }
  readRange(path: string): Promise<Uint8Array> { return unsupported(path); }
  stat(path: string): Promise<StoreFileStatus | null> { return unsupported(path); }
  createIfAbsent(path: string): Promise<boolean> { return unsupported(path); }
  rename(path: string): Promise<void> { return unsupported(path); }
  list(path: string): Promise<StoreFileStatus[]> { return unsupported(path); }
  delete(path: string): Promise<void> { return unsupported(path); }
  mkdirs(path: string): Promise<void> { return unsupported(path); }
  close(): Promise<void> { return Promise.resolve(); }
}

function unsupported(path: string): never {
  throw new StrataError('internal', 'INGEST_WORKER_FAILED', `${path}: an ingest worker only encodes partition files; this is a bug in strata`);
}

/**
 * Smallest chunk transferred rather than copied: each transfer costs about as much as copying
 * tens of kilobytes, and a partition has thousands of small chunks (8-byte length prefixes,
 * padding, message headers), which made postMessage a few percent of a worker's time.
 */
const transferBytesMin = 64 * 1024;

/**
 * The file's chunks ready to post: a large chunk that owns its whole ArrayBuffer (zstd output,
 * mostly) is transferred as is; runs of the others (small chunks, views into pools or larger
 * arrays) are copied into one fresh buffer each, so nothing big is copied and no shared memory
 * is detached.
 */
function transferable(chunks: readonly Uint8Array[]): { parts: Uint8Array[]; transfer: ArrayBuffer[] } {
  const parts: Uint8Array[] = [];
  const transfer: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  let pending: Uint8Array[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const joined = joinedCopy(pending);
    parts.push(joined);
    transfer.push(joined.buffer as ArrayBuffer);
    pending = [];
  };
  for (const chunk of chunks) {
    const owns = chunk.byteLength >= transferBytesMin && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength
      && !seen.has(chunk.buffer) && chunk.buffer instanceof ArrayBuffer;
    if (!owns) { pending.push(chunk); continue; }
    flush();
    seen.add(chunk.buffer);
    parts.push(chunk);
    transfer.push(chunk.buffer as ArrayBuffer);
  }
  flush();
  return { parts, transfer };
}

/** One fresh buffer holding `chunks` back to back. */
function joinedCopy(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const data = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
  return data;
}

/** Sends an encoded partition's chunks (transferring `transfer`) to the main thread; resolves once written. */
export type PartitionSender = (meta: PartitionMeta, data: Uint8Array[], transfer: ArrayBuffer[]) => Promise<void>;

/** The target a worker's Load writes through. */
export class WorkerTarget implements IngestTarget {
  /** The actions of the part's commit, once it ran. */
  actions: CommitActions | null = null;
  /**
   * The partition the main thread is writing. One may be in flight while the next is built, so
   * the worker parses on during the write (and its sync); memory: two encoded partitions at most.
   */
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly pinned: Snapshot, private readonly send: PartitionSender) {}

  snapshot(): Promise<Snapshot> {
    return Promise.resolve(this.pinned);
  }

  async writePartition(batches: Batch[], options: FreshPartitionOptions = {}): Promise<PartitionMeta> {
    const file = new CapturedFile();
    const id = newPartitionId();
    const meta = await writePartition(file, `${id}.arrow`, this.pinned.schema, batches, { ...options, id });
    await this.inFlight;
    const { parts, transfer } = transferable(file.chunks);
    this.inFlight = this.send(meta, parts, transfer);
    return { ...meta, path: `${tableDataDirectory}/${id}.arrow` };
  }

  /** Records the commit once every partition is written. */
  async commit(baseVersion: number, actions: CommitActions): Promise<number> {
    await this.inFlight;
    this.actions = actions;
    return baseVersion;
  }
}
