/**
 * Bound, typed scalar and aggregate expressions of the logical plan.
 *
 * The binder (query/sql) produces them from the SQL AST; the optimizer rewrites them; the
 * executor (query/exec) compiles them into vectorized kernels. Every node carries its result
 * type; column references are positions in the input schema of the plan node that owns the
 * expression. Nodes are plain immutable objects.
 *
 * Typing rules the binder guarantees, so kernels never guess:
 * - Arithmetic and comparison arguments have the same type id after implicit casts, except:
 *   decimal +,-,* decimal of different scales (the kernel aligns scales: result scale is the max
 *   for +,- and the sum for *); comparisons of decimals of different scales where one is wide
 *   (precision > 18, exact in bigint); date +,- interval; date - date (int32 days);
 *   timestamp +,- interval.
 * - divide always yields float64 (DuckDB semantics: 7 / 2 = 3.5); integer_divide yields the
 *   integer type; modulo keeps the argument type.
 * - Literals hold values in the in-memory units of storage/vector.ts: a DECIMAL(15,2) literal
 *   1.5 holds 150; a DATE holds days since epoch; a TIMESTAMP holds microseconds.
 * - A date ± interval whose interval has a time part arrives with the date already cast to
 *   TIMESTAMP; date ± interval is DATE otherwise.
 * - Function arguments as the binder passes them (integer parameters are always int64):
 *   position(haystack, needle) -> int64, 1-based, 0 when absent (SQL position(a IN b) and
 *   strpos(b, a) both bind to it); substring(s, start [, length]); trim/ltrim/rtrim(s [, chars]);
 *   left/right(s, n); lpad/rpad(s, n, fill) always with the fill; repeat(s, n);
 *   split_part(s, delimiter, n); concat(a, b, …) is NULL when any argument is NULL (the binder
 *   wraps the arguments of SQL concat() in coalesce(x, '') because that one skips NULLs).
 * - round(x, digits): digits int64; for DECIMAL(p,s) digits is a literal and the result is
 *   DECIMAL(p, min(s, max(digits, 0))). floor/ceil of DECIMAL(p,s) yield DECIMAL(p,0); of other
 *   numbers the argument type. abs keeps the type; sign yields int32; sqrt/ln/exp/power take and
 *   yield float64. greatest/least/coalesce/nullif get arguments of one type.
 * - date_part(part, x): part is a string literal (year, quarter, month, week, day, dow, isodow,
 *   doy, hour, minute, second, millisecond, microsecond, epoch); epoch yields float64 (seconds
 *   with fraction, as DuckDB), every other part int64. date_trunc(part, x) keeps x's type.
 */
import type { DataType } from '../../storage/index.js';
import type { SortKey } from './logical-plan.js';

/** An interval value: months and days are calendar units; micros is exact time. */
export interface IntervalValue {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

/** A literal's value in in-memory units. */
export type LiteralValue = number | string | boolean | IntervalValue | null;

/** Scalar functions and operators, by the name the executor implements. */
export type ScalarFunction =
  // arithmetic
  | 'add' | 'subtract' | 'multiply' | 'divide' | 'integer_divide' | 'modulo' | 'negate'
  // comparison (result boolean)
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
  // logic with three-valued NULL rules (and/or take two or more args)
  | 'and' | 'or' | 'not'
  // NULL handling
  | 'coalesce' | 'nullif'
  // math
  | 'abs' | 'round' | 'floor' | 'ceil' | 'sqrt' | 'power' | 'ln' | 'exp' | 'sign'
  // strings
  | 'concat' | 'lower' | 'upper' | 'length' | 'substring' | 'trim' | 'ltrim' | 'rtrim'
  | 'replace' | 'position' | 'starts_with' | 'ends_with' | 'contains' | 'left' | 'right'
  | 'lpad' | 'rpad' | 'reverse' | 'repeat' | 'split_part'
  // dates: date_part(literal part name, date|timestamp) -> int64; date_trunc(part, x) -> same type
  | 'date_part' | 'date_trunc'
  // conditional selection between two values (used by rewrites; CASE has its own node)
  | 'greatest' | 'least';

/** A reference to a column of the input schema. */
export interface ColumnRef {
  readonly kind: 'column';
  readonly index: number;
  /** The column's name, for EXPLAIN and errors only. */
  readonly name: string;
  readonly type: DataType;
}

/** A constant. */
export interface Literal {
  readonly kind: 'literal';
  readonly value: LiteralValue;
  readonly type: DataType;
}

/** A scalar function or operator applied to arguments. */
export interface Call {
  readonly kind: 'call';
  readonly fn: ScalarFunction;
  readonly args: readonly Expr[];
  readonly type: DataType;
}

/** CASE WHEN … THEN … [ELSE …] END; a simple CASE x WHEN v is bound to eq(x, v) conditions. */
export interface Case {
  readonly kind: 'case';
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly otherwise: Expr | null;
  readonly type: DataType;
}

/** CAST(expr AS type); the executor raises INVALID_CAST on a value that does not convert. */
export interface Cast {
  readonly kind: 'cast';
  readonly expr: Expr;
  readonly type: DataType;
}

/** expr [NOT] IN (list of expressions, usually literals). */
export interface InList {
  readonly kind: 'in_list';
  readonly expr: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
  readonly type: DataType;
}

/** expr [NOT] LIKE / ILIKE pattern ('%' any run, '_' one character, optional escape). */
export interface Like {
  readonly kind: 'like';
  readonly expr: Expr;
  readonly pattern: Expr;
  readonly escape: string | null;
  readonly negated: boolean;
  readonly caseInsensitive: boolean;
  readonly type: DataType;
}

/** expr IS [NOT] NULL. */
export interface IsNull {
  readonly kind: 'is_null';
  readonly expr: Expr;
  readonly negated: boolean;
  readonly type: DataType;
}

/** A scalar expression. */
export type Expr = ColumnRef | Literal | Call | Case | Cast | InList | Like | IsNull;

/** Aggregate functions. count_star takes no argument. */
export type AggregateFunction = 'count_star' | 'count' | 'sum' | 'avg' | 'min' | 'max';

/**
 * An aggregate call. Result types: count/count_star int64; sum of integers int64, of decimal
 * decimal(38, s) (exact), of float64 float64; avg float64; min/max the argument type.
 */
export interface AggregateExpr {
  readonly fn: AggregateFunction;
  readonly arg: Expr | null;
  readonly distinct: boolean;
  /** Optional FILTER (WHERE …) clause. */
  readonly filter: Expr | null;
  readonly type: DataType;
}

/** Window functions: ranking, offsets, and the aggregates over a frame. */
export type WindowFunction =
  | 'row_number' | 'rank' | 'dense_rank' | 'lag' | 'lead' | 'first_value' | 'last_value'
  | 'count_star' | 'count' | 'sum' | 'avg' | 'min' | 'max';

/** One end of a window frame; offset counts rows (ROWS) or order-key units (RANGE: days, scaled decimals). */
export interface FrameBound {
  readonly kind: 'unbounded_preceding' | 'preceding' | 'current_row' | 'following' | 'unbounded_following';
  readonly offset: number;
}

/** ROWS or RANGE BETWEEN start AND end. */
export interface WindowFrame {
  readonly units: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

/**
 * A window function call. lag/lead take (value, offset int64 literal, default of value's type);
 * first_value/last_value and the aggregates take one argument (none for count_star). Result
 * types: ranks and counts int64, sum/avg/min/max as for aggregates, lag/lead/first_value the
 * argument type. The frame applies to first_value, last_value and the aggregates.
 */
export interface WindowExpr {
  readonly fn: WindowFunction;
  readonly args: readonly Expr[];
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  readonly frame: WindowFrame;
  readonly type: DataType;
}
