/**
 * Default output column names: an unaliased select item is named after its SQL text in a
 * normalized form close to DuckDB's ("(a + 1)", "sum(x)", "count_star()"); a plain column keeps
 * the column's own name.
 */
import type { SqlExpr } from './ast.js';

/** The default name of an expression as an output column. */
export function exprName(ast: SqlExpr): string {
  switch (ast.kind) {
    case 'column': return ast.name;
    case 'star': return ast.table === null ? '*' : `${ast.table}.*`;
    case 'number': return ast.text;
    case 'string': return `'${ast.value.split("'").join("''")}'`;
    case 'boolean': return ast.value ? 'true' : 'false';
    case 'null': return 'NULL';
    case 'typed_literal': return `${ast.type.toUpperCase()} '${ast.value}'`;
    case 'interval': return `INTERVAL '${ast.value}'${ast.unit === null ? '' : ` ${ast.unit.toUpperCase()}`}`;
    case 'unary': {
      const operand = exprName(ast.expr);
      if (ast.op === 'not') return `(NOT ${operand})`;
      return operand.startsWith('-') || operand.startsWith('+') ? `(${ast.op} ${operand})` : `(${ast.op}${operand})`;
    }
    case 'binary': return `(${exprName(ast.left)} ${ast.op === 'and' || ast.op === 'or' ? ast.op.toUpperCase() : ast.op} ${exprName(ast.right)})`;
    case 'like': return `(${exprName(ast.expr)} ${ast.negated ? 'NOT ' : ''}${ast.caseInsensitive ? 'ILIKE' : 'LIKE'} ${exprName(ast.pattern)})`;
    case 'in_list': return `(${exprName(ast.expr)} ${ast.negated ? 'NOT ' : ''}IN (${ast.list.map(exprName).join(', ')}))`;
    case 'between': return `(${exprName(ast.expr)} ${ast.negated ? 'NOT ' : ''}BETWEEN ${exprName(ast.low)} AND ${exprName(ast.high)})`;
    case 'is': return `(${exprName(ast.expr)} IS ${ast.negated ? 'NOT ' : ''}${ast.value.toUpperCase()})`;
    case 'case': {
      const operand = ast.operand === null ? '' : ` ${exprName(ast.operand)}`;
      const whens = ast.whens.map((arm) => ` WHEN ${exprName(arm.when)} THEN ${exprName(arm.then)}`).join('');
      const otherwise = ast.otherwise === null ? '' : ` ELSE ${exprName(ast.otherwise)}`;
      return `CASE${operand}${whens}${otherwise} END`;
    }
    case 'cast': return `CAST(${exprName(ast.expr)} AS ${ast.type.name}${ast.type.length === null ? '' : `(${ast.type.length}${ast.type.scale === null ? '' : `,${ast.type.scale}`})`})`;
    case 'function': {
      if (ast.star) return `${ast.name}_star()`;
      return `${ast.name}(${ast.distinct ? 'DISTINCT ' : ''}${ast.args.map(exprName).join(', ')})`;
    }
    case 'extract': return `extract(${ast.field} FROM ${exprName(ast.expr)})`;
    case 'subquery': return '(SELECT …)';
    case 'in_subquery': return `(${exprName(ast.expr)} IN (SELECT …))`;
    case 'exists': return `${ast.negated ? 'NOT ' : ''}EXISTS(SELECT …)`;
    case 'window_function': return `${ast.name}() OVER (…)`;
  }
}
