/**
 * Legal holds: a named hold on a whole table, or on the rows whose column lies in a range,
 * recorded as a table property by a commit (so it is versioned, backed up and replicated with the
 * table). While a hold stands, purge and retention expiry fail with LEGAL_HOLD_ACTIVE and change
 * nothing; only releasing the hold lets them proceed. Hold and release events name the caller's
 * audit context, field by field falling back to the table's (TableConfig.audit).
 */
import { auditContextOr, type AuditContext } from './audit-log.js';
import { StrataError } from './errors.js';
import { bindPredicate, type BoundPredicate, type PredicateValue } from './retention-predicate.js';
import type { Table } from './table.js';

/** Prefix of the table properties that hold legal holds: 'hold.<name>'. */
export const holdPropertyPrefix = 'hold.';

const holdNamePattern = /^[A-Za-z0-9_.-]{1,64}$/;

/** A legal hold as placed. */
export interface LegalHold {
  readonly name: string;
  readonly reason: string;
  readonly placedAtMs: number;
  /** With column: only rows whose column lies in [from, to) are held; without: the whole table. */
  readonly column?: string;
  readonly from?: PredicateValue;
  readonly to?: PredicateValue;
}

/** What placeHold takes. */
export interface HoldRequest {
  readonly name: string;
  readonly reason: string;
  readonly column?: string;
  readonly from?: PredicateValue;
  readonly to?: PredicateValue;
}

/** The holds recorded in a table's properties, by name. */
export function holdsOf(properties: Readonly<Record<string, unknown>>): LegalHold[] {
  return Object.entries(properties)
    .filter(([key]) => key.startsWith(holdPropertyPrefix))
    .map(([, value]) => value as LegalHold)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Places a hold; conflict HOLD_EXISTS when a hold of that name stands. Returns the commit's version. */
export async function placeHold(table: Table, request: HoldRequest, audit?: AuditContext): Promise<number> {
  if (!holdNamePattern.test(request.name)) {
    throw new StrataError('input', 'HOLD_INVALID', `hold name '${request.name}' must be 1 to 64 letters, digits, '_', '.' or '-'`, { table: table.name });
  }
  const ranged = request.column !== undefined;
  if (!ranged && (request.from !== undefined || request.to !== undefined)) {
    throw new StrataError('input', 'HOLD_INVALID', `hold ${request.name} on ${table.name}: a range needs the column it applies to`, { table: table.name });
  }
  if (ranged) bindPredicate(table.schema, { column: request.column!, from: request.from, to: request.to }, table.name);
  const hold: LegalHold = {
    name: request.name, reason: request.reason, placedAtMs: Date.now(),
    ...(ranged ? { column: request.column, ...(request.from === undefined ? {} : { from: request.from }), ...(request.to === undefined ? {} : { to: request.to }) } : {}),
  };
  const key = `${holdPropertyPrefix}${request.name}`;
  const base = await table.snapshot();
  const version = await table.commit(base.version, { add: [], remove: [], info: { operation: 'hold', hold: request.name } }, {
    properties: { [key]: hold },
    precondition: (latest) => {
      if (latest.properties[key] !== undefined) {
        throw new StrataError('conflict', 'HOLD_EXISTS', `table ${table.name} already has a legal hold named ${request.name}; release it first or choose another name`, { table: table.name });
      }
    },
  });
  await table.recordAuditEvent({ action: 'hold', table: table.name, details: { hold: request.name, reason: request.reason, version, ranged } }, auditContextOr(audit, table.audit));
  return version;
}

/** Releases a hold; not_found HOLD_NOT_FOUND when none of that name stands. Returns the commit's version. */
export async function releaseHold(table: Table, name: string, audit?: AuditContext): Promise<number> {
  const key = `${holdPropertyPrefix}${name}`;
  const base = await table.snapshot();
  const version = await table.commit(base.version, { add: [], remove: [], info: { operation: 'release', hold: name } }, {
    properties: { [key]: null },
    precondition: (latest) => {
      if (latest.properties[key] === undefined) {
        throw new StrataError('not_found', 'HOLD_NOT_FOUND',
          `table ${table.name} has no legal hold named ${name}; it has ${holdsOf(latest.properties).map((hold) => hold.name).join(', ') || 'none'}`, { table: table.name });
      }
    },
  });
  await table.recordAuditEvent({ action: 'release', table: table.name, details: { hold: name, version } }, auditContextOr(audit, table.audit));
  return version;
}

/** Throws LEGAL_HOLD_ACTIVE when a whole-table hold stands; returns the range holds, bound to the schema. */
export function rangeHolds(table: Table, holds: readonly LegalHold[], operation: string): { hold: LegalHold; bound: BoundPredicate }[] {
  const whole = holds.find((hold) => hold.column === undefined);
  if (whole !== undefined) throw holdActive(table.name, whole, operation, 'it holds the whole table');
  return holds.map((hold) => ({ hold, bound: bindPredicate(table.schema, { column: hold.column!, from: hold.from, to: hold.to }, table.name) }));
}

/** conflict LEGAL_HOLD_ACTIVE naming the hold, its reason and what it blocked. */
export function holdActive(table: string, hold: LegalHold, operation: string, why: string): StrataError {
  return new StrataError('conflict', 'LEGAL_HOLD_ACTIVE',
    `${operation} of table ${table} refused: legal hold ${hold.name} (${hold.reason}, placed ${new Date(hold.placedAtMs).toISOString()}) ${why}; ` +
    'nothing was changed. Release the hold (strata table release) once the legal matter allows it',
    { table, hold: hold.name });
}
