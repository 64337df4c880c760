/** Listing the backups in a backup store, and following a backup's chain of parents to its full. */
import { mapBounded } from './bounded-map.js';
import { StrataError } from './errors.js';
import {
  backupsDirectory, isBackupId, readManifest, readPlan, type BackupManifest, type BackupTableEntry, type BackupType,
} from './backup-manifest.js';
import type { Store } from './store.js';

/** Manifests read at once while listing: hides store latency, stays gentle on HDFS. */
export const backupListConcurrencyMax = 8;

/** A backup as listBackups shows it. */
export interface BackupInfo {
  readonly id: string;
  /** complete: manifest present; incomplete: interrupted (re-run the same backup to resume); corrupt: manifest unreadable. */
  readonly status: 'complete' | 'incomplete' | 'corrupt';
  readonly type: BackupType | null;
  readonly parent: string | null;
  readonly startedAtMs: number | null;
  readonly completedAtMs: number | null;
  readonly tables: readonly BackupTableEntry[];
  readonly files: number;
  readonly bytes: number;
  /** Why a corrupt backup is corrupt. */
  readonly problem?: string;
}

/** Every backup in `store`, oldest first (ids sort by start time). */
export async function listBackups(store: Store): Promise<BackupInfo[]> {
  const ids = (await store.list(backupsDirectory))
    .filter((entry) => entry.isDirectory)
    .map((entry) => entry.path.slice(entry.path.lastIndexOf('/') + 1))
    .filter(isBackupId)
    .sort();
  return mapBounded(ids, backupListConcurrencyMax, (id) => backupInfo(store, id));
}

async function backupInfo(store: Store, id: string): Promise<BackupInfo> {
  const empty = { id, type: null, parent: null, startedAtMs: null, completedAtMs: null, tables: [], files: 0, bytes: 0 };
  try {
    if ((await store.stat(`${backupsDirectory}/${id}/manifest.json`)) === null) {
      const plan = await readPlan(store, id);
      if (plan === null) return { ...empty, status: 'incomplete' };
      return { ...empty, status: 'incomplete', type: plan.type, parent: plan.parent, startedAtMs: plan.startedAtMs, tables: plan.tables };
    }
    const { manifest } = await readManifest(store, id);
    return {
      id, status: 'complete', type: manifest.type, parent: manifest.parent, startedAtMs: manifest.startedAtMs,
      completedAtMs: manifest.completedAtMs, tables: manifest.tables, files: manifest.files.length,
      bytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0),
    };
  } catch (error) {
    if (!(error instanceof StrataError) || error.kind === 'io' || error.kind === 'auth') throw error;
    return { ...empty, status: 'corrupt', problem: error.message };
  }
}

/** The newest complete backup, optionally of one type; null when there is none. */
export async function latestBackup(store: Store, type?: BackupType): Promise<BackupInfo | null> {
  const complete = (await listBackups(store)).filter((info) => info.status === 'complete' && (type === undefined || info.type === type));
  return complete.at(-1) ?? null;
}

/**
 * The manifests from backup `id` back to its full, newest first. Every link is checked: a parent
 * that is missing, unreadable, or whose manifest changed since the child was taken is
 * corruption BACKUP_CHAIN_BROKEN naming both backups.
 */
export async function backupChain(store: Store, id: string): Promise<BackupManifest[]> {
  const chain: BackupManifest[] = [(await readManifest(store, id)).manifest];
  const seen = new Set([id]);
  for (let child = chain[0]; child.parent !== null; child = chain[chain.length - 1]) {
    const parentId = child.parent;
    if (seen.has(parentId)) throw chainBroken(child.id, parentId, 'the chain loops back on itself');
    seen.add(parentId);
    let parent: { manifest: BackupManifest; checksum: string };
    try {
      parent = await readManifest(store, parentId);
    } catch (error) {
      if (!(error instanceof StrataError) || (error.kind !== 'not_found' && error.kind !== 'corruption')) throw error;
      throw chainBroken(child.id, parentId, error.kind === 'not_found' ? 'it is missing' : `its manifest is corrupt (${error.message})`);
    }
    if (parent.checksum !== child.parentChecksum) {
      throw chainBroken(child.id, parentId, `its manifest has checksum ${parent.checksum}, the child recorded ${String(child.parentChecksum)}`);
    }
    chain.push(parent.manifest);
  }
  return chain;
}

function chainBroken(child: string, parent: string, problem: string): StrataError {
  return new StrataError('corruption', 'BACKUP_CHAIN_BROKEN',
    `backup ${child} builds on backup ${parent}, but ${problem}; backups that build on ${parent} cannot be restored, take a new full backup`,
    { backup: child, parent });
}
