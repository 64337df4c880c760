import assert from 'node:assert/strict';
import { Types, type Schema } from '../../../storage/index.js';
import type { Expr } from '../../../query/plan/index.js';
import { evaluateExpr, valueAt } from '../../../query/exec/index.js';
import { batchFromRows } from '../support/memory-table.js';
import { Duck } from './duckdb-side.js';
import { assertLikeDuckDb, type Case } from './differential.js';
import { call, col, dec, lit } from './expr-builders.js';

const { int32, float64, string, boolean, date } = Types;

function inList(expr: Expr, list: Expr[], negated = false): Expr {
  return { kind: 'in_list', expr, list, negated, type: boolean };
}

function like(expr: Expr, pattern: string, options: { escape?: string; negated?: boolean; ci?: boolean } = {}): Expr {
  return { kind: 'like', expr, pattern: lit(pattern, string), escape: options.escape ?? null, negated: options.negated ?? false, caseInsensitive: options.ci ?? false, type: boolean };
}

describe('exec: comparisons, logic, IN and LIKE against DuckDB', () => {
  let duck: Duck;
  before(async () => { duck = await Duck.open(); });

  const schema: Schema = {
    fields: [
      { name: 'a', type: int32, nullable: true },
      { name: 's', type: string, nullable: true },
      { name: 'x', type: dec(15, 2), nullable: true },
      { name: 'f', type: float64, nullable: true },
      { name: 'p', type: boolean, nullable: true },
      { name: 'q', type: boolean, nullable: true },
      { name: 'd', type: date, nullable: true },
    ],
  };
  const rows = [
    [1, 'apple', 150, 1.5, true, true, '2024-02-29'],
    [2, 'Apple', 2400, Number.NaN, true, false, '1999-12-31'],
    [3, 'a_b%c', -5, -0.5, false, null, '1970-01-01'],
    [null, null, null, null, null, null, null],
    [-2147483648, 'été ☃', 0, 0, null, true, '2000-02-29'],
    [2147483647, '', 2400, 24, false, false, '2024-03-01'],
    [5, 'banana\nsplit', 100, Infinity, null, false, '1960-06-15'],
    [24, 'zz', 2399, 23.999, true, null, '2024-02-28'],
  ];
  const a = col(0, int32); const s = col(1, string); const x = col(2, dec(15, 2));
  const f = col(3, float64); const p = col(4, boolean); const q = col(5, boolean); const d = col(6, date);

  it('compares every type with NULLs, NaN (equal to itself, above all) and decimal scales', async () => {
    const cases: Case[] = [
      { sql: 'a < 3', expr: call('lt', boolean, a, lit(3, int32)) },
      { sql: '3 <= a', expr: call('le', boolean, lit(3, int32), a) },
      { sql: 'a = a', expr: call('eq', boolean, a, a) },
      { sql: "s > 'apple'", expr: call('gt', boolean, s, lit('apple', string)) },
      { sql: "'b' >= s", expr: call('ge', boolean, lit('b', string), s) },
      { sql: 's <> s', expr: call('ne', boolean, s, s) },
      { sql: 'x < 24', expr: call('lt', boolean, x, lit(24, dec(18, 0))) },
      { sql: 'x = 1.5', expr: call('eq', boolean, x, lit(15, dec(2, 1))) },
      { sql: 'f > 23.999', expr: call('gt', boolean, f, lit(23.999, float64)) },
      { sql: "f = 'nan'::DOUBLE", expr: call('eq', boolean, f, lit(Number.NaN, float64)) },
      { sql: "f < 'nan'::DOUBLE", expr: call('lt', boolean, f, lit(Number.NaN, float64)) },
      { sql: "d >= DATE '2000-02-29'", expr: call('ge', boolean, d, lit(11016, date)) },
      { sql: 'a = NULL', expr: call('eq', boolean, a, lit(null, int32)) },
    ];
    await assertLikeDuckDb(duck, schema, rows, cases);
  });

  it('AND / OR / NOT follow three-valued logic; IS [NOT] NULL is never NULL', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'p AND q', expr: call('and', boolean, p, q) },
      { sql: 'p OR q', expr: call('or', boolean, p, q) },
      { sql: 'NOT p', expr: call('not', boolean, p) },
      { sql: 'p AND q AND a > 1', expr: call('and', boolean, p, q, call('gt', boolean, a, lit(1, int32))) },
      { sql: 'p OR NULL', expr: call('or', boolean, p, lit(null, boolean)) },
      { sql: 'p IS NULL', expr: { kind: 'is_null', expr: p, negated: false, type: boolean } },
      { sql: 's IS NOT NULL', expr: { kind: 'is_null', expr: s, negated: true, type: boolean } },
    ]);
  });

  it('IN and NOT IN over constant lists (with NULL in the list) and column lists', async () => {
    const manyNumbers = Array.from({ length: 20 }, (_, i) => lit(i * 3, int32));
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'a IN (1, 3, 24)', expr: inList(a, [lit(1, int32), lit(3, int32), lit(24, int32)]) },
      { sql: 'a NOT IN (1, 3)', expr: inList(a, [lit(1, int32), lit(3, int32)], true) },
      { sql: 'a IN (1, NULL)', expr: inList(a, [lit(1, int32), lit(null, int32)]) },
      { sql: 'a NOT IN (1, NULL)', expr: inList(a, [lit(1, int32), lit(null, int32)], true) },
      { sql: `a IN (${manyNumbers.map((_, i) => i * 3).join(', ')})`, expr: inList(a, manyNumbers) },
      { sql: "s IN ('apple', 'zz', '')", expr: inList(s, [lit('apple', string), lit('zz', string), lit('', string)]) },
      { sql: 'x IN (1.50, 24)', expr: inList(x, [lit(150, dec(3, 2)), lit(24, dec(18, 0))]) },
      { sql: 'a IN (x, 5)', expr: inList(call('multiply', dec(18, 2), a, lit(100, dec(3, 2))), [x, lit(500, dec(15, 2))]) },
    ]);
  });

  it('LIKE with % and _ (one code point), escapes, ILIKE and NOT LIKE', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: "s LIKE 'a%'", expr: like(s, 'a%') },
      { sql: "s LIKE '%a'", expr: like(s, '%a') },
      { sql: "s LIKE '%an%'", expr: like(s, '%an%') },
      { sql: "s LIKE 'a_b%'", expr: like(s, 'a_b%') },
      { sql: "s LIKE 'a!_b!%c' ESCAPE '!'", expr: like(s, 'a!_b!%c', { escape: '!' }) },
      { sql: "s LIKE '_t_ _'", expr: like(s, '_t_ _') },
      { sql: "s LIKE 'banana%split'", expr: like(s, 'banana%split') },
      { sql: "s LIKE ''", expr: like(s, '') },
      { sql: "s LIKE '%'", expr: like(s, '%') },
      { sql: "s ILIKE 'APPLE'", expr: like(s, 'APPLE', { ci: true }) },
      { sql: "s NOT LIKE '%p%'", expr: like(s, '%p%', { negated: true }) },
      { sql: "s LIKE 'a\\_b%'", expr: like(s, 'a\\_b%') },
    ]);
  });

  it('LIKE evaluates a pattern column row by row', () => {
    const batch = batchFromRows({ fields: [{ name: 's', type: string, nullable: true }, { name: 'p', type: string, nullable: true }] },
      [['abc', 'a%'], ['abc', '_b_'], ['abc', 'b%'], [null, '%'], ['x', null]]);
    const expr: Expr = { kind: 'like', expr: col(0, string), pattern: col(1, string), escape: null, negated: false, caseInsensitive: false, type: boolean };
    const result = evaluateExpr(expr, batch);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => valueAt(result, i)), [true, true, false, null, null]);
  });
});
