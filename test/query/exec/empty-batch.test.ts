import assert from 'node:assert/strict';
import { numericVector, stringVector, Types, type Batch } from '../../../storage/index.js';
import type { Expr } from '../../../query/plan/index.js';
import { evaluateExpr } from '../../../query/exec/index.js';
import { call, cast, col, dec, lit } from './expr-builders.js';

const { int32, int64, float64, string, boolean, date, timestamp, interval } = Types;

describe('exec: every kind of expression over an empty batch', () => {
  const empty: Batch = {
    length: 0,
    columns: [numericVector(int32, new Int32Array(0)), stringVector(string, new Int32Array(0), []), numericVector(dec(10, 2), new Float64Array(0)),
      numericVector(date, new Int32Array(0)), numericVector(float64, new Float64Array(0))],
  };
  const a = col(0, int32); const s = col(1, string); const x = col(2, dec(10, 2)); const d = col(3, date); const f = col(4, float64);
  const exprs: Expr[] = [
    call('add', int32, a, lit(1, int32)), call('multiply', dec(18, 4), x, call('subtract', dec(11, 2), lit(1, dec(1, 0)), x)),
    call('divide', float64, f, lit(0, float64)), call('modulo', int32, a, lit(0, int32)), call('negate', int32, a),
    call('lt', boolean, s, lit('b', string)), call('and', boolean, call('gt', boolean, a, lit(0, int32)), call('lt', boolean, f, lit(1, float64))),
    cast(s, int64), cast(a, string), cast(d, timestamp), call('upper', string, s), call('substring', string, s, lit(2, int64)),
    call('concat', string, s, lit('!', string)), { kind: 'like', expr: s, pattern: lit('a%', string), escape: null, negated: false, caseInsensitive: false, type: boolean },
    { kind: 'in_list', expr: a, list: [lit(1, int32), lit(null, int32)], negated: true, type: boolean },
    { kind: 'case', whens: [{ when: call('gt', boolean, a, lit(0, int32)), then: s }], otherwise: lit('none', string), type: string },
    call('coalesce', int32, a, lit(0, int32)), call('nullif', string, s, lit('', string)), call('greatest', float64, f, lit(1, float64)),
    call('date_part', int64, lit('year', string), d), call('date_trunc', date, lit('month', string), d),
    call('add', date, d, lit({ months: 1, days: 0, micros: 0 }, interval)), call('round', dec(10, 1), x, lit(1, int64)), call('sqrt', float64, f),
    { kind: 'is_null', expr: x, negated: false, type: boolean },
  ];
  it('yields empty vectors of the right type and raises nothing', () => {
    for (const expr of exprs) {
      const result = evaluateExpr(expr, empty);
      assert.equal(result.length, 0, JSON.stringify(expr));
      assert.equal(result.type.id, expr.type.id, JSON.stringify(expr));
    }
  });
});
