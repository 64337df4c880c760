/**
 * Binds window function calls (`f(…) OVER (PARTITION BY … ORDER BY … frame)`) in the select
 * list and ORDER BY. Each call becomes a WindowExpr and the expression a placeholder column; the
 * Window node that computes them is placed over the block's rows (after aggregation and HAVING,
 * before the select list), and the placeholders become its output columns.
 */
import { Types, typeToSql, type DataType } from '../../storage/index.js';
import type { Expr, FrameBound, WindowExpr, WindowFrame, WindowFunction } from '../plan/expr.js';
import { columnRef, transformUp } from '../plan/expr-utils.js';
import type { LogicalPlan, SortKey } from '../plan/logical-plan.js';
import type { SqlFrameBound, SqlWindowFunction } from './ast.js';
import type { SourceText } from './source-text.js';
import { bindExpr, type ExprBindContext } from './bind-expr.js';
import { coerce, isNullLiteral } from './bind-operators.js';
import { exprName } from './expr-name.js';
import { isInteger, isNumeric, sumType } from './type-rules.js';
import { parseDecimal } from '../../storage/index.js';

/** Window placeholders sit far below subquery placeholders (which count down from -1). */
const placeholderBase = -1_000_000;

const rankingFunctions = new Set(['row_number', 'rank', 'dense_rank']);
const valueFunctions = new Set(['lag', 'lead', 'first_value', 'last_value']);
const aggregateFunctions = new Set(['count', 'sum', 'avg', 'min', 'max']);

/** The default frame: the whole partition without ORDER BY, else up to the current row's last peer. */
function defaultFrame(ordered: boolean): WindowFrame {
  return ordered
    ? { units: 'range', start: { kind: 'unbounded_preceding', offset: 0 }, end: { kind: 'current_row', offset: 0 } }
    : { units: 'rows', start: { kind: 'unbounded_preceding', offset: 0 }, end: { kind: 'unbounded_following', offset: 0 } };
}

/** Collects a block's window expressions. */
export class WindowBinder {
  private readonly windows: WindowExpr[] = [];
  private readonly names: string[] = [];

  constructor(private readonly source: SourceText) {}

  /** True when the block has window functions. */
  get count(): number {
    return this.windows.length;
  }

  /** The hook bindExpr calls for a window function call. */
  readonly hook = (ast: SqlWindowFunction, context: ExprBindContext): Expr => {
    const inner: ExprBindContext = { ...context, windows: undefined, clause: `${ast.name}() OVER (…)` };
    const window = this.bindWindow(ast, inner);
    this.windows.push(window);
    this.names.push(exprName(ast));
    return columnRef(placeholderBase - (this.windows.length - 1), this.names[this.names.length - 1], window.type);
  };

  /** A Window node over `plan` (placeholders of subqueries inside resolved by `resolve`), and the resolver of window placeholders. */
  attach(plan: LogicalPlan, resolve: (expr: Expr) => Expr): { plan: LogicalPlan; resolve: (expr: Expr) => Expr } {
    if (this.windows.length === 0) return { plan, resolve: (e) => e };
    const windows = this.windows.map((w) => ({
      ...w, args: w.args.map(resolve), partitionBy: w.partitionBy.map(resolve), orderBy: w.orderBy.map((k) => ({ ...k, expr: resolve(k.expr) })),
    }));
    const base = plan.schema.fields.length;
    const fields = [...plan.schema.fields, ...windows.map((w, i) => ({ name: this.names[i], type: w.type, nullable: true }))];
    const window: LogicalPlan = { kind: 'window', input: plan, windows, schema: { fields } };
    const resolveWindows = (expr: Expr): Expr => transformUp(expr, (node) => (node.kind === 'column' && node.index <= placeholderBase ? { ...node, index: base + (placeholderBase - node.index) } : node));
    return { plan: window, resolve: resolveWindows };
  }

  private error(message: string, pos: number, code = 'INVALID_EXPRESSION'): Error {
    return this.source.error('plan', code, message, pos);
  }

  private bindWindow(ast: SqlWindowFunction, context: ExprBindContext): WindowExpr {
    const name = ast.name;
    if (!rankingFunctions.has(name) && !valueFunctions.has(name) && !aggregateFunctions.has(name)) {
      throw this.source.error('plan', 'FUNCTION_NOT_FOUND', `${name}() is not a window function; known: ${[...rankingFunctions, ...valueFunctions, ...aggregateFunctions].join(', ')}`, ast.pos);
    }
    if (ast.distinct) throw this.source.error('not_supported', 'NOT_SUPPORTED', `${name}(DISTINCT …) OVER (…) is not supported`, ast.pos);
    const args = ast.args.map((a) => bindExpr(a, context));
    const partitionBy = ast.partitionBy.map((p) => bindExpr(p, context));
    const orderBy: SortKey[] = ast.orderBy.map((o) => ({ expr: bindExpr(o.expr, context), ascending: o.ascending, nullsFirst: o.nullsFirst ?? false }));
    const { fn, finalArgs, type } = this.typed(ast, args);
    const frame = ast.frame === null ? defaultFrame(orderBy.length > 0) : this.frame(ast, orderBy);
    return { fn, args: finalArgs, partitionBy, orderBy, frame, type };
  }

  private typed(ast: SqlWindowFunction, args: readonly Expr[]): { fn: WindowFunction; finalArgs: Expr[]; type: DataType } {
    const name = ast.name;
    const count = (min: number, max: number): void => {
      if (args.length < min || args.length > max) throw this.source.error('plan', 'TYPE_MISMATCH', `${name}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${args.length}`, ast.pos);
    };
    if (rankingFunctions.has(name)) {
      count(0, 0);
      return { fn: name as WindowFunction, finalArgs: [], type: Types.int64 };
    }
    if (name === 'count' && ast.star) return { fn: 'count_star', finalArgs: [], type: Types.int64 };
    if (name === 'lag' || name === 'lead') {
      count(1, 3);
      return { fn: name, finalArgs: this.offsetArgs(ast, args), type: args[0].type };
    }
    count(1, 1);
    const arg = args[0];
    switch (name) {
      case 'count': return { fn: 'count', finalArgs: [arg], type: Types.int64 };
      case 'sum': {
        const type = sumType(arg.type);
        if (type === null) throw this.source.error('plan', 'TYPE_MISMATCH', `sum() needs a number, got ${typeToSql(arg.type)}`, ast.pos);
        return { fn: 'sum', finalArgs: [arg], type };
      }
      case 'avg':
        if (!isNumeric(arg.type)) throw this.source.error('plan', 'TYPE_MISMATCH', `avg() needs a number, got ${typeToSql(arg.type)}`, ast.pos);
        return { fn: 'avg', finalArgs: [arg], type: Types.float64 };
      default: return { fn: name as WindowFunction, finalArgs: [arg], type: arg.type };
    }
  }

  /** lag/lead(value, offset, default): offset a non-negative integer constant (default 1), default of the value's type. */
  private offsetArgs(ast: SqlWindowFunction, args: readonly Expr[]): Expr[] {
    const [value, offset, fallback] = args;
    let offsetValue = 1;
    if (offset !== undefined) {
      if (offset.kind !== 'literal' || typeof offset.value !== 'number' || !Number.isInteger(offset.value) || offset.value < 0 || !isInteger(offset.type)) {
        throw this.error(`${ast.name}() offset must be a non-negative integer constant`, ast.pos);
      }
      offsetValue = offset.value;
    }
    const result: Expr[] = [value, { kind: 'literal', value: offsetValue, type: Types.int64 }];
    if (fallback !== undefined && !isNullLiteral(fallback)) result.push(coerce(fallback, value.type, this.source, ast.pos, `${ast.name}() default`));
    return result;
  }

  private frame(ast: SqlWindowFunction, orderBy: readonly SortKey[]): WindowFrame {
    const frame = ast.frame!;
    const start = this.bound(frame.start, frame.units, orderBy, frame.pos);
    const end = this.bound(frame.end, frame.units, orderBy, frame.pos);
    if (start.kind === 'unbounded_following' || end.kind === 'unbounded_preceding') {
      throw this.error('a window frame cannot start at UNBOUNDED FOLLOWING or end at UNBOUNDED PRECEDING', frame.pos);
    }
    return { units: frame.units, start, end };
  }

  private bound(bound: SqlFrameBound, units: 'rows' | 'range', orderBy: readonly SortKey[], pos: number): FrameBound {
    if (bound.offset === null) return { kind: bound.kind, offset: 0 };
    if (units === 'rows') {
      const rows = Number(bound.offset);
      if (!Number.isInteger(rows)) throw this.error(`ROWS frame offsets are whole numbers of rows, got ${bound.offset}`, pos);
      return { kind: bound.kind, offset: rows };
    }
    const key = orderBy.length === 1 ? orderBy[0].expr.type : null;
    if (key === null || !(isNumeric(key) || key.id === 'date')) {
      throw this.error('a RANGE frame with an offset needs exactly one ORDER BY key of a numeric or DATE type', pos);
    }
    // The offset in the key's own units: scaled integers for decimals, days for dates.
    const offset = key.id === 'decimal' ? parseDecimal(bound.offset, key.scale ?? 0) : Number(bound.offset);
    if (offset === null || !Number.isFinite(offset)) throw this.error(`invalid RANGE offset ${bound.offset}`, pos);
    return { kind: bound.kind, offset };
  }
}
