/**
 * One table as a chain of backups holds it: which backup holds each log entry and each partition
 * file, and the table's state at any version the chain can rebuild. Restore, verify and repair
 * read backups through this view; every byte read is checked against the manifest's sha256.
 */
import type { BackupFile, BackupManifest, BackupTableEntry } from './backup-manifest.js';
import { backupDirectory } from './backup-manifest.js';
import { sha256Checksum } from './checksum.js';
import { StrataError } from './errors.js';
import { keyFilterPartitionId } from './key-filter-paths.js';
import { tableDirectory } from './paths.js';
import type { Store } from './store.js';
import { applyEntry, decodeCommitEntry, initialState, parseLogName, type CommitEntry, type TableState } from './table-log.js';

/** A file of a backup, with the backup that holds it. */
export interface LocatedFile {
  readonly backup: string;
  readonly file: BackupFile;
}

/** Where a chain of backups keeps one table's files. */
export interface BackupTableView {
  readonly name: string;
  /** The table as the newest backup of the chain pinned it. */
  readonly entry: BackupTableEntry;
  /** Log entry files by version. */
  readonly logFiles: ReadonlyMap<number, LocatedFile>;
  /** Partition files by path relative to the table directory (data/<id>.arrow). */
  readonly partitionFiles: ReadonlyMap<string, LocatedFile>;
  /** Record-key filter files (keys/<id>.bloom) by partition id. */
  readonly keyFilterFiles: ReadonlyMap<string, LocatedFile>;
}

/** Store path (in the backup store) of a located file. */
export function locatedPath(located: LocatedFile): string {
  return `${backupDirectory(located.backup)}/${located.file.path}`;
}

/**
 * The view of table `name` in `chain` (newest first, as backupChain returns it). The table must be
 * in the newest backup; older links count while they hold the same table (same create commit),
 * down to the one that holds its log from version 0.
 */
export function backupTableView(chain: readonly BackupManifest[], name: string): BackupTableView {
  const head = chain[0].tables.find((table) => table.name === name);
  if (head === undefined) {
    throw new StrataError('not_found', 'BACKUP_TABLE_NOT_FOUND',
      `backup ${chain[0].id} does not hold table ${name}; it holds ${chain[0].tables.map((table) => table.name).join(', ') || 'no tables'}`,
      { backup: chain[0].id, table: name });
  }
  const logFiles = new Map<number, LocatedFile>();
  const partitionFiles = new Map<string, LocatedFile>();
  const keyFilterFiles = new Map<string, LocatedFile>();
  const prefix = `${tableDirectory(name)}/`;
  for (const manifest of chain) {
    const entry = manifest.tables.find((table) => table.name === name);
    if (entry === undefined || entry.createChecksum !== head.createChecksum) continue;
    for (const file of manifest.files) {
      if (!file.path.startsWith(prefix)) continue;
      const relative = file.path.slice(prefix.length);
      const logName = relative.startsWith('_log/') ? parseLogName(relative.slice('_log/'.length)) : null;
      if (logName?.kind === 'commit') {
        if (!logFiles.has(logName.version)) logFiles.set(logName.version, { backup: manifest.id, file });
      } else if (relative.startsWith('data/') && !partitionFiles.has(relative)) {
        partitionFiles.set(relative, { backup: manifest.id, file });
      } else {
        const id = keyFilterPartitionId(relative);
        if (id !== null && !keyFilterFiles.has(id)) keyFilterFiles.set(id, { backup: manifest.id, file });
      }
    }
    if (entry.fromVersion === 0) break;
  }
  return { name, entry: head, logFiles, partitionFiles, keyFilterFiles };
}

/** Reads a file of a backup and checks its size and sha256 against the manifest. */
export async function readVerified(store: Store, located: LocatedFile): Promise<Uint8Array> {
  const path = locatedPath(located);
  let bytes: Uint8Array;
  try {
    bytes = await store.read(path);
  } catch (error) {
    if (error instanceof StrataError && error.kind === 'not_found') throw backupFileMissing(located, path);
    throw error;
  }
  const checksum = sha256Checksum(bytes);
  if (bytes.length !== located.file.bytes || checksum !== located.file.checksum) {
    throw backupFileCorrupt(located, path, `${bytes.length} bytes with ${checksum}`);
  }
  return bytes;
}

/** not_found BACKUP_FILE_MISSING naming the backup and the file. */
export function backupFileMissing(located: LocatedFile, path: string): StrataError {
  return new StrataError('not_found', 'BACKUP_FILE_MISSING',
    `backup ${located.backup} lacks ${located.file.path} (${path}), which its manifest lists; this backup and those built on it are damaged, take a new full backup`,
    { backup: located.backup, path });
}

/** corruption BACKUP_FILE_CORRUPT naming the backup and the file. */
export function backupFileCorrupt(located: LocatedFile, path: string, actual: string): StrataError {
  return new StrataError('corruption', 'BACKUP_FILE_CORRUPT',
    `backup ${located.backup} file ${located.file.path} (${path}) is ${actual}, its manifest records ${located.file.bytes} bytes with ${located.file.checksum}; ` +
    'this backup and those built on it are damaged, take a new full backup',
    { backup: located.backup, path });
}

/** Every log entry from 0 to `version` as the chain holds them, checked and decoded. */
export async function readBackupEntries(store: Store, view: BackupTableView, version: number): Promise<CommitEntry[]> {
  const entries: CommitEntry[] = [];
  for (let v = 0; v <= version; v++) {
    const located = view.logFiles.get(v);
    if (located === undefined) {
      throw new StrataError('corruption', 'BACKUP_CHAIN_BROKEN',
        `no backup in the chain holds log version ${v} of table ${view.name}; a link of the chain is missing, take a new full backup`,
        { table: view.name, version: v });
    }
    entries.push(decodeCommitEntry(await readVerified(store, located), locatedPath(located), v));
  }
  return entries;
}

/** The table's state after each entry, replayed from the create commit. */
export function replayEntries(entries: readonly CommitEntry[]): TableState[] {
  const states: TableState[] = [initialState(entries[0])];
  for (const entry of entries.slice(1)) states.push(applyEntry(states[states.length - 1], entry, `version ${entry.version}`));
  return states;
}

/**
 * Throws BACKUP_VERSION_NOT_RESTORABLE unless the chain holds every partition live in `state`
 * (partitions removed before any backup was taken are in no backup).
 */
export function checkRestorable(view: BackupTableView, state: TableState, backup: string): void {
  for (const meta of state.partitions.values()) {
    const located = view.partitionFiles.get(meta.path);
    if (located === undefined || located.file.checksum !== meta.checksum) {
      throw new StrataError('not_found', 'BACKUP_VERSION_NOT_RESTORABLE',
        `version ${state.version} of table ${view.name} needs partition ${meta.id}, which no backup in the chain of ${backup} holds ` +
        '(it was removed before a backup was taken); restore a later version, or a backup taken while that version was current',
        { backup, table: view.name, version: state.version, partition: meta.id });
    }
  }
}
