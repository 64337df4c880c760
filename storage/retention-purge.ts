/**
 * Deleting rows from an archive: record-level purge (rows matching a condition) and retention
 * expiry (rows older than a period of a DATE or TIMESTAMP column). Both are copy-on-write in one
 * commit: partitions whose rows all go are dropped, partitions holding some are rewritten without
 * them, the rest are untouched. Legal holds block both with LEGAL_HOLD_ACTIVE and nothing changes.
 * The removed files stay readable for time travel until vacuum deletes them; purge followed by
 * vacuum (safety window 0) leaves no trace of the purged values in the store. The log records
 * counts and the column, never the values. Audit events name the caller's context, field by field
 * falling back to the table's (TableConfig.audit), so a node's purges and expiries name that node.
 */
import { auditContextOr, type AuditContext } from './audit-log.js';
import { StrataError } from './errors.js';
import { holdActive, holdsOf, rangeHolds, type LegalHold } from './retention-holds.js';
import { bindPredicate, matchesAll, matchRows, mayMatch, type BoundPredicate, type RowPredicate } from './retention-predicate.js';
import type { Table } from './table.js';
import type { PartitionMeta } from './table-types.js';
import { allocateValues, numericVector, stringVector, type Batch, type Vector } from './vector.js';

/** What a purge or expiry did. */
export interface DeleteResult {
  /** The commit's version, or null when no row matched (nothing committed). */
  readonly version: number | null;
  readonly rowsDeleted: number;
  readonly partitionsRewritten: number;
  readonly partitionsDropped: number;
}

/** A retention policy: rows whose `column` (DATE or TIMESTAMP) is older than `periodMs` expire. */
export interface RetentionPolicy {
  readonly column: string;
  readonly periodMs: number;
}

/** Table property holding the retention policy. */
export const retentionProperty = 'retention';

/** Deletes the rows matching `predicate` in one copy-on-write commit (record-level purge). */
export async function purgeRows(table: Table, predicate: RowPredicate, audit?: AuditContext): Promise<DeleteResult> {
  return deleteMatching(table, bindPredicate(table.schema, predicate, table.name), 'purge', audit);
}

/** Sets (or with null removes) the table's retention policy; returns the commit's version. */
export async function setRetention(table: Table, policy: RetentionPolicy | null, audit?: AuditContext): Promise<number> {
  if (policy !== null) {
    const field = table.schema.fields.find((f) => f.name.toLowerCase() === policy.column.toLowerCase());
    if (field === undefined || (field.type.id !== 'date' && field.type.id !== 'timestamp')) {
      throw new StrataError('input', 'RETENTION_INVALID', `retention of table ${table.name} needs a DATE or TIMESTAMP column; '${policy.column}' is ${field === undefined ? 'not a column' : `a ${field.type.id}`}`, { table: table.name });
    }
    if (!Number.isFinite(policy.periodMs) || policy.periodMs <= 0) {
      throw new StrataError('input', 'RETENTION_INVALID', `retention period of table ${table.name} must be a positive number of milliseconds`, { table: table.name });
    }
  }
  const value = policy === null ? null : { column: policy.column, periodMs: policy.periodMs };
  const version = await table.commit((await table.snapshot()).version, { add: [], remove: [], info: { operation: 'retention' } }, { properties: { [retentionProperty]: value } });
  await table.recordAuditEvent({ action: 'retention', table: table.name, details: { policy: value, version } }, auditContextOr(audit, table.audit));
  return version;
}

/** The retention policy in a table's properties, or null. */
export function retentionOf(properties: Readonly<Record<string, unknown>>): RetentionPolicy | null {
  return (properties[retentionProperty] as RetentionPolicy | undefined) ?? null;
}

/** Expires the rows the table's retention policy says are too old at `nowMs`; not_found RETENTION_NOT_SET without a policy. */
export async function applyRetention(table: Table, options: { readonly nowMs?: number } = {}, audit?: AuditContext): Promise<DeleteResult> {
  const policy = retentionOf(await table.properties());
  if (policy === null) {
    throw new StrataError('not_found', 'RETENTION_NOT_SET', `table ${table.name} has no retention policy; set one with strata table retention`, { table: table.name });
  }
  const cutoffMs = (options.nowMs ?? Date.now()) - policy.periodMs;
  const field = table.schema.fields.find((f) => f.name.toLowerCase() === policy.column.toLowerCase())!;
  // Timestamps are microseconds, dates whole days: a day expires once all of it is older than the cutoff.
  const before = field.type.id === 'timestamp' ? cutoffMs * 1000 : Math.floor(cutoffMs / 86_400_000);
  return deleteMatching(table, bindPredicate(table.schema, { column: policy.column, to: before }, table.name), 'expire', audit);
}

/**
 * Which rows a copy-on-write delete removes, tested a batch at a time (the batch holds every table
 * column in schema order), with optional partition-level shortcuts from the statistics.
 */
export interface BatchDeleteRequest {
  /** A mask with 1 for each row of the batch to delete. */
  readonly match: (batch: Batch) => Uint8Array;
  /** False when no row of the partition can match: the partition is left unread. */
  readonly mayMatch?: (meta: PartitionMeta) => boolean;
  /** True when every row of the partition matches: it is dropped unread (unless a range hold may cover it). */
  readonly matchesAll?: (meta: PartitionMeta) => boolean;
  /** The column the condition tests, recorded in the log and audit (never values); absent for conditions over several. */
  readonly column?: string;
}

/**
 * Deletes the rows `request` matches in one copy-on-write commit, recorded as a purge (SQL DELETE).
 * A whole-table legal hold refuses it; a range hold refuses it when a deleted row lies in its range.
 */
export async function purgeMatching(table: Table, request: BatchDeleteRequest, audit?: AuditContext): Promise<DeleteResult> {
  return deleteMatching(table, request, 'purge', audit);
}

/** The request of a bound single-column predicate (purge, expiry). */
function predicateRequest(bound: BoundPredicate): BatchDeleteRequest {
  return {
    match: (batch) => matchRows(bound, batch.columns[bound.column]),
    mayMatch: (meta) => mayMatch(bound, meta),
    matchesAll: (meta) => matchesAll(bound, meta.columns[bound.column], meta.rows),
    column: bound.predicate.column,
  };
}

async function deleteMatching(table: Table, request: BatchDeleteRequest | BoundPredicate, operation: 'purge' | 'expire', audit: AuditContext | undefined): Promise<DeleteResult> {
  const matcher = 'match' in request ? request : predicateRequest(request);
  const base = await table.snapshot();
  const properties = await table.properties();
  const holds = rangeHolds(table, holdsOf(properties), operation);
  const holdsSeen = JSON.stringify(holdsOf(properties));
  const add: PartitionMeta[] = [];
  const remove: string[] = [];
  const counts = { rows: 0, rewritten: 0, dropped: 0 };
  for (const meta of base.partitions) {
    if (matcher.mayMatch !== undefined && !matcher.mayMatch(meta)) continue;
    const heldHere = holds.filter((held) => mayMatch(held.bound, meta));
    if (heldHere.length === 0 && matcher.matchesAll?.(meta) === true) {
      remove.push(meta.id);
      counts.rows += meta.rows;
      counts.dropped++;
      continue;
    }
    const rewrite = await rewritePartition(table, meta, matcher, heldHere, operation);
    if (rewrite.deleted === 0) continue;
    remove.push(meta.id);
    counts.rows += rewrite.deleted;
    if (rewrite.kept.length > 0) {
      add.push(await table.writePartition(rewrite.kept));
      counts.rewritten++;
    } else counts.dropped++;
  }
  if (remove.length === 0) return { version: null, rowsDeleted: 0, partitionsRewritten: 0, partitionsDropped: 0 };
  const version = await table.commit(base.version, {
    add, remove, info: { operation, rows: -counts.rows, rowsDeleted: counts.rows, column: matcher.column, partitionsRewritten: counts.rewritten, partitionsDropped: counts.dropped },
  }, {
    precondition: (latest) => {
      if (JSON.stringify(holdsOf(latest.properties)) !== holdsSeen) {
        throw new StrataError('conflict', 'HOLDS_CHANGED', `legal holds of table ${table.name} changed while the ${operation} ran; nothing was changed, run it again`, { table: table.name });
      }
    },
  });
  const result = { version, rowsDeleted: counts.rows, partitionsRewritten: counts.rewritten, partitionsDropped: counts.dropped };
  await table.recordAuditEvent({ action: operation, table: table.name, details: { ...result, column: matcher.column } }, auditContextOr(audit, table.audit));
  return result;
}

/** One partition's rows without the matching ones; LEGAL_HOLD_ACTIVE when a deleted row lies in a range hold. */
async function rewritePartition(table: Table, meta: PartitionMeta, matcher: BatchDeleteRequest,
  heldHere: readonly { hold: LegalHold; bound: BoundPredicate }[], operation: string): Promise<{ kept: Batch[]; deleted: number }> {
  const kept: Batch[] = [];
  let deleted = 0;
  const allColumns = table.schema.fields.map((_, i) => i);
  for await (const batch of table.readPartition(meta, allColumns)) {
    const mask = matcher.match(batch);
    if (mask.length !== batch.length) {
      throw new StrataError('internal', 'ASSERTION_FAILED', `delete of table ${table.name}: the row matcher returned ${mask.length} mask bytes for a batch of ${batch.length} rows`, { table: table.name });
    }
    const count = countOnes(mask);
    for (const held of heldHere) {
      if (count > 0 && overlaps(mask, matchRows(held.bound, batch.columns[held.bound.column]))) {
        throw holdActive(table.name, held.hold, operation, `holds rows this ${operation} would delete (partition ${meta.id})`);
      }
    }
    deleted += count;
    if (count < batch.length) kept.push(count === 0 ? batch : keepRows(batch, mask, batch.length - count));
  }
  return { kept, deleted };
}

function countOnes(mask: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  return count;
}

function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] & b[i]) === 1) return true;
  return false;
}

/** The rows of `batch` whose mask byte is 0 (`keptCount` of them). */
function keepRows(batch: Batch, deleteMask: Uint8Array, keptCount: number): Batch {
  return { length: keptCount, columns: batch.columns.map((vector) => keepVectorRows(vector, deleteMask, keptCount)) };
}

function keepVectorRows(vector: Vector, deleteMask: Uint8Array, keptCount: number): Vector {
  let nulls: Uint8Array | null = null;
  if (vector.nulls !== null) {
    nulls = new Uint8Array(keptCount);
    for (let i = 0, out = 0; i < vector.length; i++) if (deleteMask[i] === 0) nulls[out++] = vector.nulls[i];
  }
  if (vector.kind === 'string') {
    // The dictionary stays as is: the partition writer keeps only the entries rows still use.
    const codes = new Int32Array(keptCount);
    for (let i = 0, out = 0; i < vector.length; i++) if (deleteMask[i] === 0) codes[out++] = vector.codes[i];
    return stringVector(vector.type, codes, vector.dictionary, nulls);
  }
  const values = allocateValues(vector.type, keptCount) as Float64Array;
  const source = vector.values as Float64Array;
  for (let i = 0, out = 0; i < vector.length; i++) if (deleteMask[i] === 0) values[out++] = source[i];
  return numericVector(vector.type, values, nulls);
}
