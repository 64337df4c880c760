/**
 * Vectorized evaluation of bound expressions: each node becomes one or a few whole-column
 * kernels over the batch; literals stay scalars where a kernel takes them. The binder's typing
 * rules (query/plan/expr.ts) are trusted: kernels do not re-derive result types.
 */
import type { Batch, DataType, NumericVector, Vector } from '../../storage/index.js';
import type { Call, Cast, Expr, LiteralValue } from '../plan/index.js';
import { evaluateArithmetic, evaluateNegate, type ArithmeticFunction } from './arithmetic.js';
import { castVector } from './cast.js';
import { evaluateComparison, type ComparisonFunction } from './comparison.js';
import { evaluateCase, evaluateCoalesce, evaluateExtreme, evaluateNullIf } from './conditional.js';
import { evaluateDatePart, evaluateDateTrunc } from './datetime-functions.js';
import { badPlan } from './exec-errors.js';
import { evaluateInList } from './in-list.js';
import { evaluateLike } from './like.js';
import { and, isNullMask, not, or } from './logical.js';
import { evaluateMath, type MathFunction } from './math-functions.js';
import { constantVector, materialize, scalar, type Operand } from './operand.js';
import { evaluateStringFunction, type StringFunction } from './string-functions.js';
import { evaluateConstantInterval } from './interval-constant.js';
import { evaluateFused } from './fused-arithmetic.js';

/** Evaluates a scalar expression over a batch (vectorized); the result has batch.length rows. */
export function evaluateExpr(expr: Expr, batch: Batch): Vector {
  switch (expr.kind) {
    case 'column': {
      const column = batch.columns[expr.index];
      if (column === undefined) throw badPlan(`column #${expr.index} (${expr.name}) is not in a batch of ${batch.columns.length} columns`);
      return column;
    }
    case 'literal': return constantVector(expr.type, expr.value, batch.length);
    case 'call': return evaluateCall(expr, batch);
    case 'case': return evaluateCase(expr, batch, evaluateExpr);
    case 'cast': return evaluateCast(expr, batch);
    case 'in_list': return evaluateInList(expr, batch, evaluateExpr, evaluateOperand);
    case 'like': return evaluateLike(evaluateOperand(expr.expr, batch), evaluateOperand(expr.pattern, batch),
      expr.escape, expr.negated, expr.caseInsensitive, batch.length);
    case 'is_null': return isNullMask(evaluateExpr(expr.expr, batch), expr.negated, batch.length);
  }
}

/** A literal as a scalar operand, anything else as a vector. */
export function evaluateOperand(expr: Expr, batch: Batch): Operand {
  if (expr.kind === 'literal') return scalar(expr.type, expr.value);
  // Intervals exist only as constants (vectors cannot hold months and days).
  if (expr.type.id === 'interval') return scalar(expr.type, evaluateConstantInterval(expr));
  return evaluateExpr(expr, batch);
}

function evaluateCast(expr: Cast, batch: Batch): Vector {
  return castVector(evaluateExpr(expr.expr, batch), expr.type);
}

const arithmetic = new Set<string>(['add', 'subtract', 'multiply', 'divide', 'integer_divide', 'modulo']);
const comparisons = new Set<string>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const fusable = new Set<string>(['add', 'subtract', 'multiply', 'divide', 'negate']);
const math = new Set<string>(['abs', 'round', 'floor', 'ceil', 'sqrt', 'power', 'ln', 'exp', 'sign']);

function evaluateCall(call: Call, batch: Batch): Vector {
  const n = batch.length;
  const fn = call.fn;
  if (fn === 'coalesce') return evaluateCoalesce(call.type, call.args, batch, evaluateExpr);
  if (fn === 'and' || fn === 'or') return evaluateLogic(fn, call.args, batch);
  if (fusable.has(fn)) {
    const fused = evaluateFused(call, batch);
    if (fused !== null) return fused;
  }
  const args = call.args.map((arg) => evaluateOperand(arg, batch));
  if (arithmetic.has(fn)) return evaluateArithmetic(fn as ArithmeticFunction, call.type, args[0], args[1], n);
  if (comparisons.has(fn)) return evaluateComparison(fn as ComparisonFunction, args[0], args[1], n);
  if (math.has(fn)) return evaluateMath(fn as MathFunction, call.type, args, n);
  switch (fn) {
    case 'negate': return evaluateNegate(call.type, args[0], n);
    case 'not': return not(materialize(args[0], n) as NumericVector, n);
    case 'nullif': return evaluateNullIf(args[0], args[1], n);
    case 'greatest':
    case 'least': return evaluateExtreme(fn, call.type, args, n);
    case 'date_part': return evaluateDatePart(call.type, args, n);
    case 'date_trunc': return evaluateDateTrunc(call.type, args, n);
    default: return evaluateStringFunction(fn as StringFunction, call.type, args, n);
  }
}

function evaluateLogic(fn: 'and' | 'or', args: readonly Expr[], batch: Batch): Vector {
  const n = batch.length;
  let result = materialize(evaluateOperand(args[0], batch), n) as NumericVector;
  for (let k = 1; k < args.length; k++) {
    const next = materialize(evaluateOperand(args[k], batch), n) as NumericVector;
    result = fn === 'and' ? and(result, next, n) : or(result, next, n);
  }
  return result;
}

const one: Batch = { length: 1, columns: [] };

/** Evaluates an expression with no column references (constant folding); throws StrataError on e.g. a bad cast. */
export function evaluateConstant(expr: Expr): LiteralValue {
  if (expr.type.id === 'interval') return evaluateConstantInterval(expr);
  return valueAt(evaluateExpr(expr, one), 0, expr.type);
}

/** Row i of a vector as a literal value in in-memory units (booleans as true/false). */
export function valueAt(vector: Vector, i: number, type: DataType = vector.type): LiteralValue {
  if (vector.nulls !== null && vector.nulls[i] === 1) return null;
  if (vector.kind === 'string') return vector.dictionary[vector.codes[i]];
  const v = vector.values[i];
  if (type.id === 'boolean') return v === 1;
  return Number(v);
}
