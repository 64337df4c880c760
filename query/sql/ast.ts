/**
 * strata's own SQL syntax tree. The node-sql-parser AST is converted into it at once (as DuckDB
 * converts the PostgreSQL parser's tree), so nothing past the converter depends on the parser
 * library. Every node carries `pos`: the 0-based offset of its first token in the user's text.
 *
 * What the binder does not implement it rejects with NOT_SUPPORTED at the node's position.
 */

/** A type name as written: CAST targets and CREATE TABLE columns. */
export interface SqlTypeName {
  /** Upper-case base name, e.g. 'INTEGER', 'DECIMAL', 'DOUBLE PRECISION'. */
  readonly name: string;
  /** First parenthesized argument (length or precision). */
  readonly length: number | null;
  /** Second parenthesized argument (scale). */
  readonly scale: number | null;
  readonly pos: number;
}

/** A column reference, optionally qualified: t.a. */
export interface SqlColumn { readonly kind: 'column'; readonly table: string | null; readonly name: string; readonly pos: number }
/** `*` or `t.*` (select lists; count(*) is a function with star). */
export interface SqlStar { readonly kind: 'star'; readonly table: string | null; readonly pos: number }
/** A numeric literal as written (text keeps precision and scale). */
export interface SqlNumber { readonly kind: 'number'; readonly text: string; readonly pos: number }
/** A string literal. */
export interface SqlString { readonly kind: 'string'; readonly value: string; readonly pos: number }
/** TRUE or FALSE. */
export interface SqlBoolean { readonly kind: 'boolean'; readonly value: boolean; readonly pos: number }
/** NULL. */
export interface SqlNull { readonly kind: 'null'; readonly pos: number }
/** DATE '…' or TIMESTAMP '…'. */
export interface SqlTypedLiteral { readonly kind: 'typed_literal'; readonly type: 'date' | 'timestamp'; readonly value: string; readonly pos: number }
/** INTERVAL '…' [unit]. */
export interface SqlInterval { readonly kind: 'interval'; readonly value: string; readonly unit: string | null; readonly pos: number }
/** Unary -, + or NOT. */
export interface SqlUnary { readonly kind: 'unary'; readonly op: '-' | '+' | 'not'; readonly expr: SqlExpr; readonly pos: number }

/** Binary operators, lower-case. */
export type SqlBinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '||'
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | 'and' | 'or';

/** A binary operator application. */
export interface SqlBinary { readonly kind: 'binary'; readonly op: SqlBinaryOp; readonly left: SqlExpr; readonly right: SqlExpr; readonly pos: number }
/** [NOT] LIKE / ILIKE. */
export interface SqlLike {
  readonly kind: 'like'; readonly expr: SqlExpr; readonly pattern: SqlExpr; readonly escape: string | null;
  readonly negated: boolean; readonly caseInsensitive: boolean; readonly pos: number;
}
/** [NOT] IN (list). */
export interface SqlInList { readonly kind: 'in_list'; readonly expr: SqlExpr; readonly list: readonly SqlExpr[]; readonly negated: boolean; readonly pos: number }
/** [NOT] IN (subquery). */
export interface SqlInSubquery { readonly kind: 'in_subquery'; readonly expr: SqlExpr; readonly query: SqlQuery; readonly negated: boolean; readonly pos: number }
/** [NOT] BETWEEN low AND high. */
export interface SqlBetween { readonly kind: 'between'; readonly expr: SqlExpr; readonly low: SqlExpr; readonly high: SqlExpr; readonly negated: boolean; readonly pos: number }
/** IS [NOT] NULL / TRUE / FALSE. */
export interface SqlIs { readonly kind: 'is'; readonly expr: SqlExpr; readonly value: 'null' | 'true' | 'false'; readonly negated: boolean; readonly pos: number }
/** CASE [operand] WHEN … THEN … [ELSE …] END. */
export interface SqlCase {
  readonly kind: 'case'; readonly operand: SqlExpr | null;
  readonly whens: readonly { readonly when: SqlExpr; readonly then: SqlExpr }[];
  readonly otherwise: SqlExpr | null; readonly pos: number;
}
/** CAST(expr AS type) or expr::type. */
export interface SqlCast { readonly kind: 'cast'; readonly expr: SqlExpr; readonly type: SqlTypeName; readonly pos: number }
/**
 * A function or aggregate call: name lower-case; `star` for count(*); `distinct` for
 * count(DISTINCT x); `filter` for agg(x) FILTER (WHERE …).
 */
export interface SqlFunction {
  readonly kind: 'function'; readonly name: string; readonly args: readonly SqlExpr[];
  readonly distinct: boolean; readonly star: boolean; readonly filter: SqlExpr | null; readonly pos: number;
}
/** EXTRACT(field FROM expr). */
export interface SqlExtract { readonly kind: 'extract'; readonly field: string; readonly expr: SqlExpr; readonly pos: number }
/** A scalar subquery: (SELECT …). */
export interface SqlSubquery { readonly kind: 'subquery'; readonly query: SqlQuery; readonly pos: number }
/** [NOT] EXISTS (SELECT …). */
export interface SqlExists { readonly kind: 'exists'; readonly query: SqlQuery; readonly negated: boolean; readonly pos: number }
/** One end of a window frame: UNBOUNDED PRECEDING/FOLLOWING, CURRENT ROW, or n PRECEDING/FOLLOWING. */
export interface SqlFrameBound {
  readonly kind: 'unbounded_preceding' | 'preceding' | 'current_row' | 'following' | 'unbounded_following';
  /** The offset as written ('2', '1.5', '7'), null for UNBOUNDED and CURRENT ROW. */
  readonly offset: string | null;
}

/** ROWS / RANGE BETWEEN start AND end (a single bound means BETWEEN it AND CURRENT ROW). */
export interface SqlWindowFrame { readonly units: 'rows' | 'range'; readonly start: SqlFrameBound; readonly end: SqlFrameBound; readonly pos: number }

/** A function call with OVER (PARTITION BY … ORDER BY … frame). */
export interface SqlWindowFunction {
  readonly kind: 'window_function'; readonly name: string; readonly args: readonly SqlExpr[];
  readonly star: boolean; readonly distinct: boolean;
  readonly partitionBy: readonly SqlExpr[]; readonly orderBy: readonly SqlOrderItem[];
  readonly frame: SqlWindowFrame | null; readonly pos: number;
}

/** A scalar expression. */
export type SqlExpr =
  | SqlColumn | SqlStar | SqlNumber | SqlString | SqlBoolean | SqlNull | SqlTypedLiteral | SqlInterval
  | SqlUnary | SqlBinary | SqlLike | SqlInList | SqlInSubquery | SqlBetween | SqlIs | SqlCase | SqlCast
  | SqlFunction | SqlExtract | SqlSubquery | SqlExists | SqlWindowFunction;

/** One item of a select list: an expression with an optional alias, or a (qualified) star. */
export type SqlSelectItem =
  | { readonly kind: 'expr'; readonly expr: SqlExpr; readonly alias: string | null; readonly pos: number }
  | { readonly kind: 'star'; readonly table: string | null; readonly pos: number };

/** Join kinds as written. */
export type SqlJoinType = 'inner' | 'left' | 'right' | 'full' | 'cross';

/**
 * Time travel on a table reference: `AS OF VERSION n` or `AS OF TIMESTAMP '…'` (the time as
 * epoch milliseconds, UTC unless the text gives a zone). `pos` is the offset of its AS.
 */
export type SqlAsOf =
  | { readonly kind: 'version'; readonly version: number; readonly pos: number }
  | { readonly kind: 'timestamp'; readonly timeMs: number; readonly text: string; readonly pos: number };

/** A table (or view, or CTE) named in FROM, with its optional AS OF. */
export interface SqlTableItem {
  readonly kind: 'table'; readonly name: string; readonly schema: string | null; readonly alias: string | null;
  readonly columnAliases: readonly string[]; readonly pos: number;
  /** The snapshot to read (absent: the statement's latest). */
  readonly asOf?: SqlAsOf;
}

/** One item of a FROM clause. */
export type SqlFromItem =
  | SqlTableItem
  | { readonly kind: 'derived'; readonly query: SqlQuery; readonly alias: string | null; readonly columnAliases: readonly string[]; readonly pos: number }
  | {
    readonly kind: 'join'; readonly joinType: SqlJoinType; readonly left: SqlFromItem; readonly right: SqlFromItem;
    readonly on: SqlExpr | null; readonly using: readonly string[]; readonly pos: number;
  };

/** ORDER BY key. nullsFirst null: the default for the direction. */
export interface SqlOrderItem { readonly expr: SqlExpr; readonly ascending: boolean; readonly nullsFirst: boolean | null; readonly pos: number }

/** A common table expression: WITH name [(columns)] AS (query). */
export interface SqlCommonTable { readonly name: string; readonly columns: readonly string[]; readonly query: SqlQuery; readonly pos: number }

/** One SELECT block. */
export interface SqlSelect {
  readonly kind: 'select';
  readonly with: readonly SqlCommonTable[];
  readonly distinct: boolean;
  readonly items: readonly SqlSelectItem[];
  /** Comma-separated FROM items (each may be a join tree); empty without FROM. */
  readonly from: readonly SqlFromItem[];
  readonly where: SqlExpr | null;
  readonly groupBy: readonly SqlExpr[];
  readonly having: SqlExpr | null;
  readonly orderBy: readonly SqlOrderItem[];
  readonly limit: SqlExpr | null;
  readonly offset: SqlExpr | null;
  readonly pos: number;
}

/** UNION / INTERSECT / EXCEPT [ALL] of two queries, with the ORDER BY / LIMIT that apply to the result. */
export interface SqlSetOperation {
  readonly kind: 'set_operation';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: SqlQuery;
  readonly right: SqlQuery;
  readonly orderBy: readonly SqlOrderItem[];
  readonly limit: SqlExpr | null;
  readonly offset: SqlExpr | null;
  readonly pos: number;
}

/** A query: a SELECT block or a set operation. */
export type SqlQuery = SqlSelect | SqlSetOperation;

/** A column of CREATE TABLE. */
export interface SqlColumnDefinition { readonly name: string; readonly type: SqlTypeName; readonly notNull: boolean; readonly pos: number }

/** A statement. */
export type SqlStatement =
  | { readonly kind: 'query'; readonly query: SqlQuery; readonly pos: number }
  | { readonly kind: 'explain'; readonly statement: SqlStatement; readonly pos: number; readonly analyze?: boolean }
  | { readonly kind: 'create_table'; readonly name: string; readonly ifNotExists: boolean; readonly columns: readonly SqlColumnDefinition[]; readonly pos: number }
  | { readonly kind: 'drop_table'; readonly name: string; readonly ifExists: boolean; readonly pos: number }
  | {
    readonly kind: 'create_view'; readonly name: string; readonly columns: readonly string[]; readonly orReplace: boolean;
    readonly query: SqlQuery; readonly sql: string; readonly pos: number;
  }
  | { readonly kind: 'drop_view'; readonly name: string; readonly ifExists: boolean; readonly pos: number }
  | { readonly kind: 'show_tables'; readonly pos: number }
  | { readonly kind: 'describe_table'; readonly name: string; readonly pos: number }
  | { readonly kind: 'describe_query'; readonly query: SqlQuery; readonly pos: number }
  | {
    readonly kind: 'insert'; readonly table: string; readonly columns: readonly { readonly name: string; readonly pos: number }[] | null;
    readonly rows: readonly (readonly SqlExpr[])[] | null; readonly query: SqlQuery | null; readonly pos: number;
  }
  | { readonly kind: 'delete'; readonly table: SqlTableItem; readonly where: SqlExpr | null; readonly pos: number };
