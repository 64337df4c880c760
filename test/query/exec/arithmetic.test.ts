import assert from 'node:assert/strict';
import { numericVector, Types, type Batch, type Schema } from '../../../storage/index.js';
import { evaluateExpr, valueAt } from '../../../query/exec/index.js';
import { Duck } from './duckdb-side.js';
import { assertBothFail, assertLikeDuckDb, type Case } from './differential.js';
import { call, cast, col, dec, lit } from './expr-builders.js';

const { int32, int64, float64, int16 } = Types;

describe('exec: arithmetic kernels against DuckDB', () => {
  let duck: Duck;
  before(async () => { duck = await Duck.open(); });

  const schema: Schema = {
    fields: [
      { name: 'a', type: int32, nullable: true },
      { name: 'b', type: int32, nullable: true },
      { name: 'x', type: dec(15, 2), nullable: true },
      { name: 'y', type: dec(10, 4), nullable: true },
      { name: 'f', type: float64, nullable: true },
      { name: 'g', type: float64, nullable: true },
      { name: 'l', type: int64, nullable: true },
    ],
  };
  const rows = [
    [7, 2, 1234, 5, 1.5, 2, 9_000_000_000_000],
    [-7, 2, -1234, -5, -1.5, 0, -3],
    [7, -2, -5, 15_000, 0, 0, 0],
    [0, 0, 0, 0, -0.25, 3, 1],
    [2147483647, -1, 99999, -1, 1e300, -1e-300, -9_007_199_254_740_991],
    [null, 3, null, 12_345, null, 4, null],
    [5, null, 1, null, 7, null, 5],
    [-2147483647, 7, 105, 2_5000, 2.5, 2.5, 12],
  ];
  const a = col(0, int32); const b = col(1, int32);
  const x = col(2, dec(15, 2)); const y = col(3, dec(10, 4));
  const f = col(4, float64); const g = col(5, float64); const l = col(6, int64);

  it('integers: + - * // % with NULLs and division by zero (// and % by zero are NULL)', async () => {
    const cases: Case[] = [
      { sql: 'a::BIGINT + b', expr: call('add', int64, cast(a, int64), cast(b, int64)) },
      { sql: 'a::BIGINT - b', expr: call('subtract', int64, cast(a, int64), cast(b, int64)) },
      { sql: 'a::BIGINT * b', expr: call('multiply', int64, cast(a, int64), cast(b, int64)) },
      { sql: 'a // b', expr: call('integer_divide', int32, a, b) },
      { sql: 'a % b', expr: call('modulo', int32, a, b) },
      { sql: 'a % 3', expr: call('modulo', int32, a, lit(3, int32)) },
      { sql: '10 - a::BIGINT', expr: call('subtract', int64, lit(10, int64), cast(a, int64)) },
      { sql: 'l + 1', expr: call('add', int64, l, lit(1, int64)) },
      { sql: 'l // 2', expr: call('integer_divide', int64, l, lit(2, int64)) },
      { sql: '-b', expr: call('negate', int32, b) },
    ];
    await assertLikeDuckDb(duck, schema, rows, cases);
  });

  it('/ yields DOUBLE with IEEE results for zero divisors', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'a / b', expr: call('divide', float64, a, b) },
      { sql: 'x / y', expr: call('divide', float64, x, y) },
      { sql: 'f / g', expr: call('divide', float64, f, g) },
      { sql: 'f % g', expr: call('modulo', float64, f, g) },
      { sql: '1 / f', expr: call('divide', float64, lit(1, float64), f) },
    ]);
  });

  it('decimals: scales align for + -, add for *; negative values and rounding stay exact', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'x + y', expr: call('add', dec(18, 4), x, y) },
      { sql: 'x - y', expr: call('subtract', dec(18, 4), x, y) },
      { sql: 'y - x', expr: call('subtract', dec(18, 4), y, x) },
      { sql: 'x * y', expr: call('multiply', dec(18, 6), x, y) },
      { sql: 'x * 1.5', expr: call('multiply', dec(18, 3), x, lit(15, dec(2, 1))) },
      { sql: '1 - x', expr: call('subtract', dec(18, 2), lit(1, dec(18, 0)), x) },
      { sql: 'x % 7.00', expr: call('modulo', dec(15, 2), x, lit(700, dec(15, 2))) },
      { sql: '-x', expr: call('negate', dec(15, 2), x) },
      { sql: 'x::DOUBLE + f', expr: call('add', float64, cast(x, float64), f) },
    ]);
  });

  it('fused arithmetic trees (one compiled loop) agree with DuckDB, NULLs included', async () => {
    const oneMinusY = call('subtract', dec(18, 4), lit(1, dec(1, 0)), y);
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'x * (1 - y) * (1 + y)', expr: call('multiply', dec(18, 10), call('multiply', dec(18, 6), x, oneMinusY), call('add', dec(18, 4), lit(1, dec(1, 0)), y)) },
      { sql: '(a::BIGINT + b) * 2 - a', expr: call('subtract', int64, call('multiply', int64, call('add', int64, cast(a, int64), cast(b, int64)), lit(2, int64)), cast(a, int64)) },
      { sql: '(f + 1) / (a - 1)', expr: call('divide', float64, call('add', float64, f, lit(1, float64)), cast(call('subtract', int32, a, lit(1, int32)), float64)) },
      { sql: '-(x + y) / 3', expr: call('divide', float64, call('negate', dec(18, 4), call('add', dec(18, 4), x, y)), lit(3, float64)) },
      { sql: 'x::DOUBLE * 2 + l', expr: call('add', float64, call('multiply', float64, cast(x, float64), lit(2, float64)), cast(l, float64)) },
    ]);
  });

  it('a fused tree that overflows falls back to the exact kernels: an error on a real row, none under NULL', async () => {
    const expr = call('add', int32, call('multiply', int32, a, lit(2, int32)), b);
    await assertBothFail(duck, schema, [[2000000000, 1, 0, 0, 0, 0, 0]], { sql: 'a * 2 + b', expr }, 'NUMERIC_OUT_OF_RANGE');
    // The value under a NULL is unspecified: a huge one there must not raise.
    const garbage: Batch = {
      length: 2,
      columns: [numericVector(int32, Int32Array.of(2000000000, 3), Uint8Array.of(1, 0)), numericVector(int32, Int32Array.of(1, 4))],
    };
    const result = evaluateExpr(expr, garbage);
    assert.deepEqual([valueAt(result, 0), valueAt(result, 1)], [null, 10]);
  });

  it('wide decimals (sums, DECIMAL(38,s) in BigInt64Array) in arithmetic, comparisons and casts', () => {
    const wide = dec(38, 2);
    const sums = { kind: 'numeric' as const, type: wide, length: 3, values: BigInt64Array.of(900719925474099200n, -150n, 0n), nulls: Uint8Array.of(0, 0, 1) };
    const batch: Batch = { length: 3, columns: [sums] };
    const column = col(0, wide);
    const rowsOf = (expr: Parameters<typeof evaluateExpr>[0]): unknown[] => {
      const result = evaluateExpr(expr, batch);
      return [0, 1, 2].map((i) => valueAt(result, i));
    };
    assert.deepEqual(rowsOf(call('gt', Types.boolean, column, lit(30000, dec(18, 2)))), [true, false, null]);
    assert.deepEqual(rowsOf(call('eq', Types.boolean, column, lit(-15, dec(18, 1)))), [false, true, null]);
    assert.deepEqual(rowsOf(cast(column, float64)), [9007199254740992, -1.5, null]);
    assert.deepEqual(rowsOf(call('subtract', dec(38, 2), column, column)), [0, 0, null]);
    const small: Batch = { length: 3, columns: [{ ...sums, values: BigInt64Array.of(150n, -150n, 0n) }] };
    const doubled = evaluateExpr(call('multiply', dec(18, 2), call('add', dec(38, 2), column, column), lit(2, dec(1, 0))), small);
    assert.deepEqual([0, 1, 2].map((i) => valueAt(doubled, i)), [600, -600, null]);
    assert.throws(() => evaluateExpr(call('multiply', dec(18, 2), column, lit(1, dec(1, 0))), batch), { code: 'DECIMAL_OVERFLOW' });
    const asText = evaluateExpr(cast(column, Types.string), batch);
    assert.deepEqual([0, 1].map((i) => valueAt(asText, i)), ['9007199254740992.00', '-1.50']);
  });

  it('INTEGER overflow raises NUMERIC_OUT_OF_RANGE as DuckDB errors', async () => {
    await assertBothFail(duck, schema, [[2147483647, 1, 0, 0, 0, 0, 0]], { sql: 'a + b', expr: call('add', int32, a, b) }, 'NUMERIC_OUT_OF_RANGE');
    await assertBothFail(duck, schema, [[-2147483648, 1, 0, 0, 0, 0, 0]], { sql: '-a', expr: call('negate', int32, a) }, 'NUMERIC_OUT_OF_RANGE');
    await assertBothFail(duck, { fields: [{ name: 'a', type: int16, nullable: true }] }, [[30000]],
      { sql: 'a * 2::SMALLINT', expr: call('multiply', int16, col(0, int16), lit(2, int16)) }, 'NUMERIC_OUT_OF_RANGE');
  });

  it('an overflow under a NULL row is no error', async () => {
    await assertLikeDuckDb(duck, schema, [[2147483647, null, 0, 0, 0, 0, 0], [null, 5, 0, 0, 0, 0, 0]], [
      { sql: 'a + b', expr: call('add', int32, a, b) },
    ]);
  });
});
