/**
 * Where sorts and aggregations over the memory budget spill: a directory per node (os.tmpdir()
 * or a configured one) holding a subdirectory per query, each run one file of length-prefixed,
 * zstd-compressed Arrow IPC streams (arrow-ipc.ts). A query's files go when it ends, whatever the way; a node
 * deletes, on start, the directories left by processes that died. Bytes on disk count against
 * a per-node limit, so spilling queries cannot fill the disk the archive lives on.
 */
import { lstat, mkdir, open, readdir, rm, unlink, type FileHandle } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StrataError, zstdCompress, zstdDecompress, type Batch, type Schema, type Vector } from '../storage/index.js';
import type { QueryEngineOptions } from '../query/index.js';
import { decodeBatches, encodeBatch } from './arrow-ipc.js';

/** A query's spill area as the engine takes it (query/ defines the interface). */
export type QuerySpillArea = ReturnType<NonNullable<QueryEngineOptions['spillAreas']>>;
type SpillRun = Awaited<ReturnType<QuerySpillArea['writeRun']>>;

/** Spilled bytes one node may hold on disk at once, over all queries, unless configured: 32 GiB. */
export const spillBytesMaxDefault = 32 * 1024 * 1024 * 1024;

/** Bytes of a frame's header: compressed and raw length. */
const frameHeaderBytes = 8;

/** Mode of the spill root and query directories: spilled rows are query data, for our user only. */
const spillDirectoryMode = 0o700;

/** Mode of run files, for the same reason. */
const spillFileMode = 0o600;

/** zstd level of spill files: the fastest levels still shrink Arrow buffers a few times, for little CPU. */
const spillZstdLevel = 1;

/** Options of a node's spill directory. */
export interface SpillOptions {
  /** Directory for spill files; default <os.tmpdir()>/strata-spill-<uid>. */
  readonly directory?: string;
  /** Spilled bytes the node may hold at once (default spillBytesMaxDefault). */
  readonly bytesMax?: number;
}

/**
 * A string vector with only the dictionary entries its rows use: slices and gathers share their
 * source's whole dictionary, which encoded with every spilled batch would multiply the bytes.
 */
function compactDictionary(vector: Vector): Vector {
  if (vector.kind !== 'string' || vector.dictionary.length <= vector.length) return vector;
  const remap = new Int32Array(vector.dictionary.length).fill(-1);
  const dictionary: string[] = [];
  const codes = new Int32Array(vector.length);
  const nulls = vector.nulls;
  for (let i = 0; i < vector.length; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const code = vector.codes[i];
    if (remap[code] === -1) {
      remap[code] = dictionary.length;
      dictionary.push(vector.dictionary[code]);
    }
    codes[i] = remap[code];
  }
  // NULL rows point at entry 0, which must exist.
  if (dictionary.length === 0) dictionary.push('');
  // Built afresh: a UTF-8 form of the old dictionary (ingested vectors carry one) must not come along.
  return { kind: 'string', type: vector.type, length: vector.length, codes, dictionary, nulls };
}

/** True when a process with this id runs (or exists but is not ours to signal). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This host's name as a file-name part (no dashes, so the pid after it parses unambiguously). */
function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9]/g, '_') || 'host';
}

/**
 * Refuses a spill root another user could read, plant or swap: it must be a real directory (not a
 * symlink) owned by us with no group or other permission bits.
 */
async function checkRootSafe(root: string): Promise<void> {
  const stats = await lstat(root);
  const uid = process.getuid?.();
  let problem: string | null = null;
  if (stats.isSymbolicLink()) problem = 'is a symbolic link';
  else if (!stats.isDirectory()) problem = 'is not a directory';
  else if (uid !== undefined && stats.uid !== uid) problem = `is owned by uid ${stats.uid}, not by this process's uid ${uid}`;
  else if ((stats.mode & 0o077) !== 0) problem = `has mode ${(stats.mode & 0o777).toString(8)}, open to group or others`;
  if (problem === null) return;
  throw new StrataError('io', 'SPILL_DIRECTORY_UNSAFE',
    `the spill directory ${root} ${problem}; spilled rows would be exposed or redirected. Use a directory owned by ` +
    `this user with mode 700 (chmod 700 ${root}), or remove it and let the node create it, or configure another spill directory`,
    { directory: root });
}

/** A node's spill directory: hands out per-query areas and keeps the node's byte count. */
export class SpillDirectory {
  /** Bytes of spill files the node holds now. */
  usedBytes = 0;
  private queries = 0;

  private constructor(readonly root: string, readonly bytesMax: number) {}

  /** Creates the directory if needed, checks it is ours alone, and deletes this host's query directories of dead processes. */
  static async open(options: SpillOptions = {}): Promise<SpillDirectory> {
    const root = options.directory ?? join(tmpdir(), `strata-spill-${process.getuid?.() ?? 'user'}`);
    const bytesMax = options.bytesMax ?? spillBytesMaxDefault;
    if (!(bytesMax > 0)) throw new StrataError('input', 'INVALID_OPTION', `the spill byte limit must be a positive number of bytes, got ${String(bytesMax)}`);
    // An existing non-directory gives EEXIST; checkRootSafe then says what is wrong with it.
    await mkdir(root, { recursive: true, mode: spillDirectoryMode }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
    await checkRootSafe(root);
    // A shared directory (NFS) may hold other hosts' queries, whose pids mean nothing here.
    const prefix = `q-${hostTag()}-`;
    for (const name of await readdir(root)) {
      if (!name.startsWith(prefix)) continue;
      const match = /^(\d+)-/.exec(name.slice(prefix.length));
      if (match === null || Number(match[1]) === process.pid || processAlive(Number(match[1]))) continue;
      await rm(join(root, name), { recursive: true, force: true });
    }
    return new SpillDirectory(root, bytesMax);
  }

  /** A fresh area for one query; its directory is made on the first write. */
  createArea(): QuerySpillArea {
    this.queries++;
    return new DirectorySpillArea(this, join(this.root, `q-${hostTag()}-${process.pid}-${this.queries}-${randomBytes(4).toString('hex')}`));
  }
}

/** Fills buffer from the file at position: a read may return fewer bytes than asked, so loop; end of file early is a truncated run. */
export async function readFully(handle: Pick<FileHandle, 'read'>, buffer: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < buffer.byteLength) {
    const { bytesRead } = await handle.read(buffer, done, buffer.byteLength - done, position + done);
    if (bytesRead === 0) {
      throw new StrataError('io', 'SPILL_IO_FAILED',
        `spill file ${file} ends at byte ${position + done}, ${buffer.byteLength - done} bytes short of its frame; the file was truncated or changed while the query ran`,
        { file });
    }
    done += bytesRead;
  }
}

/** One query's runs, one file each, under its own directory. */
class DirectorySpillArea {
  private readonly files = new Map<SpillRun, string>();
  private runsWritten = 0;
  private created = false;

  constructor(private readonly node: SpillDirectory, readonly path: string) {}

  async writeRun(schema: Schema, batches: Iterable<Batch> | AsyncIterable<Batch>): Promise<SpillRun> {
    if (!this.created) {
      await mkdir(this.path, { recursive: true, mode: spillDirectoryMode }).catch((error: unknown) => { throw this.ioError(error, 'create'); });
      this.created = true;
    }
    const file = join(this.path, `run-${++this.runsWritten}.arrow`);
    let handle: FileHandle | null = null;
    let bytes = 0;
    let rows = 0;
    try {
      handle = await open(file, 'wx', spillFileMode);
      for await (const batch of batches) {
        if (batch.length === 0) continue;
        const raw = encodeBatch(schema, { length: batch.length, columns: batch.columns.map(compactDictionary) });
        const frame = zstdCompress(raw, spillZstdLevel);
        this.reserve(frame.byteLength + frameHeaderBytes);
        bytes += frame.byteLength + frameHeaderBytes;
        const header = new Uint8Array(frameHeaderBytes);
        new DataView(header.buffer).setUint32(0, frame.byteLength, true);
        new DataView(header.buffer).setUint32(4, raw.byteLength, true);
        await handle.write(header);
        await handle.write(frame);
        rows += batch.length;
      }
      await handle.close();
      handle = null;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      this.node.usedBytes -= bytes;
      await unlink(file).catch(() => undefined);
      throw error instanceof StrataError ? error : this.ioError(error, 'write');
    }
    const run: SpillRun = { rows, bytes };
    this.files.set(run, file);
    return run;
  }

  async *readRun(run: SpillRun): AsyncIterable<Batch> {
    const file = this.files.get(run);
    if (file === undefined) throw new StrataError('internal', 'SPILL_RUN_RELEASED', `a spill run of ${this.path} was read after it was released`);
    const handle = await open(file, 'r');
    try {
      const header = new Uint8Array(frameHeaderBytes);
      let position = 0;
      while (position < run.bytes) {
        await readFully(handle, header, position, file);
        const length = new DataView(header.buffer).getUint32(0, true);
        const frame = new Uint8Array(length);
        await readFully(handle, frame, position + frameHeaderBytes, file);
        position += frameHeaderBytes + length;
        yield* decodeBatches(zstdDecompress(frame, new DataView(header.buffer).getUint32(4, true), `spill file ${file}`)).batches;
      }
    } finally {
      await handle.close();
    }
  }

  async release(run: SpillRun): Promise<void> {
    const file = this.files.get(run);
    if (file === undefined) return;
    this.files.delete(run);
    this.node.usedBytes -= run.bytes;
    await unlink(file).catch(() => undefined);
  }

  /** Deletes every run still held and the query's directory. */
  async close(): Promise<void> {
    for (const run of [...this.files.keys()]) await this.release(run);
    if (this.created) await rm(this.path, { recursive: true, force: true });
  }

  /** Counts bytes against the node's limit; SPILL_LIMIT_EXCEEDED past it. */
  private reserve(bytes: number): void {
    if (this.node.usedBytes + bytes > this.node.bytesMax) {
      throw new StrataError('resources', 'SPILL_LIMIT_EXCEEDED',
        `a query needs more spill space than the node allows: ${Math.ceil((this.node.usedBytes + bytes) / 1048576)} MiB of ` +
        `${Math.floor(this.node.bytesMax / 1048576)} MiB in ${this.node.root}; raise the node's spill limit (limits.spillBytesMax), ` +
        'raise the query memory limit, or run fewer large sorts and aggregations at once',
        { directory: this.node.root, bytesMax: this.node.bytesMax });
    }
    this.node.usedBytes += bytes;
  }

  /** A disk error as a resources error naming the directory (the node keeps serving). */
  private ioError(error: unknown, action: string): StrataError {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      return new StrataError('resources', 'SPILL_DISK_FULL',
        `the disk of the spill directory ${this.node.root} is full; free space there, point the node's spill directory elsewhere, or raise the query memory limit`,
        { directory: this.node.root }, { cause: error });
    }
    return new StrataError('io', 'SPILL_IO_FAILED', `cannot ${action} spill files in ${this.path}: ${(error as Error).message}`, { directory: this.path }, { cause: error });
  }
}
