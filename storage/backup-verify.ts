/**
 * Verifying backups: every file's size and sha256 against its manifest, every chain link (the
 * parent exists and its manifest is the one the child was built on), and that each table's chain
 * still rebuilds the pinned version (every log entry and every live partition present). Problems
 * are collected, not thrown, so one run names every damaged backup and file.
 */
import { fileDigest, sameDigest } from './backup-copy.js';
import { listBackups } from './backup-list.js';
import { backupDirectory, readManifest, type BackupManifest } from './backup-manifest.js';
import { backupTableView, checkRestorable, readBackupEntries, replayEntries } from './backup-table-view.js';
import { StrataError } from './errors.js';
import type { Store } from './store.js';

/** One thing wrong with a backup. */
export interface BackupProblem {
  readonly backup: string;
  /** Store path concerned, when there is one. */
  readonly path?: string;
  readonly code: string;
  readonly message: string;
}

/** What verifyBackups found. */
export interface BackupVerifyReport {
  /** Backups checked, oldest first. */
  readonly backups: readonly string[];
  readonly filesChecked: number;
  readonly bytesChecked: number;
  /** Empty when every backup checked is intact. */
  readonly problems: readonly BackupProblem[];
}

/** Verifies backup `options.backup` and its chain, or every complete backup in `store`. */
export async function verifyBackups(store: Store, options: { readonly backup?: string } = {}): Promise<BackupVerifyReport> {
  const problems: BackupProblem[] = [];
  const ids = options.backup === undefined ? await allIds(store, problems) : [options.backup];
  const checked = new Map<string, BackupManifest>();
  const counts = { files: 0, bytes: 0 };
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index];
    if (checked.has(id)) continue;
    const manifest = await verifyOne(store, id, problems, counts);
    if (manifest === null) continue;
    checked.set(id, manifest);
    // Following parents makes a single-backup verify cover the whole chain it needs.
    if (manifest.parent !== null && !ids.includes(manifest.parent)) ids.push(manifest.parent);
  }
  for (const manifest of checked.values()) await verifyTables(store, manifest, checked, problems);
  return { backups: [...checked.keys()].sort(), filesChecked: counts.files, bytesChecked: counts.bytes, problems };
}

async function allIds(store: Store, problems: BackupProblem[]): Promise<string[]> {
  const ids: string[] = [];
  for (const info of await listBackups(store)) {
    if (info.status === 'complete') ids.push(info.id);
    if (info.status === 'corrupt') problems.push({ backup: info.id, code: 'BACKUP_MANIFEST_CORRUPT', message: info.problem ?? `backup ${info.id} is unreadable` });
  }
  return ids;
}

/** Checks a manifest, its link to its parent and its files; null when the manifest is unreadable. */
async function verifyOne(store: Store, id: string, problems: BackupProblem[], counts: { files: number; bytes: number }): Promise<BackupManifest | null> {
  let manifest: BackupManifest;
  try {
    manifest = (await readManifest(store, id)).manifest;
  } catch (error) {
    problems.push(problemOf(id, error));
    return null;
  }
  if (manifest.parent !== null) {
    try {
      const parent = await readManifest(store, manifest.parent);
      if (parent.checksum !== manifest.parentChecksum) {
        problems.push({ backup: id, code: 'BACKUP_CHAIN_BROKEN',
          message: `backup ${id} builds on backup ${manifest.parent}, whose manifest changed since (checksum ${parent.checksum}, recorded ${String(manifest.parentChecksum)}); take a new full backup` });
      }
    } catch (error) {
      const cause = error instanceof StrataError && error.kind === 'not_found' ? 'is missing' : `is unreadable (${(error as Error).message})`;
      problems.push({ backup: id, code: 'BACKUP_CHAIN_BROKEN',
        message: `backup ${id} builds on backup ${manifest.parent}, which ${cause}; backups built on it cannot be restored, take a new full backup` });
    }
  }
  for (const file of manifest.files) {
    const path = `${backupDirectory(id)}/${file.path}`;
    const digest = await fileDigest(store, path);
    counts.files++;
    counts.bytes += digest?.bytes ?? 0;
    if (digest === null) {
      problems.push({ backup: id, path, code: 'BACKUP_FILE_MISSING', message: `backup ${id} lacks ${file.path} (${path}), which its manifest lists` });
    } else if (!sameDigest(digest, file)) {
      problems.push({ backup: id, path, code: 'BACKUP_FILE_CORRUPT',
        message: `backup ${id} file ${file.path} (${path}) is ${digest.bytes} bytes with ${digest.checksum}, its manifest records ${file.bytes} bytes with ${file.checksum}` });
    }
  }
  return manifest;
}

/** Checks that each table of `manifest` rebuilds from its chain at the pinned version. */
async function verifyTables(store: Store, manifest: BackupManifest, checked: ReadonlyMap<string, BackupManifest>, problems: BackupProblem[]): Promise<void> {
  const chain: BackupManifest[] = [manifest];
  for (let parent = manifest.parent; parent !== null; parent = chain[chain.length - 1].parent) {
    const next = checked.get(parent);
    if (next === undefined) return; // the broken link is already reported
    chain.push(next);
  }
  // Files already reported missing or corrupt would be reported again here; only chain gaps are new.
  const damaged = new Set(problems.filter((problem) => problem.path !== undefined).map((problem) => problem.path));
  for (const table of manifest.tables) {
    try {
      const view = backupTableView(chain, table.name);
      const entries = await readBackupEntries(store, view, table.version);
      checkRestorable(view, replayEntries(entries)[table.version], manifest.id);
    } catch (error) {
      const problem = problemOf(manifest.id, error);
      if (problem.path === undefined || !damaged.has(problem.path)) problems.push(problem);
    }
  }
}

function problemOf(backup: string, error: unknown): BackupProblem {
  if (!(error instanceof StrataError) || error.kind === 'io' || error.kind === 'auth' || error.kind === 'internal') throw error;
  const path = typeof error.details.path === 'string' ? error.details.path : undefined;
  return { backup, ...(path === undefined ? {} : { path }), code: error.code, message: error.message };
}
