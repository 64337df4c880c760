/**
 * Fuses a tree of arithmetic (+ - * / and unary minus over numeric columns and literals, with
 * widening casts) into one compiled loop: `l_extendedprice * (1 - l_discount) * (1 + l_tax)`
 * becomes one pass writing one array instead of four passes and four temporaries.
 *
 * The loop is generated from strata's own typed plan: the code holds only operators and local
 * names chosen here; column arrays, literal values and range limits are passed in as arguments,
 * so no SQL text or data ever becomes code. Each intermediate is checked against its type's
 * exact range; when a check fires (or could be a NULL row's garbage), the caller falls back to
 * the node-by-node kernels, which raise the precise error or none.
 */
import { exactIntegerMax, numericVector, type Batch, type DataType, type NumericArray, type NumericVector, type Vector } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { isWideDecimal, scaleOf, tenTo } from './decimal.js';
import { unionNulls } from './vector-ops.js';

/** A fusable tree compiled to loop source: which columns it reads and the constants it takes. */
interface FusedPlan {
  readonly body: string[];
  readonly result: string;
  readonly columns: number[];
  readonly constants: number[];
}

/** A compiled fusion of one expression, with loops per combination of column array classes. */
interface Fused {
  readonly plan: FusedPlan;
  readonly loops: Map<string, FusedLoop>;
}

type FusedLoop = (columns: readonly ArrayLike<number>[], constants: readonly number[], out: NumericArray, n: number) => number;

const fusableTypes = new Set(['int16', 'int32', 'int64', 'float64', 'decimal']);
const ranges: Record<string, number> = { int16: 32767, int32: 2147483647, int64: exactIntegerMax, decimal: exactIntegerMax };
const compiled = new WeakMap<Expr, Fused | null>();

function fusableType(type: DataType): boolean {
  return fusableTypes.has(type.id) && !isWideDecimal(type);
}

/** Builds loop source for an expression tree, or returns null when some node cannot be fused. */
class PlanBuilder {
  readonly body: string[] = [];
  readonly columns: number[] = [];
  readonly constants: number[] = [];
  operators = 0;

  constant(value: number): string {
    this.constants.push(value);
    return `k${this.constants.length - 1}`;
  }

  /** A local holding the node's value (in its own type's units), or null. */
  node(expr: Expr): string | null {
    if (!fusableType(expr.type)) return null;
    switch (expr.kind) {
      case 'column': {
        let at = this.columns.indexOf(expr.index);
        if (at < 0) {
          at = this.columns.length;
          this.columns.push(expr.index);
        }
        return `v${at}`;
      }
      case 'literal': return typeof expr.value === 'number' ? this.constant(expr.value) : null;
      case 'cast': return this.cast(expr.expr, expr.type);
      case 'call': return this.call(expr.fn, expr.args, expr.type);
      default: return null;
    }
  }

  /** Widening casts only: integer to integer/decimal/double, decimal to double. */
  private cast(inner: Expr, type: DataType): string | null {
    const value = this.node(inner);
    if (value === null) return null;
    const from = inner.type.id;
    if (type.id === 'float64') return from === 'decimal' ? this.emit(`${value} / ${this.constant(tenTo(scaleOf(inner.type)))}`, null) : value;
    if (from === 'decimal' || from === 'float64') return null;
    if (type.id === 'decimal') return scaleOf(type) === 0 ? value : this.emit(`${value} * ${this.constant(tenTo(scaleOf(type)))}`, type);
    return ranges[type.id] >= ranges[from] ? value : null;
  }

  /** The operand in the units of the result type: doubles for a float64 result, else aligned decimal units. */
  private operand(expr: Expr, value: string, result: DataType, scale: number): string {
    if (result.id === 'float64') return expr.type.id === 'decimal' ? `(${value} / ${this.constant(tenTo(scaleOf(expr.type)))})` : value;
    const shift = scale - scaleOf(expr.type);
    return shift === 0 ? value : `(${value} * ${this.constant(tenTo(shift))})`;
  }

  private call(fn: string, args: readonly Expr[], type: DataType): string | null {
    const values = args.map((a) => this.node(a));
    if (values.some((v) => v === null)) return null;
    const [a, b] = values as string[];
    this.operators++;
    if (fn === 'negate') return type.id === 'float64' ? this.emit(`-${a}`, null) : this.emit(`0 - ${a}`, type);
    if (fn === 'divide') {
      if (type.id !== 'float64') return null;
      return this.emit(`${this.operand(args[0], a, type, 0)} / ${this.operand(args[1], b, type, 0)}`, null);
    }
    if (fn !== 'add' && fn !== 'subtract' && fn !== 'multiply') return null;
    if (type.id !== 'float64' && (args[0].type.id === 'float64' || args[1].type.id === 'float64')) return null;
    if (fn === 'multiply') {
      if (type.id === 'decimal' && scaleOf(type) !== scaleOf(args[0].type) + scaleOf(args[1].type)) return null;
      const x = type.id === 'float64' ? this.operand(args[0], a, type, 0) : a;
      const y = type.id === 'float64' ? this.operand(args[1], b, type, 0) : b;
      return this.emit(`${x} * ${y}`, type);
    }
    const scale = scaleOf(type);
    return this.emit(`${this.operand(args[0], a, type, scale)} ${fn === 'add' ? '+' : '-'} ${this.operand(args[1], b, type, scale)}`, type);
  }

  /** Emits `const tN = code;` with a range check for exact types (null type: no check). */
  private emit(code: string, type: DataType | null): string {
    const name = `t${this.body.length}`;
    const exact = type !== null && type.id !== 'float64';
    this.body.push(`const ${name} = ${code}${exact ? ' + 0' : ''};`);
    if (exact) {
      const limit = this.constant(ranges[type.id]);
      this.body.push(`if (${name} > ${limit} || ${name} < -${limit}) bad = i;`);
    }
    return name;
  }
}

function planOf(expr: Expr): FusedPlan | null {
  const builder = new PlanBuilder();
  const result = builder.node(expr);
  // A single operator gains nothing over its own kernel.
  if (result === null || builder.operators < 2) return null;
  return { body: builder.body, result, columns: builder.columns, constants: builder.constants };
}

function compileLoop(plan: FusedPlan): FusedLoop {
  const loads = plan.columns.map((_, k) => `const v${k} = c${k}[i];`).join(' ');
  const columns = plan.columns.map((_, k) => `const c${k} = columns[${k}];`).join(' ');
  const constants = plan.constants.map((_, k) => `const k${k} = constants[${k}];`).join(' ');
  const source = `'use strict'; ${columns} ${constants} let bad = -1;
    for (let i = 0; i < n; i++) { ${loads} ${plan.body.join(' ')} out[i] = ${plan.result}; }
    return bad;`;
  return new Function('columns', 'constants', 'out', 'n', source) as FusedLoop;
}

/**
 * Evaluates an arithmetic tree in one fused loop; null when it cannot be fused or a range check
 * fired. `scratch` (a Float64Array the caller reuses across batches) receives double-typed
 * results when given and large enough; the caller must be done with the vector before reusing it.
 */
export function evaluateFused(expr: Expr, batch: Batch, scratch: Float64Array | null = null): Vector | null {
  let fused = compiled.get(expr);
  if (fused === undefined) {
    const plan = planOf(expr);
    fused = plan === null ? null : { plan, loops: new Map() };
    compiled.set(expr, fused);
  }
  if (fused === null) return null;
  const n = batch.length;
  const vectors = fused.plan.columns.map((c) => batch.columns[c] as NumericVector);
  const arrays = vectors.map((v) => v.values as ArrayLike<number>);
  const key = arrays.map((a) => (a as object).constructor.name).join(',');
  let loop = fused.loops.get(key);
  if (loop === undefined) {
    loop = compileLoop(fused.plan);
    fused.loops.set(key, loop);
  }
  const narrow = expr.type.id === 'int16' || expr.type.id === 'int32';
  const out = narrow ? new Int32Array(n) : scratch !== null && scratch.length >= n ? scratch.subarray(0, n) : new Float64Array(n);
  if (loop(arrays, fused.plan.constants, out, n) >= 0) return null;
  let nulls: Uint8Array | null = null;
  for (const v of vectors) nulls = unionNulls(nulls, v.nulls, n);
  return numericVector(expr.type, out, nulls);
}
