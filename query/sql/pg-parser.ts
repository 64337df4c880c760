/**
 * The one file that imports node-sql-parser (PostgreSQL grammar). It returns the library's raw
 * AST, which convert-ast.ts turns into strata's own tree at once, and turns the parser's
 * "Expected … but found …" exceptions into short SQL_SYNTAX_ERROR messages.
 */
import nodeSqlParser from 'node-sql-parser/build/postgresql.js';
import type { SourceText } from './source-text.js';
import type { StrataError } from '../../storage/index.js';

/** A raw node-sql-parser AST node: deliberately untyped, read only by convert-ast.ts. */
export type RawNode = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How many expected keywords and symbols a syntax error lists before it says "…". */
const expectedKeywordsShownMax = 8;
const expectedOperatorsShownMax = 3;

/** Punctuation worth naming one by one; every other symbol is an operator. */
const punctuation = new Set(["')'", "'('", "','", "';'", "'.'"]);

const parser = new nodeSqlParser.Parser();

/** Parses SQL text with node-sql-parser; returns the statements (locations included where the grammar has them). */
export function parseRaw(source: SourceText, describeFound: (offset: number) => string): RawNode[] {
  let result: unknown;
  try {
    result = parser.astify(source.text, { database: 'postgresql', parseOptions: { includeLocations: true } });
  } catch (error) {
    throw syntaxError(source, error, describeFound);
  }
  return (Array.isArray(result) ? result : [result]) as RawNode[];
}

interface PeggyExpectation {
  readonly type: string;
  readonly text?: string;
  readonly description?: string;
  readonly parts?: readonly (string | readonly string[])[];
}

function syntaxError(source: SourceText, error: unknown, describeFound: (offset: number) => string): StrataError | unknown {
  const peggy = error as { expected?: PeggyExpectation[]; location?: { start: { offset: number } } };
  if (peggy === null || typeof peggy !== 'object' || peggy.location === undefined) return error;
  const offset = peggy.location.start.offset;
  const expected = summarizeExpected(peggy.expected ?? []);
  const found = describeFound(offset);
  const message = `syntax error: unexpected ${found}${expected === '' ? '' : `; expected ${expected}`}`;
  return source.error('syntax', 'SQL_SYNTAX_ERROR', message, offset, { expected, found });
}

/** Condenses peggy's long list of alternatives into a readable phrase. */
export function summarizeExpected(expectations: readonly PeggyExpectation[]): string {
  const symbols = new Set<string>();
  const keywords = new Set<string>();
  let identifier = false;
  let number = false;
  let end = false;
  for (const item of expectations) {
    if (item.type === 'end') end = true;
    else if (item.type === 'literal' && item.text !== undefined) {
      if (item.text === '/*' || item.text === '--') continue;
      if (/^[A-Za-z_][A-Za-z_0-9 ]*$/.test(item.text)) keywords.add(item.text.toUpperCase());
      else symbols.add(`'${item.text}'`);
    } else if (item.type === 'class') {
      const parts = (item.parts ?? []).flat().join('');
      if (/[a-zA-Z]/.test(parts)) identifier = true;
      else if (/[0-9]/.test(parts)) number = true;
    }
  }
  // Where an expression may start, the grammar lists every function keyword: say "an expression".
  const expression = identifier && keywords.has('CAST') && symbols.has("'('");
  const phrases: string[] = [];
  if (expression) phrases.push('an expression');
  else {
    if (identifier) phrases.push('an identifier');
    if (number) phrases.push('a number');
    const operators = [...symbols].filter((s) => !punctuation.has(s));
    phrases.push(...[...punctuation].filter((s) => symbols.has(s)));
    if (operators.length > expectedOperatorsShownMax) phrases.push('an operator');
    else phrases.push(...operators);
    phrases.push(...limited([...keywords], expectedKeywordsShownMax));
  }
  if (end) phrases.push('end of input');
  if (phrases.length <= 1) return phrases.join('');
  return `one of ${phrases.join(', ')}`;
}

function limited(items: readonly string[], max: number): string[] {
  return items.length <= max ? [...items] : [...items.slice(0, max), '…'];
}
