/**
 * Building joins: the output schema of each join type, and the split of a join condition into
 * equi-join keys (`f(left columns) = g(right columns)`, which the hash table matches) and the
 * residual filter evaluated on matching pairs. The binder, the optimizer's filter pushdown and
 * join reordering all build joins through makeJoin, so a condition becomes hash keys wherever
 * it ends up.
 */
import { Types, type Field, type Schema } from '../../storage/index.js';
import type { Expr } from './expr.js';
import { collectColumns, conjunction, remapColumns, splitConjunction } from './expr-utils.js';
import type { Join, JoinType, LogicalPlan } from './logical-plan.js';

function nullableFields(fields: readonly Field[]): Field[] {
  return fields.map((f) => (f.nullable ? f : { ...f, nullable: true }));
}

/** The output schema of a join of two inputs. */
export function joinSchema(type: JoinType, left: Schema, right: Schema): Schema {
  switch (type) {
    case 'semi':
    case 'anti': return left;
    case 'mark': return { fields: [...left.fields, { name: 'mark', type: Types.boolean, nullable: true }] };
    case 'inner': return { fields: [...left.fields, ...right.fields] };
    case 'left':
    case 'single': return { fields: [...left.fields, ...nullableFields(right.fields)] };
    case 'right': return { fields: [...nullableFields(left.fields), ...right.fields] };
    case 'full': return { fields: [...nullableFields(left.fields), ...nullableFields(right.fields)] };
  }
}

/** Which inputs a condition reads: 'left', 'right', 'both' or 'none' (a constant). */
export function conditionSide(expr: Expr, leftWidth: number): 'left' | 'right' | 'both' | 'none' {
  const columns = collectColumns(expr, new Set());
  let left = false;
  let right = false;
  for (const c of columns) {
    if (c < leftWidth) left = true;
    else right = true;
  }
  return left && right ? 'both' : left ? 'left' : right ? 'right' : 'none';
}

/** Columns of a right-side expression (over left ++ right) renumbered to the right input alone. */
export function toRightInput(expr: Expr, leftWidth: number): Expr {
  const mapping = new Map<number, number>();
  for (const c of collectColumns(expr, new Set())) mapping.set(c, c - leftWidth);
  return remapColumns(expr, mapping);
}

/** Columns of a right-input expression renumbered to left ++ right. */
export function fromRightInput(expr: Expr, leftWidth: number): Expr {
  const mapping = new Map<number, number>();
  for (const c of collectColumns(expr, new Set())) mapping.set(c, c + leftWidth);
  return remapColumns(expr, mapping);
}

/** Equi-join keys and the residual conjuncts of a condition over left ++ right. */
export function splitJoinCondition(conjuncts: readonly Expr[], leftWidth: number): { leftKeys: Expr[]; rightKeys: Expr[]; residual: Expr[] } {
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const residual: Expr[] = [];
  for (const conjunct of conjuncts.flatMap(splitConjunction)) {
    if (conjunct.kind === 'call' && conjunct.fn === 'eq') {
      const [a, b] = conjunct.args;
      const sideA = conditionSide(a, leftWidth);
      const sideB = conditionSide(b, leftWidth);
      if (sideA === 'left' && sideB === 'right') {
        leftKeys.push(a);
        rightKeys.push(toRightInput(b, leftWidth));
        continue;
      }
      if (sideA === 'right' && sideB === 'left') {
        leftKeys.push(b);
        rightKeys.push(toRightInput(a, leftWidth));
        continue;
      }
    }
    residual.push(conjunct);
  }
  return { leftKeys, rightKeys, residual };
}

/**
 * A join of `left` and `right` on conjuncts over left ++ right (none: a cross join for inner);
 * equalities between the sides become hash keys, the rest the residual filter.
 */
export function makeJoin(type: JoinType, left: LogicalPlan, right: LogicalPlan, conditions: readonly Expr[], nullAware = false): Join {
  const leftWidth = left.schema.fields.length;
  const { leftKeys, rightKeys, residual } = splitJoinCondition(conditions, leftWidth);
  return {
    kind: 'join', joinType: type, left, right, leftKeys, rightKeys,
    filter: residual.length === 0 ? null : conjunction(residual),
    nullAware, schema: joinSchema(type, left.schema, right.schema),
  };
}

/** The whole condition of a join (keys as equalities, then the filter) over left ++ right. */
export function joinConditions(join: Join): Expr[] {
  const leftWidth = join.left.schema.fields.length;
  const equalities = join.leftKeys.map((key, i): Expr => ({
    kind: 'call', fn: 'eq', args: [key, fromRightInput(join.rightKeys[i], leftWidth)], type: Types.boolean,
  }));
  return [...equalities, ...(join.filter === null ? [] : splitConjunction(join.filter))];
}
