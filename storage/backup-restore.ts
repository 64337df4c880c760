/**
 * Restoring tables from a backup store into a store, at the backup's version or as of an earlier
 * version or time, optionally under a new name. Needs nothing but the backup store. Partition
 * files, their record-key filters and log entries are copied verbatim and verified; a restore of
 * the whole backup also brings back its views. The create commit is written last, so
 * the table appears complete or not at all, and an interrupted restore resumes when run again.
 */
import { recordAudit, type AuditContext } from './audit-log.js';
import { copyFileVerified, fileDigest, sameDigest } from './backup-copy.js';
import type { CopyProgress } from './backup-create.js';
import { backupChain, latestBackup } from './backup-list.js';
import { backupDirectory, storeViewsDirectory, type BackupFile, type BackupManifest } from './backup-manifest.js';
import {
  backupTableView, checkRestorable, locatedPath, readBackupEntries, replayEntries, type BackupTableView,
} from './backup-table-view.js';
import { StrataError } from './errors.js';
import { keyFilterRelativePath } from './key-filter-paths.js';
import { tableDirectory, tableLogDirectory, validateTableName } from './paths.js';
import type { Store } from './store.js';
import { checkpointPath, encodeCheckpoint, logEntryPath, type CommitEntry, type TableState } from './table-log.js';

/** Options of restoreBackup. */
export interface RestoreOptions {
  /** Backup id (default: the newest complete backup). */
  readonly backup?: string;
  /** Restore this version (needs `table`). */
  readonly asOfVersion?: number;
  /** Restore the newest version committed at or before this time, ms since epoch. */
  readonly asOfTimeMs?: number;
  /** Restore only this table. */
  readonly table?: string;
  /** Restore `table` under this name. */
  readonly as?: string;
  readonly onProgress?: (progress: CopyProgress) => void;
  /** Who restores, for the target store's audit log. */
  readonly audit?: AuditContext;
}

/** One restored table. */
export interface RestoredTable {
  /** Name in the backup. */
  readonly name: string;
  /** Name in the target store. */
  readonly as: string;
  readonly version: number;
  readonly committedAtMs: number;
  readonly partitions: number;
  readonly rows: number;
}

/** What restoreBackup did. */
export interface RestoreResult {
  readonly backup: string;
  readonly tables: readonly RestoredTable[];
  /** Views restored (only a restore of the whole backup, without --table, restores views). */
  readonly views: readonly string[];
  readonly filesCopied: number;
  readonly filesSkipped: number;
}

/** Restores tables of a backup in `backups` into `target` (see the file comment). */
export async function restoreBackup(backups: Store, target: Store, options: RestoreOptions = {}): Promise<RestoreResult> {
  checkOptions(options);
  const id = options.backup ?? (await latestBackup(backups))?.id;
  if (id === undefined) {
    throw new StrataError('not_found', 'BACKUP_NOT_FOUND', `${backups.url} holds no complete backup; run strata backup list --from to see what is there`, {});
  }
  const chain = await backupChain(backups, id);
  const names = options.table === undefined ? chain[0].tables.map((table) => table.name) : [validateTableName(options.table)];
  // Resolve every table before copying anything, so a bad option fails before any write.
  const plans = [];
  for (const name of names) plans.push(await planTable(backups, target, chain, name, options));
  const views = options.table === undefined ? await planViews(target, chain[0]) : [];
  const counts = { copied: 0, skipped: 0, filesDone: 0, bytesDone: 0 };
  const filesTotal = views.length + plans.reduce((sum, plan) => sum + plan.state.partitions.size + plan.keyFilters + plan.entries.length, 0);
  const bytesTotal = plans.reduce((sum, plan) => sum + [...plan.state.partitions.values()].reduce((s, meta) => s + meta.bytes, 0), 0);
  const progress = (copied: boolean, bytes: number): void => {
    if (copied) counts.copied++; else counts.skipped++;
    counts.filesDone++;
    counts.bytesDone += bytes;
    options.onProgress?.({ filesDone: counts.filesDone, filesTotal, bytesDone: counts.bytesDone, bytesTotal });
  };
  const tables: RestoredTable[] = [];
  for (const plan of plans) tables.push(await restoreTable(backups, target, plan, progress));
  // Views last: a view appears only once the tables it reads are there.
  for (const file of views) {
    const copied = await copyFileVerified(backups, `${backupDirectory(id)}/${file.path}`, target, file.path, file);
    progress(copied.copied, 0);
  }
  const viewNames = views.map((file) => file.path.slice(storeViewsDirectory.length + 1, -'.json'.length));
  await recordAudit(target, {
    action: 'restore', details: {
      backup: id, from: backups.url, tables: tables.map((t) => `${t.name}@${t.version} as ${t.as}`), views: viewNames, filesCopied: counts.copied,
    },
  }, options.audit);
  return { backup: id, tables, views: viewNames, filesCopied: counts.copied, filesSkipped: counts.skipped };
}

/**
 * The view files of `manifest` to restore. A view the target already holds with the same content
 * is skipped (a resumed restore); one with other content is conflict VIEW_EXISTS before anything is written.
 */
async function planViews(target: Store, manifest: BackupManifest): Promise<BackupFile[]> {
  const files = manifest.files.filter((file) => file.path.startsWith(`${storeViewsDirectory}/`));
  for (const file of files) {
    const existing = await fileDigest(target, file.path);
    if (existing !== null && !sameDigest(existing, file)) {
      throw new StrataError('conflict', 'VIEW_EXISTS',
        `${target.url} already has a different view at ${file.path}; drop it (DROP VIEW) or restore into an empty store, or restore tables one by one with --table`,
        { path: file.path });
    }
  }
  return files;
}

function checkOptions(options: RestoreOptions): void {
  const invalid = (problem: string): StrataError => new StrataError('input', 'RESTORE_OPTIONS_INVALID', `restore: ${problem}`);
  if (options.asOfVersion !== undefined && options.asOfTimeMs !== undefined) throw invalid('give a version or a time to restore as of, not both');
  if (options.asOfVersion !== undefined && options.table === undefined) throw invalid('versions are per table: give the table to restore as of a version');
  if (options.asOfVersion !== undefined && !(Number.isInteger(options.asOfVersion) && options.asOfVersion >= 0)) {
    throw invalid(`version ${options.asOfVersion} is not a whole number >= 0`);
  }
  if (options.asOfTimeMs !== undefined && !Number.isFinite(options.asOfTimeMs)) throw invalid('the time to restore as of is not a valid time');
  if (options.as !== undefined && options.table === undefined) throw invalid('give the table to restore under a new name');
}

interface TablePlan {
  readonly view: BackupTableView;
  readonly as: string;
  readonly entries: readonly CommitEntry[];
  readonly state: TableState;
  readonly backup: string;
  /** Key filter files the restored partitions have in the backup. */
  readonly keyFilters: number;
}

async function planTable(backups: Store, target: Store, chain: readonly BackupManifest[], name: string, options: RestoreOptions): Promise<TablePlan> {
  const view = backupTableView(chain, name);
  const as = validateTableName(options.as ?? name);
  if ((await target.stat(logEntryPath(tableLogDirectory(as), 0))) !== null) {
    throw new StrataError('conflict', 'TABLE_EXISTS',
      `table ${as} already exists in ${target.url}; restore it under another name (--table ${name} --as NEW) or drop it first`, { table: as });
  }
  const all = await readBackupEntries(backups, view, view.entry.version);
  let version = view.entry.version;
  if (options.asOfVersion !== undefined) {
    if (options.asOfVersion > version) {
      throw new StrataError('not_found', 'TABLE_VERSION_NOT_FOUND',
        `backup ${chain[0].id} holds table ${name} up to version ${version}, not ${options.asOfVersion}; restore a later backup`, { table: name, version: options.asOfVersion });
    }
    version = options.asOfVersion;
  } else if (options.asOfTimeMs !== undefined) {
    version = all.findLastIndex((entry) => entry.committedAtMs <= options.asOfTimeMs!);
    if (version < 0) {
      throw new StrataError('not_found', 'TABLE_VERSION_NOT_FOUND',
        `table ${name} did not exist at ${new Date(options.asOfTimeMs).toISOString()}: it was created at ${new Date(all[0].committedAtMs).toISOString()}`, { table: name });
    }
  }
  const entries = all.slice(0, version + 1);
  const state = replayEntries(entries)[version];
  checkRestorable(view, state, chain[0].id);
  let keyFilters = 0;
  for (const id of state.partitions.keys()) if (view.keyFilterFiles.has(id)) keyFilters++;
  return { view, as, entries, state, backup: chain[0].id, keyFilters };
}

async function restoreTable(backups: Store, target: Store, plan: TablePlan, progress: (copied: boolean, bytes: number) => void): Promise<RestoredTable> {
  const { view, as, state } = plan;
  const directory = tableDirectory(as);
  for (const meta of state.partitions.values()) {
    const located = view.partitionFiles.get(meta.path)!;
    const copied = await copyFileVerified(backups, locatedPath(located), target, `${directory}/${meta.path}`, { bytes: meta.bytes, checksum: meta.checksum });
    progress(copied.copied, meta.bytes);
    // The partition's record-key filter, keyed by partition id, so it serves the table under any name.
    const filter = view.keyFilterFiles.get(meta.id);
    if (filter !== undefined) {
      const copiedFilter = await copyFileVerified(backups, locatedPath(filter), target, `${directory}/${keyFilterRelativePath(meta.id)}`, filter.file);
      progress(copiedFilter.copied, 0);
    }
  }
  // Entries after the create commit first: the table does not exist until version 0 is written.
  for (const entry of [...plan.entries.slice(1), plan.entries[0]]) {
    const located = view.logFiles.get(entry.version)!;
    const copied = await copyFileVerified(backups, locatedPath(located), target, logEntryPath(tableLogDirectory(as), entry.version), located.file);
    progress(copied.copied, 0);
    // A checkpoint of the restored version saves the first reader a replay of the whole log.
    if (entry.version === state.version && state.version > 0) {
      await target.createIfAbsent(checkpointPath(tableLogDirectory(as), state.version), encodeCheckpoint(state));
    }
  }
  return {
    name: view.name, as, version: state.version, committedAtMs: state.committedAtMs, partitions: state.partitions.size,
    rows: [...state.partitions.values()].reduce((sum, meta) => sum + meta.rows, 0),
  };
}
