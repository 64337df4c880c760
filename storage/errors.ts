/**
 * The one error class of strata. `kind` says whose problem it is, `code` is stable and documented
 * (docs/error-codes.md, checked by a test), and the message says what, where and how to fix it.
 * Only the server maps kinds to HTTP / WebSocket statuses.
 */

/** Who must act: the user (fix the input), the operator (fix the system), or us (a bug). */
export type ErrorKind =
  | 'syntax' // SQL text does not parse
  | 'plan' // SQL parses but does not bind: unknown table/column, type mismatch
  | 'not_supported' // valid SQL strata does not implement (yet)
  | 'input' // a data file or request payload is malformed
  | 'conflict' // a concurrent writer won, an object already exists
  | 'not_found' // a table, file or object does not exist
  | 'io' // a store or network operation failed
  | 'resources' // a limit was reached: memory, message size, queue length
  | 'cancelled' // the caller cancelled or a timeout fired
  | 'corruption' // a checksum or format check failed
  | 'auth' // missing or wrong credentials, permission denied
  | 'internal'; // a bug in strata

/** Where in SQL text an error is: 1-based line and column plus 0-based offset. */
export interface SqlPosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** Extra, machine-readable context of an error. */
export interface ErrorDetails {
  /** Position in the SQL text. */
  readonly position?: SqlPosition;
  /** Input file, 1-based line and column (ingest). */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Partition id or store path concerned. */
  readonly partition?: string;
  readonly path?: string;
  /** Node that raised it (cluster). */
  readonly node?: string;
  /** Anything else worth a machine's attention. */
  readonly [key: string]: unknown;
}

/** The error every strata API throws. */
export class StrataError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(kind: ErrorKind, code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StrataError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }

  /** A plain object for JSON transport. */
  toJSON(): { kind: ErrorKind; code: string; message: string; details: ErrorDetails } {
    return { kind: this.kind, code: this.code, message: this.message, details: this.details };
  }
}

/** Wraps anything thrown into a StrataError (non-strata errors become internal). */
export function toStrataError(error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StrataError('internal', 'INTERNAL_ERROR', `internal error: ${message}`, {}, { cause: error });
}

/** Throws an internal error when a programmer's assumption fails. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: ${message}`);
}
