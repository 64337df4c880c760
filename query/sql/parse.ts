/**
 * SQL text → strata SQL AST. Splits off the statements node-sql-parser does not know (EXPLAIN,
 * DESCRIBE, SHOW TABLES), rewrites constructs its PostgreSQL grammar rejects, parses, and
 * converts the result at once.
 *
 * The rewrites only ever replace a token by text of the same length (EXPLAIN by blanks,
 * `substring(x FROM a FOR b)`'s keywords by commas), so the position map between the user's
 * text and the text the parser sees is the identity: every parser location and every offset
 * the converter records already points into the user's text. Time travel (`t AS OF VERSION 3`)
 * is blanked the same way (as-of-clause.ts) and attached to its table reference by the converter.
 */
import { StrataError } from '../../storage/index.js';
import { SourceText } from './source-text.js';
import { splitStatements, tokenize, type Token } from './lexer.js';
import { parseRaw, type RawNode } from './pg-parser.js';
import { convertStatement } from './convert-ast.js';
import type { SqlAsOf, SqlStatement } from './ast.js';
import { asOfEdits } from './as-of-clause.js';

/** A parsed statement and the text it came from (for error positions). */
export interface ParsedStatement {
  readonly source: SourceText;
  readonly statement: SqlStatement;
}

/** A same-length replacement of a span of the text. */
interface Edit {
  readonly start: number;
  readonly replacement: string;
}

/** Parses exactly one SQL statement (a trailing semicolon is allowed). */
export function parseSql(text: string): ParsedStatement {
  const source = new SourceText(text);
  const statements = splitStatements(tokenize(source));
  if (statements.length === 0) {
    throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: no SQL statement found; the text is empty or only comments', 0);
  }
  if (statements.length > 1) {
    throw source.error('syntax', 'SQL_MULTIPLE_STATEMENTS',
      `${statements.length} statements found, but one call runs exactly one statement; send them one at a time`, statements[1][0].start);
  }
  return { source, statement: parseStatementTokens(source, statements[0], []) };
}

function parseStatementTokens(source: SourceText, tokens: readonly Token[], edits: readonly Edit[]): SqlStatement {
  const first = tokens[0];
  const second = tokens[1] as Token | undefined;
  const blankFirst = [...edits, { start: first.start, replacement: ' '.repeat(first.end - first.start) }];
  if (first.kind === 'word' && first.lower === 'explain') {
    if (second === undefined) throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: EXPLAIN needs a statement after it, e.g. EXPLAIN SELECT …', first.end);
    if (second.kind === 'word' && second.lower === 'analyze') {
      // EXPLAIN ANALYZE runs the query and shows the plan with what each scan actually read.
      if (tokens[2] === undefined) throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: EXPLAIN ANALYZE needs a query after it, e.g. EXPLAIN ANALYZE SELECT …', second.end);
      const blankTwo = [...blankFirst, { start: second.start, replacement: ' '.repeat(second.end - second.start) }];
      return { kind: 'explain', statement: parseStatementTokens(source, tokens.slice(2), blankTwo), pos: first.start, analyze: true };
    }
    return { kind: 'explain', statement: parseStatementTokens(source, tokens.slice(1), blankFirst), pos: first.start };
  }
  if (first.kind === 'word' && (first.lower === 'describe' || first.lower === 'desc')) {
    return parseDescribe(source, tokens, blankFirst);
  }
  if (first.kind === 'word' && first.lower === 'show') {
    if (second?.lower === 'tables' && tokens.length === 2) return { kind: 'show_tables', pos: first.start };
    throw source.error('not_supported', 'NOT_SUPPORTED', 'only SHOW TABLES is supported', second?.start ?? first.end);
  }
  return parseWithLibrary(source, tokens, [...edits, ...substringEdits(tokens)]);
}

function parseDescribe(source: SourceText, tokens: readonly Token[], edits: readonly Edit[]): SqlStatement {
  const [first, second] = tokens;
  if (second === undefined) throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: DESCRIBE needs a table name or a query, e.g. DESCRIBE t', first.end);
  if (second.kind === 'word' && (second.lower === 'select' || second.lower === 'with')) {
    const inner = parseWithLibrary(source, tokens.slice(1), [...edits, ...substringEdits(tokens)]);
    if (inner.kind !== 'query') throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: DESCRIBE takes a table name or a SELECT', second.start);
    return { kind: 'describe_query', query: inner.query, pos: first.start };
  }
  if ((second.kind === 'word' || second.kind === 'quoted') && tokens.length === 2) {
    return { kind: 'describe_table', name: second.value, pos: second.start };
  }
  const offending = tokens[2] ?? second;
  throw source.error('syntax', 'SQL_SYNTAX_ERROR', `syntax error: unexpected '${offending.value}'; DESCRIBE takes one table name or a SELECT`, offending.start);
}

/** Aggregates the PostgreSQL grammar rejects DISTINCT in (it only takes count(DISTINCT x)). */
const distinctRewrittenAggregates = new Set(['sum', 'avg', 'min', 'max']);

/**
 * `sum(DISTINCT x)` → `sum(         x)`: the parser then accepts it, and the offset of `sum` is
 * recorded so the converter marks the call DISTINCT again.
 */
function distinctAggregateEdits(tokens: readonly Token[], calls: Set<number>): Edit[] {
  const edits: Edit[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [name, open, keyword] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (name.kind !== 'word' || !distinctRewrittenAggregates.has(name.lower) || open.value !== '(' || keyword.kind !== 'word' || keyword.lower !== 'distinct') continue;
    calls.add(name.start);
    edits.push({ start: keyword.start, replacement: ' '.repeat(keyword.end - keyword.start) });
  }
  return edits;
}

/** `substring(x FROM a FOR b)` → `substring(x,    a,   b)`; `substring(x FOR b)` → `substring(x,1,b)`. */
function substringEdits(tokens: readonly Token[]): Edit[] {
  const edits: Edit[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const name = tokens[i];
    if (name.kind !== 'word' || (name.lower !== 'substring' && name.lower !== 'substr') || tokens[i + 1].value !== '(') continue;
    let depth = 0;
    let sawFrom = false;
    for (let j = i + 1; j < tokens.length; j++) {
      const token = tokens[j];
      if (token.kind === 'operator' && token.value === '(') depth++;
      else if (token.kind === 'operator' && token.value === ')') {
        depth--;
        if (depth === 0) break;
      } else if (depth === 1 && token.kind === 'word' && token.lower === 'from') {
        sawFrom = true;
        edits.push({ start: token.start, replacement: ',   ' });
      } else if (depth === 1 && token.kind === 'word' && token.lower === 'for') {
        edits.push({ start: token.start, replacement: sawFrom ? ',  ' : ',1,' });
      }
    }
  }
  return edits;
}

/** Words that can follow RANGE in a window frame. */
const frameWords = new Set(['between', 'unbounded', 'current']);

/**
 * Keywords the PostgreSQL grammar of node-sql-parser rejects, replaced by same-length words it
 * takes, with the offsets recorded so the converter restores the meaning:
 * `RANGE` frames → `ROWS `, `CROSS JOIN` → `INNER JOIN`, `EXCEPT ALL` / `INTERSECT ALL` → without ALL.
 */
function keywordEdits(tokens: readonly Token[], hints: { rangeFrames: Set<number>; crossJoins: Set<number>; allSetOperations: Set<number> }): Edit[] {
  const edits: Edit[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const [token, next] = [tokens[i], tokens[i + 1]];
    if (token.kind !== 'word') continue;
    const third = tokens[i + 2] as Token | undefined;
    const offsetFrame = next.kind === 'number' && third !== undefined && (third.lower === 'preceding' || third.lower === 'following');
    if (token.lower === 'range' && ((next.kind === 'word' && frameWords.has(next.lower)) || offsetFrame)) {
      hints.rangeFrames.add(token.start);
      edits.push({ start: token.start, replacement: 'rows ' });
    } else if (token.lower === 'cross' && next.kind === 'word' && next.lower === 'join') {
      hints.crossJoins.add(next.start);
      edits.push({ start: token.start, replacement: 'inner' });
    } else if ((token.lower === 'except' || token.lower === 'intersect') && next.kind === 'word' && next.lower === 'all') {
      hints.allSetOperations.add(token.start);
      edits.push({ start: next.start, replacement: '   ' });
    }
  }
  return edits;
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  let result = text;
  for (const edit of edits) {
    result = result.slice(0, edit.start) + edit.replacement + result.slice(edit.start + edit.replacement.length);
  }
  return result;
}

function parseWithLibrary(source: SourceText, tokens: readonly Token[], baseEdits: readonly Edit[]): SqlStatement {
  const hints = {
    distinctCalls: new Set<number>(), rangeFrames: new Set<number>(), crossJoins: new Set<number>(), allSetOperations: new Set<number>(),
    asOf: new Map<number, SqlAsOf>(), asOfUsed: new Set<number>(),
  };
  const edits = [...baseEdits, ...asOfEdits(source, tokens, hints.asOf), ...distinctAggregateEdits(tokens, hints.distinctCalls), ...keywordEdits(tokens, hints)];
  const rewritten = new SourceText(applyEdits(source.text, edits));
  let raws: RawNode[];
  try {
    raws = parseRaw(rewritten, (offset) => describeFound(source, tokens, offset));
  } catch (error) {
    // Offsets are identical in both texts; rebuild the error against the user's text for its line index.
    if (error instanceof StrataError && error.details.position !== undefined) {
      throw source.error(error.kind, error.code, error.message.replace(/ \(at line \d+, column \d+\)$/, ''), error.details.position.offset, {
        expected: error.details.expected, found: error.details.found,
      });
    }
    throw error;
  }
  const statements = raws.filter((raw) => raw !== null && raw !== undefined);
  if (statements.length !== 1) {
    throw source.error('syntax', 'SQL_MULTIPLE_STATEMENTS', 'one call runs exactly one statement; send them one at a time', tokens[0].start);
  }
  const statement = convertStatement(statements[0], source, tokens, hints);
  for (const [offset, asOf] of hints.asOf) {
    if (!hints.asOfUsed.has(offset)) {
      throw source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: AS OF applies to a table named in FROM or JOIN (SELECT … FROM t AS OF VERSION 3)', asOf.pos);
    }
  }
  return statement;
}

/** The token at an offset, quoted for a syntax error message, or "end of input". */
function describeFound(source: SourceText, tokens: readonly Token[], offset: number): string {
  const token = tokens.find((t) => t.start <= offset && offset < t.end) ?? tokens.find((t) => t.start >= offset);
  if (token === undefined || offset >= source.text.length) return 'end of input';
  const text = source.text.slice(token.start, token.end);
  return `'${text.length > 30 ? `${text.slice(0, 30)}…` : text}'`;
}
