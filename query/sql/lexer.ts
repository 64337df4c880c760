/**
 * A small SQL tokenizer. node-sql-parser records locations on few nodes, so the front end uses
 * these tokens to place every AST node (column names, literals, keywords) in the user's text,
 * to rewrite constructs the parser rejects, and to split off statements it does not know.
 */
import type { SourceText } from './source-text.js';

/** Token kinds: bare words (identifiers and keywords), "quoted" identifiers, 'strings', numbers, operators. */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'operator';

/** One token: its kind, its value (unquoted for strings and quoted identifiers) and its span. */
export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  /** Lower-case value of a word, for keyword comparisons. */
  readonly lower: string;
  readonly start: number;
  readonly end: number;
}

const multiCharOperators = ['<>', '<=', '>=', '!=', '::', '||', '//', '->>', '->', '=>'];

function isWordStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code > 127;
}

function isWordPart(code: number): boolean {
  return isWordStart(code) || (code >= 48 && code <= 57) || code === 36;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Tokenizes SQL text; comments and whitespace are skipped. Unterminated strings are syntax errors. */
export function tokenize(source: SourceText): Token[] {
  const text = source.text;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code <= 32) { i++; continue; }
    if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: unterminated /* comment; close it with */', i);
      i = end + 2;
      continue;
    }
    const start = i;
    if (code === 39 || code === 34) {
      i = scanQuoted(source, i, code);
      const body = text.slice(start + 1, i - 1);
      const quote = String.fromCharCode(code);
      const value = body.split(quote + quote).join(quote);
      tokens.push({ kind: code === 39 ? 'string' : 'quoted', value, lower: value.toLowerCase(), start, end: i });
      continue;
    }
    if (isDigit(code) || (code === 46 && isDigit(text.charCodeAt(i + 1)))) {
      i = scanNumber(text, i);
      tokens.push({ kind: 'number', value: text.slice(start, i), lower: text.slice(start, i).toLowerCase(), start, end: i });
      continue;
    }
    if (isWordStart(code)) {
      while (i < text.length && isWordPart(text.charCodeAt(i))) i++;
      const value = text.slice(start, i);
      tokens.push({ kind: 'word', value, lower: value.toLowerCase(), start, end: i });
      continue;
    }
    const operator = multiCharOperators.find((op) => text.startsWith(op, i)) ?? text[i];
    i += operator.length;
    tokens.push({ kind: 'operator', value: operator, lower: operator, start, end: i });
  }
  return tokens;
}

function scanQuoted(source: SourceText, start: number, quote: number): number {
  const text = source.text;
  let i = start + 1;
  for (;;) {
    if (i >= text.length) {
      const what = quote === 39 ? 'string literal' : 'quoted identifier';
      throw source.error('syntax', 'SQL_SYNTAX_ERROR', `syntax error: unterminated ${what}; close it with ${String.fromCharCode(quote)}`, start);
    }
    if (text.charCodeAt(i) === quote) {
      if (text.charCodeAt(i + 1) === quote) { i += 2; continue; }
      return i + 1;
    }
    i++;
  }
}

function scanNumber(text: string, start: number): number {
  let i = start;
  while (isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 46) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    if (text[j] === '+' || text[j] === '-') j++;
    if (isDigit(text.charCodeAt(j))) {
      i = j;
      while (isDigit(text.charCodeAt(i))) i++;
    }
  }
  return i;
}

/** Splits tokens into statements at top-level semicolons; empty statements are dropped. */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.kind === 'operator' && token.value === ';') {
      if (current.length > 0) statements.push(current);
      current = [];
      continue;
    }
    current.push(token);
  }
  if (current.length > 0) statements.push(current);
  return statements;
}
