/**
 * [NOT] LIKE / ILIKE. A pattern is compiled once into a matcher (plain equality, startsWith,
 * endsWith, includes, or an anchored RegExp) and, for a string column with a small dictionary,
 * run once per dictionary entry. '%' matches any run of characters, '_' exactly one code point;
 * the escape character (none unless ESCAPE is given, as in DuckDB) makes the next one literal.
 */
import { numericVector, StrataError, type DataType, type StringVector, type Vector } from '../../storage/index.js';
import { castVector } from './cast.js';
import { isNullScalar, materialize, type Operand } from './operand.js';
import { nullVector, unionNulls } from './vector-ops.js';

/** A compiled pattern. */
export type LikeMatcher = (text: string) => boolean;

const booleanType: DataType = { id: 'boolean' };

/** Compiled matchers by pattern, so a per-row pattern column compiles each distinct pattern once. */
const matcherCache = new Map<string, LikeMatcher>();
/** Matchers kept before the cache is cleared (bounds memory for columns of many patterns). */
const matcherCacheEntriesMax = 1024;

type Token = { readonly literal: string } | '%' | '_';

function tokenize(pattern: string, escape: string | null): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  const points = Array.from(pattern);
  for (let i = 0; i < points.length; i++) {
    const c = points[i];
    if (escape !== null && c === escape) {
      if (i + 1 >= points.length) {
        throw new StrataError('input', 'INVALID_LIKE_PATTERN', `LIKE pattern '${pattern}' ends with its escape character '${escape}'; escape a character or remove it`);
      }
      literal += points[++i];
      continue;
    }
    if (c !== '%' && c !== '_') {
      literal += c;
      continue;
    }
    if (literal !== '') tokens.push({ literal });
    literal = '';
    // Consecutive '%' mean the same as one.
    if (!(c === '%' && tokens[tokens.length - 1] === '%')) tokens.push(c);
  }
  if (literal !== '') tokens.push({ literal });
  return tokens;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function compileTokens(tokens: Token[]): LikeMatcher {
  const literalAt = (i: number): string | null => {
    const t = tokens[i];
    return typeof t === 'object' ? t.literal : null;
  };
  if (tokens.length === 0) return (s) => s === '';
  if (tokens.length === 1 && tokens[0] === '%') return () => true;
  const first = literalAt(0);
  const last = literalAt(tokens.length - 1);
  if (tokens.length === 1 && first !== null) return (s) => s === first;
  if (tokens.length === 2 && first !== null && tokens[1] === '%') return (s) => s.startsWith(first);
  if (tokens.length === 2 && tokens[0] === '%' && last !== null) return (s) => s.endsWith(last);
  const middle = literalAt(1);
  if (tokens.length === 3 && tokens[0] === '%' && middle !== null && tokens[2] === '%') return (s) => s.includes(middle);
  const source = tokens.map((t) => (t === '%' ? '.*' : t === '_' ? '.' : escapeRegExp(t.literal))).join('');
  const regex = new RegExp(`^${source}$`, 'su');
  return (s) => regex.test(s);
}

/** The matcher of a pattern (cached). */
export function likeMatcher(pattern: string, escape: string | null, caseInsensitive: boolean): LikeMatcher {
  const key = `${caseInsensitive ? 'i' : 'c'}${escape ?? ''}\u0000${pattern}`;
  let matcher = matcherCache.get(key);
  if (matcher === undefined) {
    const tokens = tokenize(caseInsensitive ? pattern.toLowerCase() : pattern, caseInsensitive ? escape?.toLowerCase() ?? null : escape);
    const exact = compileTokens(tokens);
    matcher = caseInsensitive ? (s) => exact(s.toLowerCase()) : exact;
    if (matcherCache.size >= matcherCacheEntriesMax) matcherCache.clear();
    matcherCache.set(key, matcher);
  }
  return matcher;
}

function asStrings(operand: Operand, n: number): StringVector {
  const vector = materialize(operand, n);
  return vector.kind === 'string' ? vector : castVector(vector, { id: 'string' }) as StringVector;
}

/** Evaluates text [NOT] [I]LIKE pattern over n rows. */
export function evaluateLike(text: Operand, pattern: Operand, escape: string | null, negated: boolean, caseInsensitive: boolean, n: number): Vector {
  if (isNullScalar(text) || isNullScalar(pattern)) return nullVector(booleanType, n);
  const input = asStrings(text, n);
  const flip = negated ? 1 : 0;
  const out = new Uint8Array(n);
  const { codes, dictionary } = input;
  if (pattern.kind === 'scalar') {
    const matches = likeMatcher(String(pattern.value), escape, caseInsensitive);
    if (dictionary.length <= n) {
      const perEntry = new Uint8Array(dictionary.length);
      for (let d = 0; d < dictionary.length; d++) perEntry[d] = (matches(dictionary[d]) ? 1 : 0) ^ flip;
      for (let i = 0; i < n; i++) out[i] = perEntry[codes[i]];
    } else {
      for (let i = 0; i < n; i++) out[i] = (matches(dictionary[codes[i]] ?? '') ? 1 : 0) ^ flip;
    }
    return numericVector(booleanType, out, input.nulls);
  }
  const patterns = asStrings(pattern, n);
  const nulls = unionNulls(input.nulls, patterns.nulls, n);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const matches = likeMatcher(patterns.dictionary[patterns.codes[i]], escape, caseInsensitive);
    out[i] = (matches(dictionary[codes[i]]) ? 1 : 0) ^ flip;
  }
  return numericVector(booleanType, out, nulls);
}
