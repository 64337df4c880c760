/**
 * A store on HDFS, through WebHDFS (webhdfs-client.ts). Redundancy is HDFS's job (block
 * replication); this class maps the Store contract onto HDFS operations.
 *
 * New files are written under a temporary name in the target's directory and then renamed into
 * place with HDFS rename2 (no overwrite), which the NameNode performs atomically: exactly one of
 * any number of concurrent creators wins, and a file is only ever visible under its final name
 * with its whole content (a plain CREATE would show a half-written file while it is open). A
 * retried upload can simply overwrite its own temporary file. A crash can leave a temporary file
 * behind (prefix `.strata-tmp-`, as LocalStore), which vacuum removes.
 */
import { randomBytes } from 'node:crypto';
import { StrataError } from './errors.js';
import { validateStorePath } from './paths.js';
import type { Store, StoreFileStatus, StoreReader } from './store.js';
import { WebHdfsClient, type HdfsBlockLocation, type WebHdfsContext, type WebHdfsFileStatus } from './webhdfs-client.js';

/** Prefix of temporary files, the same as LocalStore's so vacuum treats both stores alike. */
export const hdfsStoreTempPrefix = '.strata-tmp-';

/** Default largest file read() returns whole, in bytes; bigger files are read in ranges. */
export const hdfsFileBytesMaxDefault = 1024 * 1024 * 1024;

/** How to reach the HDFS store. */
export interface HdfsStoreOptions {
  /** NameNode HTTP address, http://host:port (https:// for a TLS NameNode). */
  readonly namenodeUrl: string;
  /** Absolute HDFS directory the store lives in, e.g. /strata. */
  readonly root: string;
  /** user.name for simple authentication; default the OS user (as Hadoop's own client). */
  readonly user?: string;
  /** Delegation token for a secure cluster, sent instead of user.name. */
  readonly delegationToken?: string;
  /** Time a request may wait for progress, in ms (default 30 000); a dead NameNode fails within it. */
  readonly requestTimeoutMs?: number;
  /** Retries of transient failures (default 4), with exponential backoff. */
  readonly retriesMax?: number;
  /** Largest file read() accepts, in bytes (default 1 GiB). */
  readonly fileBytesMax?: number;
}

/** The HDFS store. */
export class HdfsStore implements Store {
  /** hdfs://[user@]host:port/root (swebhdfs:// for an https NameNode). */
  readonly url: string;
  /** Absolute HDFS path of the store root, without a trailing '/' ('' for '/'). */
  readonly root: string;
  private readonly client: WebHdfsClient;
  private readonly fileBytesMax: number;

  /** A store over the given NameNode and root; nothing is contacted until the first call. */
  constructor(options: HdfsStoreOptions) {
    this.client = new WebHdfsClient(options);
    this.root = validateRoot(options.root);
    this.fileBytesMax = options.fileBytesMax ?? hdfsFileBytesMaxDefault;
    const namenode = new URL(this.client.namenodeUrl);
    const scheme = namenode.protocol === 'https:' ? 'swebhdfs' : 'hdfs';
    const user = options.user === undefined ? '' : `${encodeURIComponent(options.user)}@`;
    this.url = `${scheme}://${user}${namenode.host}${this.root === '' ? '/' : this.root}`;
  }

  /** Opens the store, creating the root directory when absent (fails early on a wrong address or user). */
  static async open(options: HdfsStoreOptions): Promise<HdfsStore> {
    const store = new HdfsStore(options);
    await store.mkdirs('');
    return store;
  }

  /** Whole file; not_found when absent. */
  async read(path: string): Promise<Uint8Array> {
    const context = { operation: 'read', storePath: path };
    return this.openRange(this.resolve(path), 0, undefined, this.fileBytesMax, context);
  }

  /** `length` bytes from `offset`, fewer only at end of file. */
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const absolute = this.resolve(path);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new StrataError('input', 'STORE_RANGE_INVALID',
        `invalid range offset ${offset} length ${length} reading '${path}': both must be non-negative integers`, { path });
    }
    const context = { operation: 'read', storePath: path };
    if (length === 0) {
      await this.requireFile(absolute, context);
      return new Uint8Array(0);
    }
    return this.openRange(absolute, offset, length, length, context);
  }

  /**
   * A reader for many ranged reads of `path`. WebHDFS has no handle to keep (each read is its own
   * HTTP request, pooled by the client), so the reader delegates to readRange (ignoring a target buffer:
   * the response body arrives in its own).
   */
  async openReader(path: string): Promise<StoreReader> {
    this.resolve(path);
    let closed = false;
    return {
      readRange: async (offset: number, length: number): Promise<Uint8Array> => {
        if (closed) throw new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: a reader of '${path}' was read after close`, { path });
        return this.readRange(path, offset, length);
      },
      close: async (): Promise<void> => {
        closed = true;
      },
    };
  }

  /** Status, or null when absent; '' is the root. */
  async stat(path: string): Promise<StoreFileStatus | null> {
    const status = await this.client.getFileStatus(this.resolve(path, true), { operation: 'stat', storePath: path });
    return status === null ? null : toStatus(path, status);
  }

  /** Writes a new file (parents created); conflict STORE_FILE_EXISTS when it exists. */
  async write(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const chunks = data instanceof Uint8Array ? [data] : data;
    if (!(await this.publish(path, chunks, 'write'))) {
      throw new StrataError('conflict', 'STORE_FILE_EXISTS',
        `cannot write '${path}' in ${this.url}: the file already exists and store files are immutable; write to a new path`,
        { path });
    }
  }

  /** Creates the file unless it exists; true when this call created it (atomic on the NameNode). */
  async createIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    return this.publish(path, [data], 'create');
  }

  /** Atomically renames a file or directory; conflict when `to` exists, not_found when `from` is absent. */
  async rename(from: string, to: string): Promise<void> {
    const source = this.resolve(from);
    const target = this.resolve(to);
    const context = { operation: 'rename', storePath: from };
    try {
      await this.client.rename(source, target, context);
    } catch (error) {
      // rename2 wants the target's parent to exist (LocalStore creates it): make it and retry,
      // unless it is the source that is missing.
      if (!(error instanceof StrataError) || error.code !== 'STORE_FILE_NOT_FOUND') throw error;
      if ((await this.client.getFileStatus(source, context)) === null) throw error;
      await this.client.mkdirs(parentOf(target), context);
      await this.client.rename(source, target, context);
    }
  }

  /** Entries directly under `directory` ('' is the root), sorted by name; [] when absent. */
  async list(directory: string): Promise<StoreFileStatus[]> {
    const absolute = this.resolve(directory, true);
    const entries = await this.client.listStatus(absolute, { operation: 'list', storePath: directory });
    if (entries === null) return [];
    if (entries.length === 1 && entries[0]!.pathSuffix === '') {
      throw new StrataError('io', 'STORE_NOT_A_DIRECTORY',
        `cannot list '${directory}' in ${this.url}: it is a file, not a directory`, { path: directory });
    }
    const statuses = entries.map((entry) =>
      toStatus(directory === '' ? entry.pathSuffix : `${directory}/${entry.pathSuffix}`, entry));
    return statuses.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Deletes a file or a directory tree; no error when absent. */
  async delete(path: string): Promise<void> {
    await this.client.delete(this.resolve(path), true, { operation: 'delete', storePath: path });
  }

  /** Creates a directory and its parents ('' is the root). */
  async mkdirs(path: string): Promise<void> {
    await this.client.mkdirs(this.resolve(path, true), { operation: 'create directory', storePath: path });
  }

  /** Where each block of a file is stored: DataNode hosts per block, for locality-aware planning. */
  async blockLocations(path: string): Promise<HdfsBlockLocation[]> {
    return this.client.blockLocations(this.resolve(path), { operation: 'locate blocks of', storePath: path });
  }

  /** Nothing to release: fetch pools connections process-wide and closes idle ones itself. */
  async close(): Promise<void> {}

  private resolve(path: string, allowRoot = false): string {
    validateStorePath(path, allowRoot);
    return path === '' ? (this.root === '' ? '/' : this.root) : `${this.root}/${path}`;
  }

  /** Temp file, then atomic rename2 into place; false when `path` already exists. */
  private async publish(path: string, chunks: readonly Uint8Array[], operation: string): Promise<boolean> {
    const target = this.resolve(path);
    const temp = `${parentOf(target)}/${hdfsStoreTempPrefix}${process.pid}-${randomBytes(6).toString('hex')}`;
    const context = { operation, storePath: path };
    let renamed = false;
    try {
      // overwrite=true: the name is this call's own, and a retried upload replaces its partial self.
      await this.client.create(temp, chunks, true, context);
      await this.client.rename(temp, target, context);
      renamed = true;
      return true;
    } catch (error) {
      if (!(error instanceof StrataError)) throw error;
      if (error.code === 'STORE_FILE_EXISTS') return false;
      throw namingTarget(error, temp, target);
    } finally {
      if (!renamed) await this.client.delete(temp, false, context).catch(() => false);
    }
  }

  /** OPEN; reading at or past the end gives no bytes (WebHDFS answers that with an error). */
  private async openRange(absolute: string, offset: number, length: number | undefined, bytesMax: number, context: WebHdfsContext): Promise<Uint8Array> {
    try {
      return await this.client.open(absolute, offset, length, bytesMax, context);
    } catch (error) {
      if (!(error instanceof StrataError) || error.code !== 'STORE_IO_ERROR') throw error;
      const status = await this.client.getFileStatus(absolute, context);
      if (status !== null && status.type === 'FILE' && offset >= status.length) return new Uint8Array(0);
      throw error;
    }
  }

  private async requireFile(absolute: string, context: WebHdfsContext): Promise<void> {
    const status = await this.client.getFileStatus(absolute, context);
    if (status === null) {
      throw new StrataError('not_found', 'STORE_FILE_NOT_FOUND',
        `cannot ${context.operation} '${context.storePath}' in ${this.url}: no such file`, { path: context.storePath });
    }
  }
}

/** Checks an absolute HDFS root path; returns it without a trailing '/' ('' for '/'). */
function validateRoot(root: string): string {
  const trimmed = typeof root === 'string' ? root.replace(/\/+$/, '') : '';
  const valid = typeof root === 'string' && root.startsWith('/') && !root.includes('\0') &&
    (trimmed === '' || trimmed.slice(1).split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'));
  if (!valid) {
    throw new StrataError('input', 'STORE_URL_INVALID',
      `invalid HDFS store root '${String(root)}': use an absolute HDFS path such as /strata (no '.', '..' or empty segments)`,
      { root: String(root) });
  }
  return trimmed;
}

/**
 * The same error, naming the file the caller asked for rather than its temporary name: a user
 * refused the write of tables/t/data/p-1.arrow should read that path, not .strata-tmp-….
 */
function namingTarget(error: StrataError, temp: string, target: string): StrataError {
  if (!error.message.includes(temp)) return error;
  return new StrataError(error.kind, error.code, error.message.split(temp).join(target),
    { ...error.details, temporaryPath: temp }, { cause: error });
}

function parentOf(absolute: string): string {
  const slash = absolute.lastIndexOf('/');
  return slash <= 0 ? '/' : absolute.slice(0, slash);
}

function toStatus(path: string, status: WebHdfsFileStatus): StoreFileStatus {
  const isDirectory = status.type === 'DIRECTORY';
  return { path, size: isDirectory ? 0 : Number(status.length), isDirectory, modifiedMs: Number(status.modificationTime) };
}
