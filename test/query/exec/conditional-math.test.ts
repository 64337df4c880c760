import assert from 'node:assert/strict';
import { Types, type Schema } from '../../../storage/index.js';
import type { Expr } from '../../../query/plan/index.js';
import { evaluateConstant, evaluateExpr, valueAt } from '../../../query/exec/index.js';
import { batchFromRows } from '../support/memory-table.js';
import { Duck } from './duckdb-side.js';
import { assertBothFail, assertLikeDuckDb } from './differential.js';
import { call, cast, col, dec, lit } from './expr-builders.js';

const { int32, int64, float64, string, boolean } = Types;

function caseWhen(whens: [Expr, Expr][], otherwise: Expr | null, type: Expr['type']): Expr {
  return { kind: 'case', whens: whens.map(([when, then]) => ({ when, then })), otherwise, type };
}

describe('exec: CASE, COALESCE, NULLIF, GREATEST/LEAST and math against DuckDB', () => {
  let duck: Duck;
  before(async () => { duck = await Duck.open(); });

  const schema: Schema = {
    fields: [
      { name: 'a', type: int32, nullable: true }, { name: 's', type: string, nullable: true },
      { name: 'x', type: dec(12, 3), nullable: true }, { name: 'f', type: float64, nullable: true },
    ],
  };
  const rows = [
    [1, '12', 1500, 2.5], [0, 'abc', -1500, -2.5], [2000000, '7', 2675, 1.005], [null, null, null, null],
    [-3, '-4', -5, 0.5], [5, '1e2', 999_999_999, 1234.5], [0, '0', 0, 0], [-2147483647, '', 125, -0.5],
  ];
  const a = col(0, int32); const s = col(1, string); const x = col(2, dec(12, 3)); const f = col(3, float64);

  it('CASE evaluates each branch only on its rows (no cast error, no overflow on rows not taken)', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'CASE WHEN a BETWEEN -1000 AND 1000 THEN a * 1000000 ELSE -1 END',
        expr: caseWhen([[call('and', boolean, call('ge', boolean, a, lit(-1000, int32)), call('le', boolean, a, lit(1000, int32))),
          call('multiply', int32, a, lit(1000000, int32))]], lit(-1, int32), int32) },
      { sql: "CASE WHEN s IN ('12', '7', '-4', '0') THEN CAST(s AS INTEGER) WHEN s = '' THEN 0 END",
        expr: caseWhen([[{ kind: 'in_list', expr: s, list: ['12', '7', '-4', '0'].map((v) => lit(v, string)), negated: false, type: boolean }, cast(s, int32)],
          [call('eq', boolean, s, lit('', string)), lit(0, int32)]], null, int32) },
      { sql: "CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN s ELSE 'zero or null' END",
        expr: caseWhen([[call('gt', boolean, a, lit(0, int32)), lit('pos', string)], [call('lt', boolean, a, lit(0, int32)), s]], lit('zero or null', string), string) },
      { sql: 'CASE WHEN a <> 0 THEN 100 // a END', expr: caseWhen([[call('ne', boolean, a, lit(0, int32)), call('integer_divide', int32, lit(100, int32), a)]], null, int32) },
      { sql: 'CASE WHEN TRUE THEN x END', expr: caseWhen([[lit(true, boolean), x]], null, dec(12, 3)) },
      { sql: 'coalesce(a, 42)', expr: call('coalesce', int32, a, lit(42, int32)) },
      { sql: "coalesce(s, 'none')", expr: call('coalesce', string, s, lit('none', string)) },
      { sql: 'coalesce(NULL::INTEGER, a, -1)', expr: call('coalesce', int32, lit(null, int32), a, lit(-1, int32)) },
      { sql: 'nullif(a, 0)', expr: call('nullif', int32, a, lit(0, int32)) },
      { sql: "nullif(s, '0')", expr: call('nullif', string, s, lit('0', string)) },
      { sql: 'greatest(a, 0, NULL)', expr: call('greatest', int32, a, lit(0, int32), lit(null, int32)) },
      { sql: "least(s, 'b')", expr: call('least', string, s, lit('b', string)) },
    ]);
  });

  it('COALESCE evaluates later arguments only where earlier ones are NULL', () => {
    const batch = batchFromRows(schema, [[1, 'not a number', 0, 0], [null, '5', 0, 0]]);
    const result = evaluateExpr(call('coalesce', int32, a, cast(s, int32)), batch);
    assert.deepEqual([valueAt(result, 0), valueAt(result, 1)], [1, 5]);
  });

  it('math: abs, sign, round (half away from zero), floor/ceil on decimals, sqrt, ln, exp, power', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'abs(x)', expr: call('abs', dec(12, 3), x) },
      { sql: 'abs(f)', expr: call('abs', float64, f) },
      { sql: 'sign(f)::INTEGER', expr: call('sign', int32, f) },
      { sql: 'round(x, 2)', expr: call('round', dec(12, 2), x, lit(2, int64)) },
      { sql: 'round(x)', expr: call('round', dec(12, 0), x, lit(0, int64)) },
      { sql: 'round(x, -2)', expr: call('round', dec(12, 0), x, lit(-2, int64)) },
      { sql: 'round(x, 5)', expr: call('round', dec(12, 3), x, lit(5, int64)) },
      { sql: 'round(f, 2)', expr: call('round', float64, f, lit(2, int64)) },
      { sql: 'round(f)', expr: call('round', float64, f, lit(0, int64)) },
      { sql: 'round(a, -1)', expr: call('round', int32, a, lit(-1, int64)) },
      { sql: 'floor(x)', expr: call('floor', dec(12, 0), x) },
      { sql: 'ceil(x)', expr: call('ceil', dec(12, 0), x) },
      { sql: 'floor(f)', expr: call('floor', float64, f) },
      { sql: 'sqrt(abs(f))', expr: call('sqrt', float64, call('abs', float64, f)) },
      { sql: 'exp(f)', expr: call('exp', float64, f) },
      { sql: 'power(f, 2)', expr: call('power', float64, f, lit(2, float64)) },
      { sql: 'ln(abs(f) + 1)', expr: call('ln', float64, call('add', float64, call('abs', float64, f), lit(1, float64))) },
    ]);
  });

  it('math domain errors are NUMERIC_OUT_OF_RANGE as DuckDB errors', async () => {
    const one: Schema = { fields: [{ name: 'f', type: float64, nullable: true }] };
    await assertBothFail(duck, one, [[-1]], { sql: 'sqrt(f)', expr: call('sqrt', float64, col(0, float64)) }, 'NUMERIC_OUT_OF_RANGE');
    await assertBothFail(duck, one, [[0]], { sql: 'ln(f)', expr: call('ln', float64, col(0, float64)) }, 'NUMERIC_OUT_OF_RANGE');
    const ints: Schema = { fields: [{ name: 'a', type: int32, nullable: true }] };
    await assertBothFail(duck, ints, [[-2147483648]], { sql: 'abs(a)', expr: call('abs', int32, col(0, int32)) }, 'NUMERIC_OUT_OF_RANGE');
  });

  it('evaluateConstant folds constant expressions into literal values', () => {
    assert.equal(evaluateConstant(call('add', int32, lit(2, int32), lit(3, int32))), 5);
    assert.equal(evaluateConstant(call('concat', string, lit('a', string), lit('b', string))), 'ab');
    assert.equal(evaluateConstant(call('lt', boolean, lit(2, int32), lit(3, int32))), true);
    assert.equal(evaluateConstant(call('add', int32, lit(null, int32), lit(3, int32))), null);
    assert.equal(evaluateConstant(cast(lit('12.345', string), dec(10, 2))), 1235);
    assert.equal(evaluateConstant(call('divide', float64, lit(1, float64), lit(0, float64))), Infinity);
    assert.throws(() => evaluateConstant(cast(lit('abc', string), int32)), { code: 'INVALID_CAST', kind: 'input' });
    assert.throws(() => evaluateConstant(call('add', int32, lit(2147483647, int32), lit(1, int32))), { code: 'NUMERIC_OUT_OF_RANGE' });
  });
});
