/**
 * Binding in aggregate queries. Expressions above the Aggregate node (select list, HAVING,
 * ORDER BY) may only use GROUP BY expressions and aggregate results: this binder replaces each
 * aggregate call by a reference to its Aggregate output column (deduplicating identical calls)
 * and each GROUP BY expression by a reference to its key column, and rejects bare columns that
 * are neither.
 */
import { Types, typeToSql, type Field, type Schema } from '../../storage/index.js';
import type { AggregateExpr, AggregateFunction, Expr } from '../plan/expr.js';
import { aggregateEquals, columnRef, exprEquals, isConstant } from '../plan/expr-utils.js';
import type { Aggregate, LogicalPlan } from '../plan/logical-plan.js';
import type { SqlExpr, SqlFunction } from './ast.js';
import type { Scope } from './scope.js';
import type { SourceText } from './source-text.js';
import { bindExpr, type ExprBindContext } from './bind-expr.js';
import { requireBoolean } from './bind-operators.js';
import { aggregateFunctionNames } from './bind-functions.js';
import { exprName } from './expr-name.js';
import { aggregateNullable, exprNullable } from './nullability.js';
import { isNumeric, sumType } from './type-rules.js';

/** True when an expression calls an aggregate function outside any subquery. */
export function containsAggregate(ast: SqlExpr): boolean {
  switch (ast.kind) {
    case 'function': return aggregateFunctionNames.has(ast.name) || ast.args.some(containsAggregate);
    case 'unary': return containsAggregate(ast.expr);
    case 'binary': return containsAggregate(ast.left) || containsAggregate(ast.right);
    case 'like': return containsAggregate(ast.expr) || containsAggregate(ast.pattern);
    case 'in_list': return containsAggregate(ast.expr) || ast.list.some(containsAggregate);
    case 'in_subquery': return containsAggregate(ast.expr);
    case 'between': return containsAggregate(ast.expr) || containsAggregate(ast.low) || containsAggregate(ast.high);
    case 'is': return containsAggregate(ast.expr);
    case 'case': return (ast.operand !== null && containsAggregate(ast.operand))
      || ast.whens.some((arm) => containsAggregate(arm.when) || containsAggregate(arm.then))
      || (ast.otherwise !== null && containsAggregate(ast.otherwise));
    case 'cast': return containsAggregate(ast.expr);
    case 'extract': return containsAggregate(ast.expr);
    // The window function itself is no aggregate, but its arguments and keys may be (sum(sum(x)) OVER …).
    case 'window_function': return ast.args.some(containsAggregate) || ast.partitionBy.some(containsAggregate) || ast.orderBy.some((o) => containsAggregate(o.expr));
    default: return false;
  }
}

/** Collects GROUP BY keys and aggregates, and binds expressions over the Aggregate output. */
export class AggregateBinder {
  private readonly source: SourceText;
  private readonly scope: Scope;
  private readonly inputSchema: Schema;
  private readonly keys: Expr[] = [];
  private readonly keyFields: Field[] = [];
  private readonly aggregates: AggregateExpr[] = [];
  private readonly aggregateFields: Field[] = [];

  constructor(source: SourceText, scope: Scope, inputSchema: Schema) {
    this.source = source;
    this.scope = scope;
    this.inputSchema = inputSchema;
  }

  /** Adds a GROUP BY key (bound against the FROM scope); duplicates are ignored. */
  addKey(ast: SqlExpr, name: string): void {
    const key = bindExpr(ast, this.plainContext('GROUP BY'));
    if (this.keys.some((k) => exprEquals(k, key))) return;
    this.keys.push(key);
    this.keyFields.push({ name, type: key.type, nullable: exprNullable(key, this.inputSchema) });
  }

  /** Subquery and window hooks for expressions over the Aggregate output (select list, HAVING, ORDER BY). */
  hooks: Pick<ExprBindContext, 'subqueries' | 'windows'> = {};

  /** Binds an expression evaluated over the Aggregate output. */
  bind(ast: SqlExpr, clause: string): Expr {
    const windows = clause === 'HAVING' ? undefined : this.hooks.windows;
    return bindExpr(ast, { source: this.source, scope: this.scope, clause, intercept: (node) => this.intercept(node, clause), subqueries: this.hooks.subqueries, windows });
  }

  /** Binds a boolean condition over the Aggregate output (HAVING). */
  bindCondition(ast: SqlExpr, clause: string): Expr {
    return requireBoolean(this.bind(ast, clause), this.source, ast.pos, clause);
  }

  /** The Aggregate node over `input` with every key and aggregate bound so far. */
  build(input: LogicalPlan): Aggregate {
    const schema = { fields: [...this.keyFields, ...this.aggregateFields] };
    return { kind: 'aggregate', input, groupBy: [...this.keys], aggregates: [...this.aggregates], schema };
  }

  private plainContext(clause: string): ExprBindContext {
    return { source: this.source, scope: this.scope, clause, intercept: null };
  }

  private intercept(ast: SqlExpr, clause: string): Expr | null {
    if (ast.kind === 'function' && aggregateFunctionNames.has(ast.name)) return this.aggregateRef(ast);
    // Subqueries and window functions are bound by their hooks, their operands through this binder.
    if (ast.kind === 'subquery' || ast.kind === 'exists' || ast.kind === 'in_subquery' || ast.kind === 'window_function') return null;
    if (containsAggregate(ast)) return null;
    const plain = bindExpr(ast, this.plainContext(clause));
    const key = this.keys.findIndex((k) => exprEquals(k, plain));
    if (key >= 0) return columnRef(key, this.keyFields[key].name, plain.type);
    if (isConstant(plain)) return plain;
    if (ast.kind === 'column') {
      throw this.source.error('plan', 'COLUMN_NOT_IN_GROUP_BY',
        `column ${ast.table === null ? '' : `${ast.table}.`}${ast.name} must appear in GROUP BY or be used in an aggregate function (in ${clause})`, ast.pos);
    }
    return null;
  }

  private aggregateRef(ast: SqlFunction): Expr {
    const aggregate = this.bindAggregate(ast);
    let index = this.aggregates.findIndex((a) => aggregateEquals(a, aggregate));
    if (index < 0) {
      index = this.aggregates.length;
      this.aggregates.push(aggregate);
      this.aggregateFields.push({ name: exprName(ast), type: aggregate.type, nullable: aggregateNullable(aggregate) });
    }
    return columnRef(this.keys.length + index, this.aggregateFields[index].name, aggregate.type);
  }

  private bindAggregate(ast: SqlFunction): AggregateExpr {
    const context = this.plainContext(`${ast.name}()`);
    if (ast.args.some(containsAggregate) || (ast.filter !== null && containsAggregate(ast.filter))) {
      throw this.source.error('plan', 'AGGREGATE_MISUSE', `aggregate function calls cannot be nested (in ${ast.name}())`, ast.pos);
    }
    const filter = ast.filter === null ? null : requireBoolean(bindExpr(ast.filter, context), this.source, ast.filter.pos, 'FILTER');
    if (ast.star) {
      if (ast.name !== 'count' || ast.distinct) throw this.source.error('plan', 'INVALID_EXPRESSION', `${ast.name}(${ast.distinct ? 'DISTINCT ' : ''}*) is not valid; only count(*) takes *`, ast.pos);
      return { fn: 'count_star', arg: null, distinct: false, filter, type: Types.int64 };
    }
    if (ast.args.length !== 1) {
      throw this.source.error('plan', 'TYPE_MISMATCH', `${ast.name}() takes exactly 1 argument, got ${ast.args.length}`, ast.pos);
    }
    const arg = bindExpr(ast.args[0], context);
    const fn = ast.name as AggregateFunction;
    return { fn, arg, distinct: ast.distinct, filter, type: this.aggregateType(fn, arg, ast.pos) };
  }

  private aggregateType(fn: AggregateFunction, arg: Expr, pos: number): Expr['type'] {
    const mismatch = (needs: string): Error => this.source.error('plan', 'TYPE_MISMATCH', `${fn}() needs ${needs}, got ${typeToSql(arg.type)}`, pos);
    switch (fn) {
      case 'count':
      case 'count_star': return Types.int64;
      case 'sum': return sumType(arg.type) ?? (() => { throw mismatch('a number'); })();
      case 'avg':
        if (!isNumeric(arg.type)) throw mismatch('a number');
        return Types.float64;
      case 'min':
      case 'max':
        if (arg.type.id === 'interval') throw mismatch('a comparable value');
        return arg.type;
    }
  }
}
