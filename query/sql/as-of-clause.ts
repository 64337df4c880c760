/**
 * Time travel syntax: `t AS OF VERSION n` and `t AS OF TIMESTAMP '…'` after a table name.
 * node-sql-parser has no grammar for it, so a pre-pass over the tokens blanks the clause out
 * (same-length spaces, so every other offset stays exact) and records it by the offset of the
 * table name token before it; the converter attaches it to that table reference.
 */
import type { SqlAsOf } from './ast.js';
import type { Token } from './lexer.js';
import type { SourceText } from './source-text.js';

/** A same-length replacement of a span of the text. */
export interface TextEdit {
  readonly start: number;
  readonly replacement: string;
}

/** `YYYY-MM-DD[ HH:MM[:SS[.fff]]]`: a UTC time. */
const utcTimestampPattern = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$/;
/** ISO 8601 with a zone: `…T10:00:00Z`, `… 10:00:00+02:00`. */
const zonedTimestampPattern = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch milliseconds of an AS OF TIMESTAMP text, or null when it is no timestamp. */
export function asOfTimeMs(text: string): number | null {
  const trimmed = text.trim();
  let iso: string;
  if (utcTimestampPattern.test(trimmed)) iso = `${trimmed.length === 10 ? `${trimmed}T00:00:00` : trimmed.replace(' ', 'T')}Z`;
  else if (zonedTimestampPattern.test(trimmed)) iso = trimmed.replace(' ', 'T');
  else return null;
  if (!fieldsInRange(trimmed)) return null;
  // Milliseconds are the log's resolution; Date.parse takes at most three fraction digits.
  const timeMs = Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(timeMs) ? timeMs : null;
}

/** Date and clock fields of a timestamp text: Date.parse rolls '02-30' into March and '24:00' into the next day. */
const timestampFieldsPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?(?:\.\d+)?(?:Z|[+-](\d{2}):?(\d{2}))?$/i;

/** True when month, day, hour, minute, second and zone offset of a pattern-checked timestamp exist. */
function fieldsInRange(text: string): boolean {
  const match = timestampFieldsPattern.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  const upTo = (field: string | undefined, max: number) => field === undefined || Number(field) <= max;
  return upTo(match[4], 23) && upTo(match[5], 59) && upTo(match[6], 59) && upTo(match[7], 23) && upTo(match[8], 59);
}

function isTableNameToken(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === 'word' || token.kind === 'quoted');
}

/**
 * Blanks every `AS OF VERSION n` / `AS OF TIMESTAMP '…'` that follows a name and records it in
 * `found` by the name token's offset. A malformed one is a syntax error at its position.
 */
export function asOfEdits(source: SourceText, tokens: readonly Token[], found: Map<number, SqlAsOf>): TextEdit[] {
  const edits: TextEdit[] = [];
  for (let i = 1; i + 2 < tokens.length; i++) {
    const [as, of, what] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (as.lower !== 'as' || as.kind !== 'word' || of.lower !== 'of' || of.kind !== 'word' || what.kind !== 'word') continue;
    if (what.lower !== 'version' && what.lower !== 'timestamp') continue;
    if (!isTableNameToken(tokens[i - 1])) {
      throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: AS OF must follow a table name, e.g. FROM t AS OF VERSION 3', as.start);
    }
    const value = tokens[i + 3] as Token | undefined;
    const asOf = what.lower === 'version' ? versionOf(source, value, as.start, what.end) : timestampOf(source, value, as.start, what.end);
    found.set(tokens[i - 1].start, asOf);
    const end = (value as Token).end;
    edits.push({ start: as.start, replacement: ' '.repeat(end - as.start) });
    i += 3;
  }
  return edits;
}

function versionOf(source: SourceText, value: Token | undefined, pos: number, after: number): SqlAsOf {
  if (value === undefined || value.kind !== 'number' || !/^\d+$/.test(value.value) || !Number.isSafeInteger(Number(value.value))) {
    throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: AS OF VERSION takes a whole version number, e.g. AS OF VERSION 3 (strata table history lists them)', value?.start ?? after);
  }
  return { kind: 'version', version: Number(value.value), pos };
}

function timestampOf(source: SourceText, value: Token | undefined, pos: number, after: number): SqlAsOf {
  const timeMs = value?.kind === 'string' ? asOfTimeMs(value.value) : null;
  if (value === undefined || timeMs === null) {
    throw source.error('syntax', 'SQL_SYNTAX_ERROR',
      "syntax error: AS OF TIMESTAMP takes a quoted time, e.g. AS OF TIMESTAMP '2026-11-22 10:00:00' (UTC) or '2026-11-22T10:00:00+02:00'", value?.start ?? after);
  }
  return { kind: 'timestamp', timeMs, text: value.value, pos };
}
