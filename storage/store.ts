/**
 * A store: the small file-system contract every storage backend implements (a POSIX directory
 * for local disk, RAID or NAS; HDFS through WebHDFS). Paths are relative, '/'-separated, and
 * validated by the store (no '..', no absolute paths, no empty segments).
 */

/** Metadata of one stored file. */
export interface StoreFileStatus {
  readonly path: string;
  readonly size: number;
  readonly isDirectory: boolean;
  /** Last modification, milliseconds since epoch. */
  readonly modifiedMs: number;
}

/**
 * One file held open for many ranged reads (a partition scan): opening and closing a file per
 * read costs more than the read itself on a local disk. The owner closes it in a finally block.
 */
export interface StoreReader {
  /**
   * `length` bytes from `offset`; fewer only at end of file. With `target` (at least `length`
   * bytes) the bytes may land in it and the result is then a view of it: a scan reuses buffers.
   */
  readRange(offset: number, length: number, target?: Uint8Array): Promise<Uint8Array>;
  /** Releases the handle; later reads fail. Safe to call twice. */
  close(): Promise<void>;
}

/** The storage contract. Every method throws StrataError (kind io / not_found / conflict / auth). */
export interface Store {
  /** A URL that names this store (file:///abs/dir or hdfs://host:port/path). */
  readonly url: string;
  /** Whole file. not_found when absent. */
  read(path: string): Promise<Uint8Array>;
  /** `length` bytes from `offset`; fewer only at end of file. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: opens `path` for many ranged reads (not_found when absent). Stores without it are
   * read through readRange; callers must close the reader, also on error and cancel.
   */
  openReader?(path: string): Promise<StoreReader>;
  /** Status, or null when absent. */
  stat(path: string): Promise<StoreFileStatus | null>;
  /**
   * Writes a new file durably (data synced before returning), creating parent directories.
   * Fails with conflict STORE_FILE_EXISTS when the file already exists: files are immutable.
   */
  write(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void>;
  /**
   * Creates the file only if no file has that path; true when this call created it. Exactly one
   * of any number of concurrent callers (processes, nodes) wins. The content is complete when
   * another reader can see the file.
   */
  createIfAbsent(path: string, data: Uint8Array): Promise<boolean>;
  /** Atomically renames a file or directory; fails with conflict when `to` exists. */
  rename(from: string, to: string): Promise<void>;
  /** Entries directly under a directory (names only, sorted); [] when the directory is absent. */
  list(directory: string): Promise<StoreFileStatus[]>;
  /** Deletes a file, or a directory with everything under it; no error when absent. */
  delete(path: string): Promise<void>;
  /** Creates a directory and its parents. */
  mkdirs(path: string): Promise<void>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}
