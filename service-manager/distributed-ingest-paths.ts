/**
 * Which files a node may read (and write rejects to) when a client names them by path. A node
 * serving a network is a way into its file system: with ingest roots configured only files whose
 * real path (symlinks resolved, so neither `..` nor a link leads out) lies under a root are
 * accepted; with none, a loopback-bound node (only local users reach it) accepts any absolute
 * path and any other node refuses ingest by path altogether.
 */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StrataError } from '../storage/index.js';

/** Resolves configured roots once at start-up; a root that does not exist is a config error. */
export function resolveIngestRoots(roots: readonly string[]): string[] {
  return roots.map((root) => {
    try {
      return realpathSync(resolve(root));
    } catch (error) {
      throw new StrataError('input', 'NODE_CONFIG_INVALID', `ingest root ${root} cannot be used: ${(error as Error).message}; give an existing directory`);
    }
  });
}

/** The path rules of one node. */
export class IngestPathPolicy {
  /** `roots` are real paths (resolveIngestRoots); `loopback` says the node binds a loopback address. */
  constructor(private readonly node: string, private readonly roots: readonly string[], private readonly loopback: boolean) {}

  /** The real path of an input file the node may read; refuses anything else. */
  async readable(path: string): Promise<string> {
    this.checkShape(path);
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      throw notFound(path, error);
    }
    this.checkInside(path, real);
    return real;
  }

  /** The path to write a rejects file at: its directory's real path must be allowed (and the file's, when it exists). */
  async writable(path: string): Promise<string> {
    this.checkShape(path);
    let directory: string;
    try {
      directory = await realpath(dirname(path));
    } catch (error) {
      throw notFound(dirname(path), error);
    }
    const target = join(directory, basename(path));
    this.checkInside(path, directory);
    const existing = await realpath(target).catch(() => null);
    if (existing !== null) this.checkInside(path, existing);
    return target;
  }

  private checkShape(path: string): void {
    if (typeof path !== 'string' || path === '' || !isAbsolute(path) || path.includes('\0')) {
      throw new StrataError('input', 'INGEST_PATH_NOT_ABSOLUTE',
        `ingest by path needs absolute file paths, got ${JSON.stringify(path)}; the CLI resolves relative paths against its working directory`, { path: String(path) });
    }
    if (this.roots.length === 0 && !this.loopback) {
      throw new StrataError('auth', 'INGEST_PATH_NOT_ALLOWED',
        `node ${this.node} listens on a non-loopback address and has no ingest roots, so it reads no files by path; ` +
        'start it with --ingest-root DIR (or "ingestRoots" in its config file) naming the directories clients may load from', { path, node: this.node });
    }
  }

  private checkInside(given: string, real: string): void {
    if (this.roots.length === 0) return;
    for (const root of this.roots) {
      const inside = relative(root, real);
      if (inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside))) return;
    }
    throw new StrataError('auth', 'INGEST_PATH_NOT_ALLOWED',
      `${given} is outside the ingest roots of node ${this.node} (${this.roots.join(', ')}); move the file under a root or start the node with another --ingest-root`,
      { path: given, node: this.node });
  }
}

function notFound(path: string, error: unknown): StrataError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new StrataError('not_found', 'INGEST_FILE_NOT_FOUND', `${path}: no such file on the node; check the path (it must exist on every node, e.g. on shared storage)`, { file: path }, { cause: error });
  }
  return new StrataError('io', 'INGEST_READ_FAILED', `${path}: cannot resolve the path: ${(error as Error).message}; check permissions`, { file: path }, { cause: error });
}
