/**
 * Subqueries become joins. A WHERE conjunct `[NOT] EXISTS (…)` or `x [NOT] IN (…)` joins the
 * block's rows with the subquery as a semi or anti join (NOT IN with SQL's NULL rules: a
 * null-aware anti join). A subquery anywhere else in an expression is bound to a placeholder
 * column; the joins that compute those columns are attached to the plan before the expression
 * is evaluated (`attach`): a single join for scalar subqueries (SUBQUERY_MULTIPLE_ROWS on a
 * second row), a mark join for EXISTS / IN.
 *
 * Correlated subqueries are decorrelated: the conjuncts of the subquery's WHERE that refer to
 * the enclosing query are taken out and become the join condition, bound over the outer row
 * followed by the subquery's FROM columns. A correlated aggregate (`(SELECT avg(x) FROM t WHERE
 * t.k = outer.k)`) is grouped by the correlated columns and left-joined on them, with the value
 * an empty group has (count 0, …) where no group matches.
 */
import { Types } from '../../storage/index.js';
import type { Expr } from '../plan/expr.js';
import { call, columnRef, transformUp } from '../plan/expr-utils.js';
import { makeJoin } from '../plan/join-utils.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { SqlExpr, SqlQuery, SqlSelect, SqlSelectItem } from './ast.js';
import { Scope, type ScopeColumn } from './scope.js';
import { bindExpr, type ExprBindContext } from './bind-expr.js';
import { bindComparison, requireBoolean } from './bind-operators.js';
import { containsAggregate } from './bind-aggregate.js';
import { bindFromOf, bindQuery, bindSelect, type QueryBindContext } from './bind-select.js';
import { andOf, asSelect, isAggregateSelect, operandSide, referencesOuter, splitAnd } from './subquery-shapes.js';

/** A subquery expression node. */
export type SubqueryExpr = Extract<SqlExpr, { kind: 'subquery' | 'exists' | 'in_subquery' }>;

/** A join that appends exactly one column (the subquery's value) to its input. */
type Attachment = (input: LogicalPlan) => LogicalPlan;

/** A subquery block whose WHERE refers to the enclosing query. */
interface Correlation {
  readonly select: SqlSelect;
  /** Conjuncts of its WHERE that refer to the enclosing query. */
  readonly correlated: readonly SqlExpr[];
  /** The other conjuncts. */
  readonly plain: readonly SqlExpr[];
  /** The scope of its FROM clause. */
  readonly innerScope: Scope;
}

/** The subquery's rows for a join: its FROM columns, filtered by its uncorrelated conjuncts. */
interface InnerRows {
  readonly plan: LogicalPlan;
  readonly columns: readonly ScopeColumn[];
}

/** Placeholder column positions are negative: -1 - k for the k-th subquery value. */
function placeholder(id: number, name: string, type: Expr['type']): Expr {
  return columnRef(-1 - id, name, type);
}

/** The first `width` columns of a join (its outer input's) followed by one computed column. */
function appendColumn(joined: LogicalPlan, width: number, value: Expr, name: string): LogicalPlan {
  const fields = joined.schema.fields.slice(0, width);
  const exprs = [...fields.map((f, i) => columnRef(i, f.name, f.type)), value];
  return { kind: 'project', input: joined, exprs, schema: { fields: [...fields, { name, type: value.type, nullable: true }] } };
}

function limitOne(plan: LogicalPlan): LogicalPlan {
  return { kind: 'limit', input: plan, limit: 1, offset: 0, schema: plan.schema };
}

/** True when an expression over aggregates is NULL whenever its aggregates other than count are (so an empty group needs no special value). */
function nullOnEmptyGroup(ast: SqlExpr): boolean {
  switch (ast.kind) {
    case 'function': return ['sum', 'avg', 'min', 'max'].includes(ast.name);
    case 'binary': return ['+', '-', '*', '/', '%', '||'].includes(ast.op) && (nullOnEmptyGroup(ast.left) || nullOnEmptyGroup(ast.right));
    case 'unary': return ast.op !== 'not' && nullOnEmptyGroup(ast.expr);
    case 'cast': return nullOnEmptyGroup(ast.expr);
    default: return false;
  }
}

/** Binds the subqueries of one query block. */
export class SubqueryBinder {
  private pending: Attachment[] = [];
  private nextId = 0;
  private batchStart = 0;

  /**
   * `scope`: the block's FROM scope (positions valid in the plan joins attach to);
   * `correlated`: whether subqueries may refer to it (not after aggregation).
   */
  constructor(private readonly context: QueryBindContext, private readonly scope: Scope, private readonly correlated: boolean) {}

  /** The hook bindExpr calls for a subquery inside an expression. */
  readonly hook = (ast: SubqueryExpr, context: ExprBindContext): Expr => {
    switch (ast.kind) {
      case 'subquery': return this.scalar(ast.query, ast.pos);
      case 'exists': {
        const mark = this.existsMark(ast.query);
        return ast.negated ? call('not', [mark], Types.boolean) : mark;
      }
      case 'in_subquery': {
        const mark = this.inMark(bindExpr(ast.expr, context), ast.query, ast.pos);
        return ast.negated ? call('not', [mark], Types.boolean) : mark;
      }
    }
  };

  /** Attaches the joins of the subqueries bound since the last call; `resolve` turns their placeholders into columns. */
  attach(plan: LogicalPlan): { plan: LogicalPlan; resolve: (expr: Expr) => Expr } {
    const base = plan.schema.fields.length;
    const start = this.batchStart;
    let result = plan;
    for (const attachment of this.pending) result = attachment(result);
    this.pending = [];
    this.batchStart = this.nextId;
    const resolve = (expr: Expr): Expr => transformUp(expr, (node) => (node.kind === 'column' && node.index < 0 && node.index > -1_000_000 ? { ...node, index: base + (-1 - node.index - start) } : node));
    return { plan: result, resolve };
  }

  /**
   * A WHERE conjunct that is [NOT] EXISTS or [NOT] IN with a subquery becomes a semi or anti
   * join of `plan`; null for any other conjunct.
   */
  whereJoin(ast: SqlExpr, plan: LogicalPlan): LogicalPlan | null {
    let node = ast;
    let negated = false;
    while (node.kind === 'unary' && node.op === 'not' && (node.expr.kind === 'exists' || node.expr.kind === 'in_subquery' || node.expr.kind === 'unary')) {
      negated = !negated;
      node = node.expr;
    }
    if (node.kind === 'exists') return this.existsJoin(node.query, negated !== node.negated, plan);
    if (node.kind === 'in_subquery') {
      const value = bindExpr(node.expr, this.outerContext('WHERE'));
      return this.inJoin(value, node.query, negated !== node.negated, plan, node.pos);
    }
    return null;
  }

  private outerContext(clause: string): ExprBindContext {
    return { source: this.context.source, scope: this.scope, clause, intercept: null };
  }

  private register(attachment: Attachment, name: string, type: Expr['type']): Expr {
    this.pending.push(attachment);
    return placeholder(this.nextId++, name, type);
  }

  /** The subquery block and its correlated conjuncts, or null when it does not refer to the enclosing query. */
  private analyze(query: SqlQuery): Correlation | null {
    const select = asSelect(query);
    if (select === null || !this.correlated) return null;
    const from = bindFromOf(select, this.context);
    const conjuncts = splitAnd(select.where);
    const correlated = conjuncts.filter((c) => referencesOuter(c, from.scope, this.scope));
    if (correlated.length === 0) return null;
    return { select, correlated, plain: conjuncts.filter((c) => !correlated.includes(c)), innerScope: from.scope };
  }

  private uncorrelated(query: SqlQuery, columns: number | null, pos: number): LogicalPlan {
    const plan = bindQuery(query, { ...this.context, outerScope: this.scope });
    if (columns !== null && plan.schema.fields.length !== columns) {
      throw this.context.source.error('plan', 'COLUMN_COUNT_MISMATCH', `the subquery returns ${plan.schema.fields.length} columns; it must return exactly ${columns}`, pos);
    }
    return plan;
  }

  private unsupported(message: string, pos: number): Error {
    return this.context.source.error('not_supported', 'NOT_SUPPORTED', message, pos);
  }

  private innerRows(correlation: Correlation): InnerRows {
    const { select } = correlation;
    if (isAggregateSelect(select, containsAggregate) || select.distinct || select.limit !== null || select.offset !== null) {
      throw this.unsupported('a correlated subquery with GROUP BY, HAVING, aggregates, DISTINCT or LIMIT is supported only as a scalar aggregate without GROUP BY', select.pos);
    }
    const rows: SqlSelect = {
      ...select, items: [{ kind: 'star', table: null, pos: select.pos }], where: andOf(correlation.plain),
      orderBy: [], limit: null, offset: null, distinct: false,
    };
    return { plan: bindSelect(rows, { ...this.context, outerScope: this.scope }), columns: correlation.innerScope.expandStar(null) };
  }

  /** Outer columns (their own positions) with the subquery's columns after the first `leftWidth`. */
  private combinedScope(leftWidth: number, inner: InnerRows): Scope {
    const columns = inner.columns.map((column, k) => ({ ...column, index: leftWidth + k, hidden: false }));
    return new Scope(columns, this.scope, false);
  }

  private conditions(correlation: Correlation, scope: Scope): Expr[] {
    const context: ExprBindContext = { source: this.context.source, scope, clause: 'a correlated subquery condition', intercept: null };
    return correlation.correlated.map((c) => requireBoolean(bindExpr(c, context), this.context.source, c.pos, 'WHERE'));
  }

  private singleItem(select: SqlSelect, pos: number): SqlExpr {
    const items = select.items;
    if (items.length !== 1 || items[0].kind !== 'expr') throw this.context.source.error('plan', 'COLUMN_COUNT_MISMATCH', 'the subquery must return exactly one column', pos);
    return (items[0] as Extract<SqlSelectItem, { kind: 'expr' }>).expr;
  }

  private existsJoin(query: SqlQuery, negated: boolean, plan: LogicalPlan): LogicalPlan {
    const type = negated ? 'anti' : 'semi';
    const correlation = this.analyze(query);
    if (correlation === null) return makeJoin(type, plan, limitOne(this.uncorrelated(query, null, query.pos)), []);
    const rows = this.innerRows(correlation);
    return makeJoin(type, plan, rows.plan, this.conditions(correlation, this.combinedScope(plan.schema.fields.length, rows)));
  }

  private inJoin(value: Expr, query: SqlQuery, negated: boolean, plan: LogicalPlan, pos: number): LogicalPlan {
    const source = this.context.source;
    const width = plan.schema.fields.length;
    const correlation = this.analyze(query);
    if (correlation === null) {
      const sub = this.uncorrelated(query, 1, pos);
      const field = sub.schema.fields[0];
      const equal = bindComparison('=', value, columnRef(width, field.name, field.type), source, pos);
      return makeJoin(negated ? 'anti' : 'semi', plan, sub, [equal], negated);
    }
    const rows = this.innerRows(correlation);
    const scope = this.combinedScope(width, rows);
    const item = bindExpr(this.singleItem(correlation.select, pos), { source, scope, clause: 'the subquery', intercept: null });
    const equal = bindComparison('=', value, item, source, pos);
    // x NOT IN S is true only when no row of S equals x or is NULL, and x is not NULL (or S is empty).
    const condition = negated
      ? call('or', [equal, { kind: 'is_null', expr: value, negated: false, type: Types.boolean }, { kind: 'is_null', expr: item, negated: false, type: Types.boolean }], Types.boolean)
      : equal;
    return makeJoin(negated ? 'anti' : 'semi', plan, rows.plan, [...this.conditions(correlation, scope), condition]);
  }

  private scalar(query: SqlQuery, pos: number): Expr {
    const correlation = this.analyze(query);
    if (correlation === null) {
      const sub = this.uncorrelated(query, 1, pos);
      const field = sub.schema.fields[0];
      return this.register((input) => makeJoin('single', input, sub, []), field.name, field.type);
    }
    if (isAggregateSelect(correlation.select, containsAggregate)) return this.correlatedAggregate(correlation, pos);
    const rows = this.innerRows(correlation);
    const itemAst = this.singleItem(correlation.select, pos);
    const bindItem = (scope: Scope): Expr => bindExpr(itemAst, { source: this.context.source, scope, clause: 'the subquery', intercept: null });
    const type = bindItem(this.combinedScope(0, rows)).type;
    return this.register((input) => {
      const scope = this.combinedScope(input.schema.fields.length, rows);
      const joined = makeJoin('single', input, rows.plan, this.conditions(correlation, scope));
      return appendColumn(joined, input.schema.fields.length, bindItem(scope), 'subquery');
    }, 'subquery', type);
  }

  /** (SELECT agg(…) FROM … WHERE inner = outer AND …): grouped by the inner sides, left-joined on the outer ones. */
  private correlatedAggregate(correlation: Correlation, pos: number): Expr {
    const { select, innerScope } = correlation;
    const source = this.context.source;
    if (select.groupBy.length > 0 || select.having !== null) throw this.unsupported('a correlated subquery with GROUP BY or HAVING is not supported', select.pos);
    const item = this.singleItem(select, pos);
    const pairs = correlation.correlated.map((c) => {
      const sides = c.kind === 'binary' && c.op === '=' ? [operandSide(c.left, innerScope, this.scope), operandSide(c.right, innerScope, this.scope)] : [];
      if (c.kind !== 'binary' || sides[0] === sides[1] || !sides.every((s) => s === 'inner' || s === 'outer')) {
        throw this.unsupported('in a correlated aggregate subquery the conditions on the enclosing query must be equalities between a subquery column and an outer column', c.pos);
      }
      return sides[0] === 'inner' ? { inner: c.left, outer: c.right } : { inner: c.right, outer: c.left };
    });
    const needsFlag = !nullOnEmptyGroup(item);
    const keyItems: SqlSelectItem[] = pairs.map((p, i) => ({ kind: 'expr', expr: p.inner, alias: `#key${i}`, pos: p.inner.pos }));
    const flag: SqlSelectItem[] = needsFlag ? [{ kind: 'expr', expr: { kind: 'boolean', value: true, pos }, alias: '#matched', pos }] : [];
    const grouped = bindSelect({
      ...select, items: [...keyItems, { kind: 'expr', expr: item, alias: '#value', pos: item.pos }, ...flag],
      groupBy: pairs.map((p) => p.inner), where: andOf(correlation.plain), orderBy: [], limit: null, offset: null,
    }, { ...this.context, outerScope: this.scope });
    // What the aggregate gives over no rows (count 0, …): one row from the subquery with WHERE false.
    const emptyGroup = needsFlag ? bindSelect({ ...select, where: { kind: 'boolean', value: false, pos }, orderBy: [], limit: null, offset: null }, { ...this.context, outerScope: this.scope }) : null;
    const valueField = grouped.schema.fields[pairs.length];
    return this.register((input) => {
      const width = input.schema.fields.length;
      const conditions = pairs.map((p, i) => {
        const outer = bindExpr(p.outer, this.outerContext('a correlated subquery condition'));
        const key = grouped.schema.fields[i];
        return bindComparison('=', outer, columnRef(width + i, key.name, key.type), source, p.outer.pos);
      });
      const joined = makeJoin('left', input, grouped, conditions);
      const value = columnRef(width + pairs.length, valueField.name, valueField.type);
      if (emptyGroup === null) return appendColumn(joined, width, value, 'subquery');
      const withEmpty = makeJoin('single', joined, emptyGroup, []);
      const matched = columnRef(width + pairs.length + 1, '#matched', Types.boolean);
      const empty = columnRef(joined.schema.fields.length, 'empty', valueField.type);
      const chosen: Expr = { kind: 'case', whens: [{ when: { kind: 'is_null', expr: matched, negated: false, type: Types.boolean }, then: empty }], otherwise: value, type: valueField.type };
      return appendColumn(withEmpty, width, chosen, 'subquery');
    }, 'subquery', valueField.type);
  }

  private existsMark(query: SqlQuery): Expr {
    const correlation = this.analyze(query);
    if (correlation === null) {
      const sub = limitOne(this.uncorrelated(query, null, query.pos));
      return this.register((input) => makeJoin('mark', input, sub, []), 'exists', Types.boolean);
    }
    const rows = this.innerRows(correlation);
    return this.register((input) => makeJoin('mark', input, rows.plan, this.conditions(correlation, this.combinedScope(input.schema.fields.length, rows))), 'exists', Types.boolean);
  }

  private inMark(value: Expr, query: SqlQuery, pos: number): Expr {
    const source = this.context.source;
    const correlation = this.analyze(query);
    if (correlation === null) {
      const sub = this.uncorrelated(query, 1, pos);
      const field = sub.schema.fields[0];
      return this.register((input) => {
        const equal = bindComparison('=', value, columnRef(input.schema.fields.length, field.name, field.type), source, pos);
        return makeJoin('mark', input, sub, [equal], true);
      }, 'in', Types.boolean);
    }
    throw this.unsupported('a correlated IN subquery inside an expression is not supported; write it as a WHERE condition or use EXISTS', pos);
  }
}
