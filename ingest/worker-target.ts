/**
 * The IngestTarget of an ingest worker thread: it encodes each partition into file bytes right
 * here (the costly part: statistics, Arrow layout, zstd), hands the bytes to the main thread,
 * which owns the store, and waits until they are written, so a worker holds at most one encoded
 * partition. The commit is only recorded; the main thread commits all parts at once.
 */
import {
  newPartitionId, StrataError, writePartition,
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

/** One buffer holding `chunks` back to back (a fresh ArrayBuffer, so it can be transferred). */
function joined(chunks: readonly Uint8Array[]): Uint8Array {
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

/** Sends an encoded partition to the main thread; resolves with its table-relative path once written. */
export type PartitionSender = (meta: PartitionMeta, data: Uint8Array) => Promise<string>;

/** The target a worker's Load writes through. */
export class WorkerTarget implements IngestTarget {
  /** The actions of the part's commit, once it ran. */
  actions: CommitActions | null = null;

  constructor(private readonly pinned: Snapshot, private readonly send: PartitionSender) {}

  snapshot(): Promise<Snapshot> {
    return Promise.resolve(this.pinned);
  }

  async writePartition(batches: Batch[], options: FreshPartitionOptions = {}): Promise<PartitionMeta> {
    const file = new CapturedFile();
    const id = newPartitionId();
    const meta = await writePartition(file, `${id}.arrow`, this.pinned.schema, batches, { ...options, id });
    const path = await this.send(meta, joined(file.chunks));
    return { ...meta, path };
  }

  commit(baseVersion: number, actions: CommitActions): Promise<number> {
    this.actions = actions;
    return Promise.resolve(baseVersion);
  }
}
