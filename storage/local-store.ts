/**
 * A store on a POSIX directory: local disk, RAID or NAS. Files are written to a temporary name,
 * synced, then hard-linked into place, so a file is either absent or complete and never
 * overwritten; the directory is synced so the new name survives a crash.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { StrataError } from './errors.js';
import { validateStorePath } from './paths.js';
import type { Store, StoreFileStatus, StoreReader } from './store.js';

/** Prefix of temporary files; a crash can leave them behind, and vacuum removes them from data/. */
export const localStoreTempPrefix = '.strata-tmp-';

/** The POSIX directory store. */
export class LocalStore implements Store {
  /** file:// URL of the root directory. */
  readonly url: string;
  /** Absolute path of the root directory. */
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
    this.url = pathToFileURL(root).href;
  }

  /** Opens (creating it when absent) the store rooted at `directory`. */
  static async open(directory: string): Promise<LocalStore> {
    const absolute = nodePath.resolve(directory);
    try {
      await fs.mkdir(absolute, { recursive: true });
      return new LocalStore(await fs.realpath(absolute));
    } catch (error) {
      throw fsError(error, 'open the store directory', absolute, absolute);
    }
  }

  /** Whole file. */
  async read(path: string): Promise<Uint8Array> {
    const absolute = this.resolve(path);
    try {
      return await fs.readFile(absolute);
    } catch (error) {
      throw fsError(error, 'read', path, absolute);
    }
  }

  /** `length` bytes from `offset`, fewer only at end of file. */
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const absolute = this.resolve(path);
    checkRange(path, offset, length);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(absolute, 'r');
      return await readAt(handle, offset, length);
    } catch (error) {
      throw fsError(error, 'read', path, absolute);
    } finally {
      await handle?.close();
    }
  }

  /** Opens `path` once for many ranged reads (a partition scan); the caller closes it. */
  async openReader(path: string): Promise<StoreReader> {
    const absolute = this.resolve(path);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(absolute, 'r');
    } catch (error) {
      throw fsError(error, 'open', path, absolute);
    }
    let closing: Promise<void> | undefined;
    return {
      async readRange(offset: number, length: number, target?: Uint8Array): Promise<Uint8Array> {
        checkRange(path, offset, length);
        if (closing !== undefined) {
          throw new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: a reader of '${path}' was read after close`, { path });
        }
        try {
          return await readAt(handle, offset, length, target);
        } catch (error) {
          throw fsError(error, 'read', path, absolute);
        }
      },
      close(): Promise<void> {
        closing ??= handle.close().catch(() => undefined);
        return closing;
      },
    };
  }

  /** Status, or null when absent. '' is the root. */
  async stat(path: string): Promise<StoreFileStatus | null> {
    const absolute = this.resolve(path, true);
    try {
      return toStatus(path, await fs.stat(absolute));
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return null;
      throw fsError(error, 'stat', path, absolute);
    }
  }

  /** Writes a new file durably; conflict STORE_FILE_EXISTS when it exists. */
  async write(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    if (!(await this.publish(path, data))) {
      throw new StrataError('conflict', 'STORE_FILE_EXISTS',
        `cannot write '${path}' in ${this.url}: the file already exists and store files are immutable; write to a new path`,
        { path });
    }
  }

  /** Creates the file unless it exists; true when this call created it (atomic across processes). */
  async createIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    return this.publish(path, data);
  }

  /**
   * Atomically renames; conflict STORE_FILE_EXISTS when `to` exists. Files move by link + unlink
   * (link refuses an existing target; a crash in between leaves both names, losing nothing).
   * Directories are checked then renamed: POSIX rename would replace an empty target directory.
   */
  async rename(from: string, to: string): Promise<void> {
    const source = this.resolve(from);
    const target = this.resolve(to);
    let isDirectory: boolean;
    try {
      isDirectory = (await fs.lstat(source)).isDirectory();
      await fs.mkdir(nodePath.dirname(target), { recursive: true });
    } catch (error) {
      throw fsError(error, `rename to '${to}'`, from, source);
    }
    try {
      if (isDirectory) {
        if ((await this.stat(to)) !== null) throw Object.assign(new Error('target exists'), { code: 'EEXIST' });
        await fs.rename(source, target);
      } else {
        await fs.link(source, target);
        await fs.unlink(source);
      }
      await syncDirectory(nodePath.dirname(target));
      await syncDirectory(nodePath.dirname(source));
    } catch (error) {
      if (isCode(error, 'EEXIST') || isCode(error, 'ENOTEMPTY')) {
        throw new StrataError('conflict', 'STORE_FILE_EXISTS',
          `cannot rename '${from}' to '${to}' in ${this.url}: the target already exists; choose a new name`, { path: to });
      }
      throw fsError(error, `rename to '${to}'`, from, source);
    }
  }

  /** Entries directly under `directory` ('' is the root), sorted by name; [] when absent. */
  async list(directory: string): Promise<StoreFileStatus[]> {
    const absolute = this.resolve(directory, true);
    let names: string[];
    try {
      names = await fs.readdir(absolute);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return [];
      throw fsError(error, 'list', directory, absolute);
    }
    names.sort(compareCodeUnits);
    const statuses = await Promise.all(names.map(async (name) => {
      const path = directory === '' ? name : `${directory}/${name}`;
      try {
        return toStatus(path, await fs.stat(nodePath.join(absolute, name)));
      } catch (error) {
        // Deleted between readdir and stat by a concurrent writer: it is simply gone.
        if (isCode(error, 'ENOENT')) return null;
        throw fsError(error, 'stat', path, nodePath.join(absolute, name));
      }
    }));
    return statuses.filter((status): status is StoreFileStatus => status !== null);
  }

  /** Deletes a file or a directory tree; no error when absent. */
  async delete(path: string): Promise<void> {
    const absolute = this.resolve(path);
    try {
      await fs.rm(absolute, { recursive: true, force: true });
    } catch (error) {
      throw fsError(error, 'delete', path, absolute);
    }
  }

  /** Creates a directory and its parents. */
  async mkdirs(path: string): Promise<void> {
    const absolute = this.resolve(path, true);
    try {
      await fs.mkdir(absolute, { recursive: true });
    } catch (error) {
      throw fsError(error, 'create directory', path, absolute);
    }
  }

  /** Nothing to release: every operation opens and closes its own handles. */
  async close(): Promise<void> {}

  private resolve(path: string, allowRoot = false): string {
    validateStorePath(path, allowRoot);
    return path === '' ? this.root : nodePath.join(this.root, ...path.split('/'));
  }

  /** Writes a temp file, syncs it, links it to `path`; false when `path` already exists. */
  private async publish(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<boolean> {
    const target = this.resolve(path);
    const directory = nodePath.dirname(target);
    const temp = nodePath.join(directory, `${localStoreTempPrefix}${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await fs.mkdir(directory, { recursive: true });
      await writeSynced(temp, data instanceof Uint8Array ? [data] : data);
      try {
        await fs.link(temp, target);
      } catch (error) {
        if (isCode(error, 'EEXIST')) return false;
        throw error;
      }
      await syncDirectory(directory);
      return true;
    } catch (error) {
      throw fsError(error, 'write', path, target);
    } finally {
      await fs.rm(temp, { force: true }).catch(() => undefined);
    }
  }
}

function checkRange(path: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new StrataError('input', 'STORE_RANGE_INVALID',
      `invalid range offset ${offset} length ${length} reading '${path}': both must be non-negative integers`, { path });
  }
}

/** `length` bytes from `offset` of an open file, fewer only at end of file; into `target` when it is big enough. */
async function readAt(handle: fs.FileHandle, offset: number, length: number, target?: Uint8Array): Promise<Uint8Array> {
  const buffer = target !== undefined && target.length >= length ? target.subarray(0, length) : Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

async function writeSynced(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const handle = await fs.open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
  try {
    // writev takes a bounded number of buffers per call (IOV_MAX); write in groups.
    const groupBuffersMax = 512;
    for (let start = 0; start < chunks.length; start += groupBuffersMax) {
      const group = chunks.slice(start, start + groupBuffersMax);
      const total = group.reduce((sum, chunk) => sum + chunk.length, 0);
      let written = (await handle.writev(group as Uint8Array[])).bytesWritten;
      if (written < total) await handle.write(Buffer.concat(group).subarray(written));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (and NAS mounts) refuse fsync on a directory; the data is synced anyway.
    if (!isCode(error, 'EINVAL') && !isCode(error, 'EISDIR') && !isCode(error, 'ENOTSUP')) throw error;
  } finally {
    await handle.close();
  }
}

function toStatus(path: string, stats: import('node:fs').Stats): StoreFileStatus {
  return { path, size: stats.isDirectory() ? 0 : stats.size, isDirectory: stats.isDirectory(), modifiedMs: stats.mtimeMs };
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Maps a file-system error to a StrataError that names the operation and the path. */
function fsError(error: unknown, operation: string, path: string, absolute: string): StrataError {
  if (error instanceof StrataError) return error;
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code) : '';
  const reason = error instanceof Error ? error.message : String(error);
  const where = `'${path}' (${absolute})`;
  switch (code) {
    case 'ENOENT':
      return new StrataError('not_found', 'STORE_FILE_NOT_FOUND', `cannot ${operation} ${where}: no such file or directory`, { path }, { cause: error });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StrataError('resources', 'STORE_DISK_FULL', `cannot ${operation} ${where}: the disk or quota is full; free space or add capacity, then retry`, { path }, { cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StrataError('auth', 'STORE_PERMISSION_DENIED', `cannot ${operation} ${where}: permission denied; give the strata user read/write access to the store directory`, { path }, { cause: error });
    default:
      return new StrataError('io', 'STORE_IO_ERROR', `cannot ${operation} ${where}: ${reason}`, { path }, { cause: error });
  }
}
