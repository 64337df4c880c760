import assert from 'node:assert/strict';
import { Types, type Schema } from '../../../storage/index.js';
import type { Expr, IntervalValue } from '../../../query/plan/index.js';
import { evaluateConstant, evaluateExpr, valueAt } from '../../../query/exec/index.js';
import { batchFromRows } from '../support/memory-table.js';
import { Duck } from './duckdb-side.js';
import { assertLikeDuckDb, type Case } from './differential.js';
import { call, cast, col, lit } from './expr-builders.js';

const { int32, int64, float64, string, date, timestamp, interval } = Types;

function every(months: number, days: number, micros = 0): Expr {
  return lit({ months, days, micros } satisfies IntervalValue, interval);
}

describe('exec: dates, timestamps and intervals against DuckDB', () => {
  let duck: Duck;
  before(async () => { duck = await Duck.open(); });

  const schema: Schema = { fields: [{ name: 'd', type: date, nullable: true }, { name: 't', type: timestamp, nullable: true }] };
  const rows = [
    ['2024-01-31', '2024-01-31 10:20:30.123456'], ['2023-01-31', '2023-03-31 23:59:59'], ['2024-02-29', '2024-02-29 00:00:00'],
    ['2000-02-29', '2000-12-31 12:00:00'], ['1900-03-01', '1900-02-28 01:02:03'], ['1969-12-31', '1969-12-31 23:59:59.999999'],
    ['2021-01-03', '2021-01-03 00:00:00.5'], ['2020-12-31', '2020-12-28 08:00:00'], ['1970-01-01', '1970-01-01 00:00:00'],
    ['0044-03-15', '0001-01-01 00:00:00'], [null, null], ['2024-12-30', '2027-01-01 00:00:00'],
  ];
  const d = col(0, date); const t = col(1, timestamp);

  it('date_part on dates and timestamps: calendar, ISO week, dow, time parts, epoch', async () => {
    const parts = ['year', 'quarter', 'month', 'week', 'day', 'dow', 'isodow', 'doy'];
    const cases: Case[] = [];
    for (const part of parts) {
      cases.push({ sql: `date_part('${part}', d)`, expr: call('date_part', int64, lit(part, string), d) });
      cases.push({ sql: `date_part('${part}', t)`, expr: call('date_part', int64, lit(part, string), t) });
    }
    for (const part of ['hour', 'minute', 'second', 'millisecond', 'microsecond']) {
      cases.push({ sql: `date_part('${part}', t)`, expr: call('date_part', int64, lit(part, string), t) });
    }
    cases.push({ sql: "date_part('epoch', t)", expr: call('date_part', float64, lit('epoch', string), t) });
    cases.push({ sql: "date_part('epoch', d)", expr: call('date_part', float64, lit('epoch', string), d) });
    await assertLikeDuckDb(duck, schema, rows, cases);
  });

  it('date_trunc keeps the argument type', async () => {
    const cases: Case[] = [];
    for (const part of ['year', 'quarter', 'month', 'week', 'day']) {
      cases.push({ sql: `CAST(date_trunc('${part}', d) AS DATE)`, expr: call('date_trunc', date, lit(part, string), d) });
    }
    for (const part of ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second']) {
      cases.push({ sql: `date_trunc('${part}', t)`, expr: call('date_trunc', timestamp, lit(part, string), t) });
    }
    await assertLikeDuckDb(duck, schema, rows, cases);
  });

  it('interval arithmetic clamps to month ends and honours leap years', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'CAST(d + INTERVAL 1 MONTH AS DATE)', expr: call('add', date, d, every(1, 0)) },
      { sql: 'CAST(d - INTERVAL 1 MONTH AS DATE)', expr: call('subtract', date, d, every(1, 0)) },
      { sql: 'CAST(d + INTERVAL 1 YEAR AS DATE)', expr: call('add', date, d, every(12, 0)) },
      { sql: 'CAST(d - INTERVAL 13 MONTH AS DATE)', expr: call('subtract', date, d, every(13, 0)) },
      { sql: "CAST(d + INTERVAL '1 month 1 day' AS DATE)", expr: call('add', date, d, every(1, 1)) },
      { sql: 'CAST(d + INTERVAL 90 DAY AS DATE)', expr: call('add', date, d, every(0, 90)) },
      { sql: "d + INTERVAL '2 hours'", expr: call('add', timestamp, cast(d, timestamp), every(0, 0, 7_200_000_000)) },
      { sql: "t + INTERVAL '1 month 2 days 3 hours'", expr: call('add', timestamp, t, every(1, 2, 10_800_000_000)) },
      { sql: 't - INTERVAL 1 MONTH', expr: call('subtract', timestamp, t, every(1, 0)) },
      { sql: 'CAST(INTERVAL 1 MONTH + d AS DATE)', expr: call('add', date, every(1, 0), d) },
      { sql: "d - DATE '2000-01-01'", expr: call('subtract', int32, d, lit(10957, date)) },
      { sql: 'd + 7', expr: call('add', date, d, lit(7, int32)) },
    ]);
  });

  it('constant intervals: casts of text, negation, sums and multiples', () => {
    assert.deepEqual(evaluateConstant(cast(lit('1 year 2 months 3 days 04:05:06.5', string), interval)), { months: 14, days: 3, micros: 14_706_500_000 });
    assert.deepEqual(evaluateConstant(call('negate', interval, every(1, 2, 3))), { months: -1, days: -2, micros: -3 });
    assert.deepEqual(evaluateConstant(call('multiply', interval, every(0, 1), lit(3, int32))), { months: 0, days: 3, micros: 0 });
    assert.deepEqual(evaluateConstant(call('add', interval, every(1, 0), every(0, 2))), { months: 1, days: 2, micros: 0 });
    assert.throws(() => evaluateConstant(cast(lit('3 fortnights', string), interval)), { code: 'INVALID_CAST' });
    const batch = batchFromRows(schema, [['2024-01-31', null]]);
    const viaCast = evaluateExpr(call('add', date, d, cast(lit('1 month', string), interval)), batch);
    assert.equal(valueAt(viaCast, 0), 19782);
  });
});
