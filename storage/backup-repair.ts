/**
 * Repairing a store from backups: scrub finds the damaged or missing partition files, and each is
 * replaced by a copy from any backup that holds a file with the same sha256 (partition files are
 * immutable, so the checksum the log records identifies the right bytes, whichever backup holds
 * them). The copy is verified before and after it is written.
 */
import { recordAudit, type AuditContext } from './audit-log.js';
import { copyFileVerified } from './backup-copy.js';
import { listBackups } from './backup-list.js';
import { backupDirectory, readManifest } from './backup-manifest.js';
import { StrataError } from './errors.js';
import { scrubStore, type ScrubProblem } from './scrub.js';
import type { Store } from './store.js';

/** A problem repair could not fix, and why. */
export interface UnrepairedProblem extends ScrubProblem {
  readonly reason: string;
}

/** What repairFromBackups did. */
export interface RepairResult {
  /** Files replaced by a verified copy from a backup. */
  readonly repaired: readonly (ScrubProblem & { readonly backup: string })[];
  readonly unrepaired: readonly UnrepairedProblem[];
  readonly partitionsChecked: number;
}

/** Scrubs `store` (optionally only `tables`) and replaces each damaged partition from `backups`. */
export async function repairFromBackups(backups: Store, store: Store, options: { readonly tables?: readonly string[]; readonly audit?: AuditContext } = {}): Promise<RepairResult> {
  const report = await scrubStore(store, { tables: options.tables });
  const copies = report.problems.length === 0 ? new Map<string, string[]>() : await partitionCopies(backups);
  const repaired: (ScrubProblem & { backup: string })[] = [];
  const unrepaired: UnrepairedProblem[] = [];
  for (const problem of report.problems) {
    const meta = problem.partition;
    if (meta === undefined) {
      unrepaired.push({ ...problem, reason: 'only partition files are repaired; restore the table from a backup under a new name (--table T --as NEW)' });
      continue;
    }
    const sources = copies.get(`${meta.bytes} ${meta.checksum}`) ?? [];
    if (sources.length === 0) {
      unrepaired.push({ ...problem, reason: `no backup in ${backups.url} holds partition ${meta.id} with checksum ${meta.checksum}` });
      continue;
    }
    const damaged: string[] = [];
    for (const source of sources) {
      try {
        await copyFileVerified(backups, source, store, problem.path, { bytes: meta.bytes, checksum: meta.checksum });
        repaired.push({ ...problem, backup: source.split('/')[1] });
        break;
      } catch (error) {
        // A damaged backup copy is no reason to give up while another backup may hold a good one.
        if (!(error instanceof StrataError) || error.kind !== 'corruption') throw error;
        damaged.push(source);
      }
    }
    if (damaged.length === sources.length) unrepaired.push({ ...problem, reason: `every backup copy is damaged too: ${damaged.join(', ')}` });
  }
  if (report.problems.length > 0) {
    await recordAudit(store, {
      action: 'repair', details: { from: backups.url, repaired: repaired.map((p) => p.path), unrepaired: unrepaired.map((p) => p.path) },
    }, options.audit);
  }
  return { repaired, unrepaired, partitionsChecked: report.partitionsChecked };
}

/** Store paths of partition files in complete backups by '<bytes> <sha256>', newest backup first. */
async function partitionCopies(backups: Store): Promise<Map<string, string[]>> {
  const copies = new Map<string, string[]>();
  const complete = (await listBackups(backups)).filter((info) => info.status === 'complete').reverse();
  for (const info of complete) {
    const { manifest } = await readManifest(backups, info.id);
    for (const file of manifest.files) {
      const key = `${file.bytes} ${file.checksum}`;
      if (!file.path.includes('/data/')) continue;
      copies.set(key, [...(copies.get(key) ?? []), `${backupDirectory(info.id)}/${file.path}`]);
    }
  }
  return copies;
}
