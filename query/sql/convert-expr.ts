/**
 * Converts node-sql-parser expression nodes into strata's SQL AST (ast.ts), placing each node
 * in the text with the Locator. Children are visited in source order so the token cursor only
 * moves forward within a statement.
 */
import type { RawNode } from './pg-parser.js';
import type { Locator } from './locator.js';
import type { SourceText } from './source-text.js';
import type {
  SqlAsOf, SqlBinaryOp, SqlCase, SqlExpr, SqlFrameBound, SqlFunction, SqlOrderItem, SqlQuery, SqlTypeName, SqlWindowFrame,
} from './ast.js';

/** What the text rewrite removed and the converter must put back. */
export interface RewriteHints {
  /** Offsets of aggregate names whose DISTINCT was blanked out (sum(DISTINCT x) …). */
  readonly distinctCalls: ReadonlySet<number>;
  /** Offsets of RANGE frame keywords rewritten to ROWS. */
  readonly rangeFrames: ReadonlySet<number>;
  /** Offsets of the JOIN token of CROSS JOINs (CROSS rewritten to INNER). */
  readonly crossJoins: ReadonlySet<number>;
  /** Offsets of EXCEPT / INTERSECT tokens whose ALL was blanked out. */
  readonly allSetOperations: ReadonlySet<number>;
  /** AS OF clauses blanked out, by the offset of the table name token before them. */
  readonly asOf?: ReadonlyMap<number, SqlAsOf>;
  /** Offsets (keys of asOf) the converter attached to a table reference; any other is misplaced. */
  readonly asOfUsed?: Set<number>;
}

/** What expression conversion needs: the text (for errors), the token cursor, and query conversion for subqueries. */
export interface ConvertContext {
  readonly source: SourceText;
  readonly locator: Locator;
  readonly hints: RewriteHints;
  convertQuery(raw: RawNode): SqlQuery;
}

const comparisonOps: Readonly<Record<string, SqlBinaryOp>> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '||': '||',
  '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  AND: 'and', OR: 'or',
};

/** Converts one expression node. */
export function convertExpr(raw: RawNode, context: ConvertContext): SqlExpr {
  if (raw === null || typeof raw !== 'object') return unsupported(context, `expression ${JSON.stringify(raw)}`, context.locator.here());
  if (raw.ast !== undefined && raw.type === undefined) {
    const pos = context.locator.word('select');
    return { kind: 'subquery', query: context.convertQuery(raw.ast), pos };
  }
  switch (raw.type) {
    case 'column_ref': return convertColumnRef(raw, context);
    case 'double_quote_string': return { kind: 'column', table: null, name: String(raw.value), pos: context.locator.identifier(String(raw.value)) };
    case 'number':
    case 'bigint': return convertNumber(raw, context);
    case 'single_quote_string':
    case 'string': {
      // The value always comes from the parser; the token only gives the position. (A nested
      // expression's location can leave the cursor past this literal's own token, and taking the
      // next string token's text would silently swap in another literal's value.)
      const value = String(raw.value).split("''").join("'");
      return { kind: 'string', value, pos: context.locator.stringLiteral(value) };
    }
    case 'bool': return { kind: 'boolean', value: Boolean(raw.value), pos: context.locator.word(raw.value ? 'true' : 'false') };
    case 'null': return { kind: 'null', pos: context.locator.word('null') };
    case 'date':
    case 'timestamp': {
      const pos = context.locator.word(raw.type);
      context.locator.nextOfKind('string');
      return { kind: 'typed_literal', type: raw.type, value: String(raw.value), pos };
    }
    case 'interval': return convertInterval(raw, context);
    case 'unary_expr': return convertUnary(raw, context);
    case 'binary_expr': return convertBinary(raw, context);
    case 'function': return convertFunction(raw, context);
    case 'aggr_func': return convertAggregate(raw, context);
    case 'window_func': return convertWindowFunction(raw, context);
    case 'case': return convertCase(raw, context);
    case 'cast': return convertCast(raw, context);
    case 'extract': return convertExtract(raw, context);
    case 'star': return { kind: 'star', table: null, pos: context.locator.operator('*') };
    default: return unsupported(context, `expression of type ${String(raw.type)}`, context.locator.here());
  }
}

function unsupported(context: ConvertContext, what: string, pos: number): never {
  throw context.source.error('not_supported', 'NOT_SUPPORTED', `${what} is not supported`, pos);
}

/** The plain name of an identifier node: a string, {value}, or {expr: {value}}. */
export function identifierName(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  const node = raw as RawNode | null;
  if (node === null || node === undefined) return '';
  if (node.expr !== undefined) return identifierName(node.expr);
  return String(node.value ?? '');
}

function convertColumnRef(raw: RawNode, context: ConvertContext): SqlExpr {
  const table = raw.table === null || raw.table === undefined ? null : identifierName(raw.table);
  const pos = table === null ? context.locator.here() : context.locator.identifier(table);
  // Never drop what the parser kept: array subscripts, collations and schema-qualified columns.
  if (Array.isArray(raw.array_index) && raw.array_index.length > 0) return unsupported(context, 'an array subscript', pos);
  if (raw.collate !== null && raw.collate !== undefined) return unsupported(context, 'COLLATE', pos);
  if (raw.schema !== null && raw.schema !== undefined) return unsupported(context, `a column qualified by schema and table (${String(raw.schema)}.${table}.…)`, pos);
  if (raw.column === '*') {
    const starPos = context.locator.operator('*');
    return { kind: 'star', table, pos: table === null ? starPos : pos };
  }
  const name = identifierName(raw.column);
  const namePos = context.locator.identifier(name);
  return { kind: 'column', table, name, pos: table === null ? namePos : pos };
}

function convertNumber(raw: RawNode, context: ConvertContext): SqlExpr {
  const value = String(raw.value);
  const negative = value.startsWith('-');
  const token = context.locator.peekOfKind('number');
  // The token keeps the literal as written ('.06', '1e3'); the parser folds a leading minus into
  // the value. A number the rewrite inserted (substring(x FOR n) → x,1,n) has no token of its own.
  if (token === null || Number(token.value) !== Math.abs(Number(value))) return { kind: 'number', text: value, pos: context.locator.here() };
  context.locator.nextOfKind('number');
  return { kind: 'number', text: `${negative ? '-' : ''}${token.value}`, pos: token.start };
}

function convertInterval(raw: RawNode, context: ConvertContext): SqlExpr {
  const pos = context.locator.word('interval');
  const inner = raw.expr as RawNode;
  if (inner?.type !== 'single_quote_string' && inner?.type !== 'string' && inner?.type !== 'number') {
    return unsupported(context, 'an INTERVAL with a non-literal value', pos);
  }
  const value = String(inner.value);
  if (inner.type === 'number') context.locator.nextOfKind('number');
  else context.locator.stringLiteral(value);
  const unit = typeof raw.unit === 'string' && raw.unit !== '' ? raw.unit.toLowerCase() : null;
  if (unit !== null) context.locator.word(unit);
  return { kind: 'interval', value, unit, pos };
}

function convertUnary(raw: RawNode, context: ConvertContext): SqlExpr {
  const operator = String(raw.operator).toUpperCase();
  if (operator === 'NOT EXISTS' || operator === 'EXISTS') {
    const pos = context.locator.word(operator === 'EXISTS' ? 'exists' : 'not');
    context.locator.word('select');
    return { kind: 'exists', query: context.convertQuery(raw.expr?.ast ?? raw.expr), negated: operator === 'NOT EXISTS', pos };
  }
  const pos = operator === 'NOT' ? context.locator.word('not') : context.locator.operator(operator === '!' ? '!' : operator);
  const expr = convertExpr(raw.expr, context);
  if (operator === 'NOT' || operator === '!') return { kind: 'unary', op: 'not', expr, pos };
  if (operator === '-' || operator === '+') return { kind: 'unary', op: operator, expr, pos };
  return unsupported(context, `unary operator ${operator}`, pos);
}

function convertBinary(raw: RawNode, context: ConvertContext): SqlExpr {
  const pos = context.locator.enter(raw.loc) ?? context.locator.here();
  const operator = String(raw.operator).toUpperCase();
  const left = convertExpr(raw.left, context);
  let result: SqlExpr;
  if (comparisonOps[operator] !== undefined) {
    result = { kind: 'binary', op: comparisonOps[operator], left, right: convertExpr(raw.right, context), pos };
  } else if (operator === 'LIKE' || operator === 'NOT LIKE' || operator === 'ILIKE' || operator === 'NOT ILIKE') {
    const pattern = convertExpr(raw.right, context);
    const escape = raw.right?.escape?.value?.value;
    result = {
      kind: 'like', expr: left, pattern, escape: escape === undefined ? null : String(escape),
      negated: operator.startsWith('NOT'), caseInsensitive: operator.endsWith('ILIKE'), pos,
    };
  } else if (operator === 'IN' || operator === 'NOT IN') {
    result = convertIn(left, raw.right, operator === 'NOT IN', pos, context);
  } else if (operator === 'BETWEEN' || operator === 'NOT BETWEEN') {
    const bounds = (raw.right?.value ?? []) as RawNode[];
    const low = convertExpr(bounds[0], context);
    const high = convertExpr(bounds[1], context);
    result = { kind: 'between', expr: left, low, high, negated: operator === 'NOT BETWEEN', pos };
  } else if (operator === 'IS' || operator === 'IS NOT') {
    const right = raw.right as RawNode;
    const value = right?.type === 'null' ? 'null' : right?.type === 'bool' ? (right.value ? 'true' : 'false') : null;
    if (value === null) return unsupported(context, `IS with ${String(right?.type)}`, pos);
    context.locator.word(value);
    result = { kind: 'is', expr: left, value, negated: operator === 'IS NOT', pos };
  } else {
    return unsupported(context, `operator ${operator}`, pos);
  }
  context.locator.leave(raw.loc);
  return result;
}

function convertIn(left: SqlExpr, right: RawNode, negated: boolean, pos: number, context: ConvertContext): SqlExpr {
  const items = (right?.type === 'expr_list' ? right.value : [right]) as RawNode[];
  if (items.length === 1 && items[0]?.ast !== undefined) {
    context.locator.word('select');
    return { kind: 'in_subquery', expr: left, query: context.convertQuery(items[0].ast), negated, pos };
  }
  return { kind: 'in_list', expr: left, list: items.map((item) => convertExpr(item, context)), negated, pos };
}

function functionName(raw: RawNode): string {
  const name = raw.name;
  if (typeof name === 'string') return name.toLowerCase();
  const parts = (name?.name ?? []) as RawNode[];
  return identifierName(parts[parts.length - 1]).toLowerCase();
}

function convertFunction(raw: RawNode, context: ConvertContext): SqlExpr {
  const name = functionName(raw);
  const pos = context.locator.enter(raw.loc) ?? context.locator.identifier(name);
  const rawArgs = (raw.args?.value ?? (raw.args === undefined || raw.args === null ? [] : [raw.args])) as RawNode[];
  if (raw.over !== undefined && raw.over !== null) {
    const args = rawArgs.map((arg) => convertExpr(arg, context));
    const window = { kind: 'window_function' as const, name, args, star: false, distinct: false, ...convertOver(raw.over, name, pos, context), pos };
    context.locator.leave(raw.loc);
    return window;
  }
  let result: SqlExpr;
  if (name === 'not' && rawArgs.length === 1) {
    result = { kind: 'unary', op: 'not', expr: convertExpr(rawArgs[0], context), pos };
  } else if (name === 'exists' && rawArgs.length === 1 && rawArgs[0]?.ast !== undefined) {
    context.locator.word('select');
    result = { kind: 'exists', query: context.convertQuery(rawArgs[0].ast), negated: false, pos };
  } else if (rawArgs.some((arg) => arg?.type === 'origin')) {
    result = convertKeywordArgs(name, rawArgs, pos, context);
  } else {
    const args = rawArgs.map((arg) => convertExpr(arg, context));
    result = { kind: 'function', name, args, distinct: false, star: false, filter: null, pos };
  }
  context.locator.leave(raw.loc);
  return result;
}

/** position(a IN b) and trim([BOTH|LEADING|TRAILING] [chars] FROM x), whose keywords the parser keeps as 'origin' args. */
function convertKeywordArgs(name: string, rawArgs: readonly RawNode[], pos: number, context: ConvertContext): SqlExpr {
  const call = (fn: string, args: SqlExpr[]): SqlFunction => ({ kind: 'function', name: fn, args, distinct: false, star: false, filter: null, pos });
  if (name === 'position' && rawArgs.length === 3 && String(rawArgs[1].value).toLowerCase() === 'in') {
    const needle = convertExpr(rawArgs[0], context);
    context.locator.word('in');
    return call('strpos', [convertExpr(rawArgs[2], context), needle]);
  }
  if (name === 'trim') {
    let fn = 'trim';
    let chars: SqlExpr | null = null;
    let target: SqlExpr | null = null;
    for (const arg of rawArgs) {
      const keyword = arg?.type === 'origin' ? String(arg.value).toLowerCase() : null;
      if (keyword === 'leading') fn = 'ltrim';
      else if (keyword === 'trailing') fn = 'rtrim';
      else if (keyword === 'both' || keyword === 'from') continue;
      else if (keyword !== null) return unsupported(context, `TRIM with ${keyword}`, pos);
      else if (target === null && chars === null) target = convertExpr(arg, context);
      else { chars = target; target = convertExpr(arg, context); }
    }
    if (target === null) return unsupported(context, 'TRIM without a value', pos);
    return call(fn, chars === null ? [target] : [target, chars]);
  }
  return unsupported(context, `${name.toUpperCase()} with keyword arguments`, pos);
}

function convertAggregate(raw: RawNode, context: ConvertContext): SqlExpr {
  const name = String(raw.name).toLowerCase();
  const pos = context.locator.enter(raw.loc) ?? context.locator.identifier(name);
  const argNode = raw.args?.expr as RawNode | undefined;
  const distinct = (typeof raw.args?.distinct === 'string' && raw.args.distinct.toUpperCase() === 'DISTINCT') || context.hints.distinctCalls.has(pos);
  if (raw.over !== undefined && raw.over !== null) {
    const star = argNode?.type === 'star';
    if (star) context.locator.operator('*');
    const args = star || argNode === undefined || argNode === null ? [] : [convertExpr(argNode, context)];
    const window = { kind: 'window_function' as const, name, args, star, distinct, ...convertOver(raw.over, name, pos, context), pos };
    context.locator.leave(raw.loc);
    return window;
  }
  if (raw.args?.orderby) return unsupported(context, `ORDER BY inside ${name}()`, pos);
  let result: SqlFunction;
  if (argNode?.type === 'star') {
    context.locator.operator('*');
    result = { kind: 'function', name, args: [], distinct, star: true, filter: null, pos };
  } else {
    const args = argNode === undefined || argNode === null ? [] : [convertExpr(argNode, context)];
    result = { kind: 'function', name, args, distinct, star: false, filter: null, pos };
  }
  if (raw.filter?.where !== undefined) {
    context.locator.word('filter');
    result = { ...result, filter: convertExpr(raw.filter.where, context) };
  }
  context.locator.leave(raw.loc);
  return result;
}

function convertCase(raw: RawNode, context: ConvertContext): SqlCase {
  const pos = context.locator.word('case');
  const operand = raw.expr === null || raw.expr === undefined ? null : convertExpr(raw.expr, context);
  const whens: { when: SqlExpr; then: SqlExpr }[] = [];
  let otherwise: SqlExpr | null = null;
  for (const arm of (raw.args ?? []) as RawNode[]) {
    if (arm.type === 'when') {
      context.locator.word('when');
      const when = convertExpr(arm.cond, context);
      context.locator.word('then');
      whens.push({ when, then: convertExpr(arm.result, context) });
    } else {
      context.locator.word('else');
      otherwise = convertExpr(arm.result, context);
    }
  }
  context.locator.word('end');
  return { kind: 'case', operand, whens, otherwise, pos };
}

function convertCast(raw: RawNode, context: ConvertContext): SqlExpr {
  const keywordForm = raw.symbol !== '::';
  const castPos = keywordForm ? context.locator.word('cast') : context.locator.here();
  let expr = convertExpr(raw.expr, context);
  const pos = keywordForm ? castPos : expr.pos;
  for (const target of (raw.target ?? []) as RawNode[]) {
    expr = { kind: 'cast', expr, type: convertTypeName(target, context), pos };
  }
  return expr;
}

/** Converts a data type node (CAST target or column definition). */
export function convertTypeName(raw: RawNode, context: ConvertContext): SqlTypeName {
  let name = String(raw.dataType ?? '').toUpperCase();
  const firstWord = name.split(' ')[0].toLowerCase();
  const pos = context.locator.word(firstWord);
  if (raw.array !== undefined && raw.array !== null) return unsupported(context, `array type ${name}[]`, pos);
  // TIMESTAMP WITH TIME ZONE arrives as TIMESTAMP plus suffix words: keep them in the name.
  const suffix = Array.isArray(raw.suffix) ? raw.suffix.filter((w: unknown) => typeof w === 'string') as string[] : [];
  if (suffix.length > 0) name = `${name} ${suffix.join(' ').toUpperCase()}`;
  let length: number | null = typeof raw.length === 'number' ? raw.length : null;
  // int2/int4/int8 and float4/float8 arrive as INT/FLOAT with a length but without parentheses.
  if ((name === 'INT' || name === 'FLOAT') && length !== null && raw.parentheses !== true) {
    name = `${name}${length}`;
    length = null;
  }
  const scale = typeof raw.scale === 'number' ? raw.scale : null;
  return { name, length, scale, pos };
}

function convertExtract(raw: RawNode, context: ConvertContext): SqlExpr {
  const pos = context.locator.enter(raw.loc) ?? context.locator.word('extract');
  const field = String(raw.args?.field ?? '').toLowerCase();
  context.locator.word(field);
  context.locator.word('from');
  const expr = convertExpr(raw.args?.source, context);
  context.locator.leave(raw.loc);
  return { kind: 'extract', field, expr, pos };
}

function convertWindowFunction(raw: RawNode, context: ConvertContext): SqlExpr {
  const name = String(raw.name).toLowerCase();
  const pos = context.locator.enter(raw.loc) ?? context.locator.identifier(name);
  const rawArgs = (raw.args?.value ?? []) as RawNode[];
  const args = rawArgs.map((arg) => convertExpr(arg, context));
  if (raw.consider_nulls !== null && raw.consider_nulls !== undefined) return unsupported(context, `${name}() with IGNORE/RESPECT NULLS`, pos);
  const window = { kind: 'window_function' as const, name, args, star: false, distinct: false, ...convertOver(raw.over, name, pos, context), pos };
  context.locator.leave(raw.loc);
  return window;
}

/** The PARTITION BY, ORDER BY and frame of an OVER clause. */
function convertOver(over: RawNode, name: string, pos: number, context: ConvertContext): { partitionBy: SqlExpr[]; orderBy: SqlOrderItem[]; frame: SqlWindowFrame | null } {
  const spec = over?.as_window_specification?.window_specification as RawNode | undefined;
  if (spec === undefined || spec === null) return unsupported(context, `${name}() OVER a named window`, pos);
  if (spec.name !== null && spec.name !== undefined) return unsupported(context, `${name}() OVER a named window`, pos);
  context.locator.word('over');
  const partitionBy = ((spec.partitionby ?? []) as RawNode[]).map((item) => convertExpr(item.expr ?? item, context));
  const orderBy = ((spec.orderby ?? []) as RawNode[]).map((item): SqlOrderItem => {
    const expr = convertExpr(item.expr, context);
    const nulls = typeof item.nulls === 'string' ? item.nulls.toLowerCase() : null;
    return { expr, ascending: String(item.type ?? 'ASC').toUpperCase() !== 'DESC', nullsFirst: nulls === null ? null : nulls.endsWith('first'), pos: expr.pos };
  });
  const frame = spec.window_frame_clause === null || spec.window_frame_clause === undefined ? null : convertFrame(spec.window_frame_clause, context);
  return { partitionBy, orderBy, frame };
}

function frameBound(raw: RawNode | undefined, context: ConvertContext, pos: number): SqlFrameBound {
  const text = String(raw?.value ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  if (text === 'unbounded preceding') return { kind: 'unbounded_preceding', offset: null };
  if (text === 'unbounded following') return { kind: 'unbounded_following', offset: null };
  if (text === 'current row') return { kind: 'current_row', offset: null };
  const match = /^(\d+(?:\.\d+)?) (preceding|following)$/.exec(text);
  if (match === null) return unsupported(context, `window frame bound ${text.toUpperCase()}`, pos);
  context.locator.word(match[2]);
  return { kind: match[2] === 'preceding' ? 'preceding' : 'following', offset: match[1] };
}

/** ROWS|RANGE [BETWEEN] … (RANGE arrives rewritten to ROWS; its offset is in the hints). */
function convertFrame(raw: RawNode, context: ConvertContext): SqlWindowFrame {
  const pos = context.locator.find((t) => t.kind === 'word' && (t.lower === 'rows' || t.lower === 'range'));
  const units = context.hints.rangeFrames.has(pos) ? 'range' : 'rows';
  if (raw.type === 'binary_expr' && String(raw.operator).toUpperCase() === 'BETWEEN') {
    const [low, high] = (raw.right?.value ?? []) as RawNode[];
    return { units, start: frameBound(low, context, pos), end: frameBound(high, context, pos), pos };
  }
  if (String(raw.type).toLowerCase() === 'rows') return { units, start: frameBound(raw.expr, context, pos), end: { kind: 'current_row', offset: null }, pos };
  return unsupported(context, 'this window frame', pos);
}
