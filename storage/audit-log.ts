/**
 * The audit log of a store: one immutable JSON file per administrative action (backup, restore,
 * repair, vacuum, purge, expiry, retention change, legal hold, create/drop of tables and views,
 * loads, inserts and deletes), with time, node and caller, under
 * _audit/<UTC day>/. Files are written create-once and never changed, so the log is append-only
 * on every store; a system table reads it through readAuditLog.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { mapBounded } from './bounded-map.js';
import { StrataError } from './errors.js';
import type { Store } from './store.js';

/** Directory of the audit log in a store. */
export const auditDirectory = '_audit';

/** Audit files read at once: hides store latency, stays gentle on HDFS. */
export const auditReadConcurrencyMax = 16;

/** Digits of the per-process sequence in audit file names; wraps far beyond the actions one millisecond sees. */
const auditSequenceDigits = 9;
const auditSequenceModulus = 10 ** auditSequenceDigits;
let auditSequence = 0;

/** Who acts: the node and the user; the defaults are this host and the OS user. */
export interface AuditContext {
  readonly node?: string;
  readonly caller?: string;
}

/**
 * The context of an action: each field the call names wins, the rest come from `fallback` (the
 * default of the table or catalog that acts, which names its node), and recordAudit fills what
 * is still missing with this host and OS user.
 */
export function auditContextOr(call: AuditContext | undefined, fallback: AuditContext | undefined): AuditContext {
  const node = call?.node ?? fallback?.node;
  const caller = call?.caller ?? fallback?.caller;
  return { ...(node === undefined ? {} : { node }), ...(caller === undefined ? {} : { caller }) };
}

/** One recorded action. */
export interface AuditEvent {
  /**
   * backup, restore, repair, vacuum, purge, expire, retention, hold, release, create_table,
   * drop_table, create_view, drop_view, load, insert, delete, …
   */
  readonly action: string;
  readonly table?: string;
  readonly timeMs: number;
  readonly node: string;
  readonly caller: string;
  /** What the action did (counts, versions, ids); never the values of purged rows. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Records an action in `store`'s audit log and returns the event written. */
export async function recordAudit(
  store: Store, event: AuditEventRequest, context: AuditContext = {},
): Promise<AuditEvent> {
  const timeMs = Date.now();
  const full: AuditEvent = {
    action: event.action, ...(event.table === undefined ? {} : { table: event.table }), timeMs,
    node: context.node ?? hostname(), caller: context.caller ?? osUser(), details: event.details ?? {},
  };
  const day = new Date(timeMs).toISOString().slice(0, 10);
  // Files sort by name: time first, then this process's sequence, so actions one process records
  // within the same millisecond (create, load, drop in a script) still read back in order.
  auditSequence = (auditSequence + 1) % auditSequenceModulus;
  const sequence = String(auditSequence).padStart(auditSequenceDigits, '0');
  const path = `${auditDirectory}/${day}/${String(timeMs).padStart(15, '0')}-${sequence}-${randomBytes(4).toString('hex')}.json`;
  await store.write(path, Buffer.from(JSON.stringify(full)));
  return full;
}

/** Writes of an audit event after its action took effect: one retry rides out a passing store fault. */
export const auditWriteAttemptsMax = 2;

/** What an action asks recordAudit to write (time, node and caller are filled in). */
export interface AuditEventRequest {
  readonly action: string;
  readonly table?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Called when the audit event of an action that already took effect (a commit stands) could not
 * be written, even on a second attempt; the action still succeeds. Storage never logs by itself.
 */
export type AuditErrorHandler = (error: unknown, event: AuditEventRequest) => void;

/**
 * Records the audit event of an action that has already taken effect: a failed write is retried
 * once, then reported to `onError` (default: a process warning naming table, version and store)
 * and never thrown, so a client does not retry a committed change and duplicate it.
 */
export async function recordAuditAfterCommit(
  store: Store, event: AuditEventRequest, context: AuditContext | undefined, onError: AuditErrorHandler | undefined,
): Promise<void> {
  let failure: unknown;
  for (let attempt = 0; attempt < auditWriteAttemptsMax; attempt++) {
    try {
      await recordAudit(store, event, context);
      return;
    } catch (error) {
      failure = error;
    }
  }
  if (onError !== undefined) {
    onError(failure, event);
    return;
  }
  const version = event.details?.version ?? event.details?.readableFromVersion;
  const where = `${event.table === undefined ? '' : `table ${event.table} `}${version === undefined ? '' : `version ${String(version)} `}`;
  process.emitWarning(
    `audit event '${event.action}' of ${where}could not be written to ${store.url}/${auditDirectory}: ${failure instanceof Error ? failure.message : String(failure)}; `
    + 'the action itself succeeded and the table commit log still records it (system.history); check the store and its _audit directory',
    { code: 'STRATA_AUDIT_WRITE_FAILED' },
  );
}

/** The recorded actions between fromMs and toMs (inclusive, default: all), oldest first. */
export async function readAuditLog(store: Store, range: { readonly fromMs?: number; readonly toMs?: number } = {}): Promise<AuditEvent[]> {
  const fromDay = range.fromMs === undefined ? '' : new Date(range.fromMs).toISOString().slice(0, 10);
  const toDay = range.toMs === undefined ? '~' : new Date(range.toMs).toISOString().slice(0, 10);
  const days = (await store.list(auditDirectory)).filter((entry) => {
    const day = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    return entry.isDirectory && day >= fromDay && day <= toDay;
  });
  const files: string[] = [];
  for (const day of days) for (const file of await store.list(day.path)) if (file.path.endsWith('.json')) files.push(file.path);
  files.sort();
  const events = await mapBounded(files, auditReadConcurrencyMax, async (path) => parseEvent(await store.read(path), path));
  return events.filter((event) => (range.fromMs === undefined || event.timeMs >= range.fromMs) && (range.toMs === undefined || event.timeMs <= range.toMs));
}

function parseEvent(bytes: Uint8Array, path: string): AuditEvent {
  try {
    const event = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as AuditEvent;
    if (typeof event.action === 'string' && typeof event.timeMs === 'number') return event;
  } catch (error) {
    throw new StrataError('corruption', 'AUDIT_LOG_CORRUPT', `audit log file ${path} is not valid JSON; restore it from a backup`, { path }, { cause: error });
  }
  throw new StrataError('corruption', 'AUDIT_LOG_CORRUPT', `audit log file ${path} lacks action or timeMs; restore it from a backup`, { path });
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown'; // no passwd entry for this uid (some containers)
  }
}
