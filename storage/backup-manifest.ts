/**
 * The self-describing manifest of a backup (backups/<id>/manifest.json in the backup store): its
 * type and parent, the version each table was pinned at, and the size and sha256 of every file
 * it holds. Restore and verify need nothing else. Layout and format in docs/backup.md.
 */
import { randomBytes } from 'node:crypto';
import { sha256Checksum } from './checksum.js';
import { StrataError } from './errors.js';
import type { Store } from './store.js';
import type { FileDigest } from './backup-copy.js';

/** Kinds of backup: everything, changes since the last backup of any type, or since the last full. */
export type BackupType = 'full' | 'incremental' | 'differential';

/** Format number of manifests and plans; readers refuse newer ones. */
export const backupFormatVersion = 1;

/** Directory of the backup store holding one directory per backup. */
export const backupsDirectory = 'backups';

/**
 * Store directory of views, one `<name>.json` per view (service-manager's catalog writes them).
 * Every backup holds all of them as they were when it ran, under the same path, since views carry
 * no history of their own.
 */
export const storeViewsDirectory = 'views';

/** View file names a backup carries: `<name>.json`, never the dot-files of an OR REPLACE in flight. */
export const storeViewFilePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}\.json$/;

/** A file a backup holds; path is relative to the backup's directory. */
export interface BackupFile extends FileDigest {
  readonly path: string;
}

/** One table as a backup pinned it. */
export interface BackupTableEntry {
  readonly name: string;
  /** The committed version the backup holds the table at. */
  readonly version: number;
  /** Commit time of that version, ms since epoch. */
  readonly committedAtMs: number;
  /** First log version this backup holds; earlier ones are in its ancestors (0: this backup holds the whole log). */
  readonly fromVersion: number;
  /** sha256 of the create commit: tells a re-created table of the same name from the old one. */
  readonly createChecksum: string;
}

/** What a backup will hold, written before copying starts so an interrupted run resumes the same backup. */
export interface BackupPlan {
  readonly format: number;
  readonly id: string;
  readonly type: BackupType;
  /** The backup this one builds on (null for a full). */
  readonly parent: string | null;
  /** sha256 of the parent's manifest.json: the chain link verify checks. */
  readonly parentChecksum: string | null;
  /** URL of the store that was backed up. */
  readonly source: string;
  readonly startedAtMs: number;
  readonly tables: readonly BackupTableEntry[];
}

/** A completed backup. */
export interface BackupManifest extends BackupPlan {
  readonly completedAtMs: number;
  /** Rows and partitions live at each table's pinned version, by table name. */
  readonly totals: Readonly<Record<string, { readonly rows: number; readonly partitions: number }>>;
  /** Every file of the backup with its size and sha256. */
  readonly files: readonly BackupFile[];
  /** Names of the views the backup holds (files views/<name>.json); absent in backups taken before views were carried. */
  readonly views?: readonly string[];
}

/** Store path of a backup's directory. */
export function backupDirectory(id: string): string {
  return `${backupsDirectory}/${id}`;
}

/** Store path of a backup's manifest (present only once the backup completed). */
export function manifestPath(id: string): string {
  return `${backupDirectory(id)}/manifest.json`;
}

/** Store path of a backup's plan (written first; a plan without a manifest is an interrupted backup). */
export function planPath(id: string): string {
  return `${backupDirectory(id)}/plan.json`;
}

/** A new backup id: UTC time to the millisecond, so ids sort by start time, plus type and a random tag. */
export function newBackupId(type: BackupType, nowMs = Date.now()): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${type}-${randomBytes(3).toString('hex')}`;
}

const backupIdPattern = /^\d{8}T\d{9}Z-(full|incremental|differential)-[0-9a-f]{6}$/;

/** True when `name` is a backup id (other names under backups/ are ignored). */
export function isBackupId(name: string): boolean {
  return backupIdPattern.test(name);
}

/** Bytes of a manifest or plan file. */
export function encodeBackupRecord(record: BackupPlan | BackupManifest): Uint8Array {
  return Buffer.from(`${JSON.stringify(record, null, 1)}\n`);
}

/** Reads and checks a backup's manifest; not_found BACKUP_NOT_FOUND or corruption BACKUP_MANIFEST_CORRUPT. */
export async function readManifest(store: Store, id: string): Promise<{ manifest: BackupManifest; checksum: string }> {
  const bytes = await readRecord(store, manifestPath(id), id);
  const manifest = parseRecord(bytes, manifestPath(id), id) as BackupManifest;
  if (!Array.isArray(manifest.files) || manifest.totals === null || typeof manifest.totals !== 'object' || typeof manifest.completedAtMs !== 'number') {
    throw manifestCorrupt(manifestPath(id), 'it lacks files, totals or completedAtMs');
  }
  return { manifest, checksum: sha256Checksum(bytes) };
}

/** Reads a backup's plan; null when absent. */
export async function readPlan(store: Store, id: string): Promise<BackupPlan | null> {
  if ((await store.stat(planPath(id))) === null) return null;
  return parseRecord(await readRecord(store, planPath(id), id), planPath(id), id);
}

async function readRecord(store: Store, path: string, id: string): Promise<Uint8Array> {
  try {
    return await store.read(path);
  } catch (error) {
    if (error instanceof StrataError && error.kind === 'not_found') {
      throw new StrataError('not_found', 'BACKUP_NOT_FOUND',
        `backup ${id} has no ${path.slice(path.lastIndexOf('/') + 1)} in ${store.url}; run strata backup list to see the backups there`,
        { backup: id, path });
    }
    throw error;
  }
}

function parseRecord(bytes: Uint8Array, path: string, id: string): BackupPlan {
  let record: BackupPlan;
  try {
    record = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as BackupPlan;
  } catch (error) {
    throw manifestCorrupt(path, 'it is not valid JSON', error);
  }
  if (record === null || typeof record !== 'object') throw manifestCorrupt(path, 'it is not a JSON object');
  if (typeof record.format !== 'number' || record.format > backupFormatVersion) {
    throw new StrataError('not_supported', 'BACKUP_FORMAT_UNSUPPORTED',
      `${path} has format ${String(record.format)}; this strata reads backup format ${backupFormatVersion}: upgrade strata`, { path });
  }
  if (record.id !== id) throw manifestCorrupt(path, `it names backup ${String(record.id)}, its directory says ${id}`);
  if (!Array.isArray(record.tables) || !['full', 'incremental', 'differential'].includes(record.type)) {
    throw manifestCorrupt(path, 'it lacks tables or a valid type');
  }
  return record;
}

function manifestCorrupt(path: string, problem: string, cause?: unknown): StrataError {
  return new StrataError('corruption', 'BACKUP_MANIFEST_CORRUPT',
    `backup file ${path} is corrupt: ${problem}; this backup (and any that build on it) cannot be restored, take a new full backup`,
    { path }, cause === undefined ? undefined : { cause });
}
