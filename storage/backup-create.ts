/**
 * Taking a backup of a store into another store (docs/backup.md). Each table is pinned at the
 * version that was committed when the backup started, so loads may go on meanwhile and the backup
 * still holds exactly one committed version per table. A full backup holds every log entry and
 * the partitions live at that version; an incremental holds the log entries and the partitions
 * added since the previous backup of any type, a differential those since the last full.
 * A plan is written before anything is copied, so an interrupted backup is resumed by running it
 * again: files already copied and verified are skipped.
 */
import { recordAudit, type AuditContext } from './audit-log.js';
import { mapBounded } from './bounded-map.js';
import { copyFileVerified, type FileDigest } from './backup-copy.js';
import { backupChain, latestBackup, listBackups } from './backup-list.js';
import {
  backupDirectory, backupFormatVersion, encodeBackupRecord, manifestPath, newBackupId, planPath, readManifest, readPlan, storeViewFilePattern, storeViewsDirectory,
  type BackupFile, type BackupManifest, type BackupPlan, type BackupTableEntry, type BackupType,
} from './backup-manifest.js';
import { sha256Checksum } from './checksum.js';
import { StrataError } from './errors.js';
import { keyFilterPartitionId, keyFilterRelativePath, keyFiltersDirectory } from './key-filter-paths.js';
import { validateTableName } from './paths.js';
import { StoreCatalog } from './store-catalog.js';
import type { Store } from './store.js';
import { Table } from './table.js';

/** Files copied at once: enough to keep a store busy, few enough to bound memory (each file is held whole). */
export const backupCopyConcurrencyMax = 4;

/** Progress of a backup, restore or replication, in files and bytes. */
export interface CopyProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** Options of createBackup. */
export interface BackupOptions {
  /** full (default), incremental or differential. */
  readonly type?: BackupType;
  /** Tables to back up (default: every table). */
  readonly tables?: readonly string[];
  /** Resume the newest interrupted backup of the same type and tables (default true). */
  readonly resume?: boolean;
  readonly onProgress?: (progress: CopyProgress) => void;
  readonly signal?: AbortSignal;
  /** Who takes the backup, for the source store's audit log. */
  readonly audit?: AuditContext;
}

/** What createBackup did. */
export interface BackupResult {
  readonly manifest: BackupManifest;
  /** True when an interrupted backup was completed rather than a new one started. */
  readonly resumed: boolean;
  readonly filesCopied: number;
  /** Files already in place and verified (a resumed run). */
  readonly filesSkipped: number;
  readonly bytesCopied: number;
}

/** One file to copy into the backup; `expected` is known for partitions (from the log). */
interface CopyTask {
  readonly sourcePath: string;
  readonly backupPath: string;
  readonly expected?: FileDigest;
}

/** Backs up `source` into `destination` (see the file comment); returns the manifest written. */
export async function createBackup(source: Store, destination: Store, options: BackupOptions = {}): Promise<BackupResult> {
  const type = options.type ?? 'full';
  if (!['full', 'incremental', 'differential'].includes(type)) {
    throw new StrataError('input', 'BACKUP_TYPE_INVALID', `backup type '${String(type)}' is not one of full, incremental, differential`);
  }
  const wanted = options.tables?.map(validateTableName);
  const interrupted = options.resume === false ? null : await findInterrupted(source, destination, type, wanted);
  const plan = interrupted ?? await writePlan(source, destination, type, wanted);
  const { tasks, totals, views } = await planCopies(source, plan);
  const counts = { copied: 0, skipped: 0, bytes: 0, filesDone: 0, bytesDone: 0 };
  const bytesTotal = tasks.reduce((sum, task) => sum + (task.expected?.bytes ?? 0), 0);
  const files = await mapBounded(tasks, backupCopyConcurrencyMax, async (task): Promise<BackupFile> => {
    checkCancelled(options.signal, plan.id);
    const copied = await copyFileVerified(source, task.sourcePath, destination, `${backupDirectory(plan.id)}/${task.backupPath}`, task.expected);
    if (copied.copied) { counts.copied++; counts.bytes += copied.bytes; } else counts.skipped++;
    counts.filesDone++;
    counts.bytesDone += task.expected?.bytes ?? 0;
    options.onProgress?.({ filesDone: counts.filesDone, filesTotal: tasks.length, bytesDone: counts.bytesDone, bytesTotal });
    return { path: task.backupPath, bytes: copied.bytes, checksum: copied.checksum };
  });
  const manifest: BackupManifest = { ...plan, completedAtMs: Date.now(), totals, files, views };
  if (!(await destination.createIfAbsent(manifestPath(plan.id), encodeBackupRecord(manifest)))) {
    // Another run resumed and completed the same backup first; its manifest describes the same files.
    return { manifest: (await readManifest(destination, plan.id)).manifest, resumed: true, filesCopied: counts.copied, filesSkipped: counts.skipped, bytesCopied: counts.bytes };
  }
  await recordAudit(source, {
    action: 'backup', details: {
      backup: plan.id, type: plan.type, destination: destination.url, tables: plan.tables.map((t) => `${t.name}@${t.version}`),
      views: views.length, filesCopied: counts.copied, bytesCopied: counts.bytes,
    },
  }, options.audit);
  return { manifest, resumed: interrupted !== null, filesCopied: counts.copied, filesSkipped: counts.skipped, bytesCopied: counts.bytes };
}

/** The newest interrupted backup of this source, type and table list, or null. */
async function findInterrupted(source: Store, destination: Store, type: BackupType, wanted: readonly string[] | undefined): Promise<BackupPlan | null> {
  const candidates = (await listBackups(destination)).filter((info) => info.status === 'incomplete' && info.type === type).reverse();
  for (const candidate of candidates) {
    const plan = await readPlan(destination, candidate.id);
    if (plan === null || plan.source !== source.url) continue;
    if (wanted !== undefined && !sameNames(wanted, plan.tables.map((table) => table.name))) continue;
    return plan;
  }
  return null;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const sorted = [...new Set(a)].sort();
  return sorted.length === b.length && [...b].sort().every((name, i) => name === sorted[i]);
}

/** Pins every table at its latest committed version and writes the plan of a new backup. */
async function writePlan(source: Store, destination: Store, type: BackupType, wanted: readonly string[] | undefined): Promise<BackupPlan> {
  const parentInfo = type === 'full' ? null : await latestBackup(destination, type === 'differential' ? 'full' : undefined);
  if (type !== 'full' && parentInfo === null) {
    throw new StrataError('not_found', 'BACKUP_PARENT_MISSING',
      `an ${type} backup builds on an earlier ${type === 'differential' ? 'full ' : ''}backup, and ${destination.url} holds none; take a full backup first (--type full)`,
      { destination: destination.url });
  }
  const chain = parentInfo === null ? [] : await backupChain(destination, parentInfo.id);
  const parentChecksum = parentInfo === null ? null : (await readManifest(destination, parentInfo.id)).checksum;
  const names = wanted ?? await new StoreCatalog(source).listTables();
  const tables: BackupTableEntry[] = [];
  for (const name of [...new Set(names)].sort()) {
    const table = await Table.open(source, name);
    const snapshot = await table.snapshot();
    const createChecksum = sha256Checksum(await source.read(table.logEntryPath(0)));
    const previous = chain.flatMap((manifest) => manifest.tables).find((entry) => entry.name === name);
    const continues = previous !== undefined && previous.createChecksum === createChecksum && previous.version <= snapshot.version;
    tables.push({ name, version: snapshot.version, committedAtMs: snapshot.committedAtMs, fromVersion: continues ? previous.version + 1 : 0, createChecksum });
  }
  const startedAtMs = Date.now();
  const plan: BackupPlan = {
    format: backupFormatVersion, id: newBackupId(type, startedAtMs), type, parent: parentInfo?.id ?? null, parentChecksum,
    source: source.url, startedAtMs, tables,
  };
  await destination.write(planPath(plan.id), encodeBackupRecord(plan));
  return plan;
}

/**
 * The files a plan copies: per table the log entries from fromVersion, then the partitions those
 * versions need with their record-key filters; then every view of the store.
 */
async function planCopies(source: Store, plan: BackupPlan): Promise<{ tasks: CopyTask[]; totals: BackupManifest['totals']; views: string[] }> {
  const tasks: CopyTask[] = [];
  const totals: Record<string, { rows: number; partitions: number }> = {};
  for (const entry of plan.tables) {
    const table = await Table.open(source, entry.name);
    if (sha256Checksum(await source.read(table.logEntryPath(0))) !== entry.createChecksum) {
      throw new StrataError('conflict', 'BACKUP_SOURCE_CHANGED',
        `table ${entry.name} was dropped and re-created since backup ${plan.id} started; start a new backup with --no-resume`,
        { backup: plan.id, table: entry.name });
    }
    const snapshot = await table.snapshot(entry.version);
    totals[entry.name] = { rows: snapshot.partitions.reduce((sum, meta) => sum + meta.rows, 0), partitions: snapshot.partitions.length };
    for (let version = entry.fromVersion; version <= entry.version; version++) {
      const path = table.logEntryPath(version);
      tasks.push({ sourcePath: path, backupPath: path });
    }
    const live = new Map(snapshot.partitions.map((meta) => [meta.id, meta]));
    const wanted = new Map(plan.type === 'full' || entry.fromVersion === 0 ? live : []);
    if (plan.type !== 'full' && entry.fromVersion > 0) {
      for (const commit of await table.history(entry.fromVersion, entry.version)) {
        for (const meta of commit.add) {
          // Partitions removed again before the pinned version only serve time travel to the versions
          // in between; they are kept when their files still exist.
          if (live.has(meta.id) || (await source.stat(`${table.directory}/${meta.path}`)) !== null) wanted.set(meta.id, meta);
        }
      }
    }
    const filters = await keyFilterIds(source, table.directory);
    for (const meta of wanted.values()) {
      const path = `${table.directory}/${meta.path}`;
      tasks.push({ sourcePath: path, backupPath: path, expected: { bytes: meta.bytes, checksum: meta.checksum } });
      // Without its filter, a restored keyed table would let re-loaded duplicates of this partition's records in.
      if (filters.has(meta.id)) {
        const filterPath = `${table.directory}/${keyFilterRelativePath(meta.id)}`;
        tasks.push({ sourcePath: filterPath, backupPath: filterPath });
      }
    }
  }
  const views = await viewNames(source);
  for (const name of views) {
    const path = `${storeViewsDirectory}/${name}.json`;
    tasks.push({ sourcePath: path, backupPath: path });
  }
  return { tasks, totals, views };
}

/** Ids of the partitions of a table that have a record-key filter file. */
async function keyFilterIds(source: Store, directory: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const file of await source.list(`${directory}/${keyFiltersDirectory}`)) {
    const id = file.isDirectory ? null : keyFilterPartitionId(`${keyFiltersDirectory}/${file.path.slice(file.path.lastIndexOf('/') + 1)}`);
    if (id !== null) ids.add(id);
  }
  return ids;
}

/** Names of the views stored in `source`, sorted. */
async function viewNames(source: Store): Promise<string[]> {
  const names: string[] = [];
  for (const file of await source.list(storeViewsDirectory)) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (!file.isDirectory && storeViewFilePattern.test(name)) names.push(name.slice(0, -'.json'.length));
  }
  return names.sort();
}

function checkCancelled(signal: AbortSignal | undefined, id: string): void {
  if (signal?.aborted) {
    throw new StrataError('cancelled', 'BACKUP_CANCELLED', `backup ${id} was cancelled; run the same command again to resume it`, { backup: id });
  }
}
