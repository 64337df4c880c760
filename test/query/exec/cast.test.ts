import assert from 'node:assert/strict';
import { Types, type DataType, type Schema } from '../../../storage/index.js';
import { evaluateExpr, valueAt } from '../../../query/exec/index.js';
import { batchFromRows } from '../support/memory-table.js';
import { Duck } from './duckdb-side.js';
import { assertBothFail, assertLikeDuckDb, type Case } from './differential.js';
import { cast, col, dec, lit } from './expr-builders.js';

const { int16, int32, int64, float64, string, boolean, date, timestamp } = Types;
const sqlOf: Record<string, string> = { int16: 'SMALLINT', int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP' };
const sqlType = (t: DataType): string => (t.id === 'decimal' ? `DECIMAL(${t.precision},${t.scale})` : sqlOf[t.id]);

describe('exec: CAST against DuckDB', () => {
  let duck: Duck;
  before(async () => { duck = await Duck.open(); });

  function casts(source: DataType, targets: DataType[]): Case[] {
    return targets.map((t) => ({ sql: `CAST(v AS ${sqlType(t)})`, expr: cast(col(0, source), t) }));
  }

  it('numbers to numbers: doubles round half to even into integers, decimals half away from zero', async () => {
    const schema: Schema = { fields: [{ name: 'v', type: float64, nullable: true }] };
    await assertLikeDuckDb(duck, schema, [[2.5], [-2.5], [3.5], [-0.5], [1.49999], [123.456], [-123.455], [0.125], [null], [2147483647.4]],
      casts(float64, [int32, int64, dec(18, 2), dec(18, 0), boolean, string]));
    const decimals: Schema = { fields: [{ name: 'v', type: dec(10, 3), nullable: true }] };
    await assertLikeDuckDb(duck, decimals, [[2500], [-2500], [-12345], [12345], [5], [-5], [0], [null], [9_999_999_999]],
      casts(dec(10, 3), [int32, int64, float64, dec(12, 1), dec(18, 5), dec(10, 0), boolean, string]));
    const integers: Schema = { fields: [{ name: 'v', type: int32, nullable: true }] };
    await assertLikeDuckDb(duck, integers, [[0], [-1], [32767], [-32768], [null], [7]],
      casts(int32, [int16, int64, float64, dec(10, 2), boolean, string]));
  });

  it('text to every type, parsed once per dictionary entry; values that do not parse fail only when used', async () => {
    const schema: Schema = { fields: [{ name: 'v', type: string, nullable: true }] };
    await assertLikeDuckDb(duck, schema, [[' 12 '], ['-7'], ['1.5'], ['2.5'], ['1e3'], ['0x10'], ['1_000'], ['+5'], [null]],
      casts(string, [int32, int64]));
    await assertLikeDuckDb(duck, schema, [[' 12 '], ['-7'], ['1.5'], ['2.505'], ['-2.505'], ['1e3'], ['1_000.5'], ['+5'], [null]],
      casts(string, [float64, dec(10, 2)]));
    await assertLikeDuckDb(duck, schema, [['true'], ['T'], ['yes'], ['n'], ['0'], ['FALSE'], [null]], casts(string, [boolean]));
    await assertLikeDuckDb(duck, schema, [['2024-02-29'], ['1999-1-2'], [' 2000-02-29 '], ['2024-02-03 10:11:12'], [null]], casts(string, [date]));
    await assertLikeDuckDb(duck, schema, [['2024-02-29 23:59:59.5'], ['2024-02-03T10:11:12'], ['2024-02-03 10:11'], ['2024-02-03'], [null]], casts(string, [timestamp]));
    await assertLikeDuckDb(duck, schema, [['inf'], ['-Infinity'], ['nan'], ['1.5e2'], ['.5']], casts(string, [float64]));
  });

  it('dates, timestamps, booleans and doubles format as DuckDB prints them', async () => {
    const schema: Schema = {
      fields: [{ name: 'd', type: date, nullable: true }, { name: 't', type: timestamp, nullable: true }, { name: 'f', type: float64, nullable: true }],
    };
    const rows = [
      ['2024-02-29', '2024-02-29 13:14:15.5', 100], ['1969-12-31', '1969-12-31 23:59:59.123456', 1e16], ['2000-01-01', '2000-01-01', 0.0001],
      [null, null, 1.23e-7], ['1970-01-01', '1970-01-01 00:00:00.000001', -0.0], ['2024-01-01', '2024-01-01 00:00:00', 1 / 3],
    ];
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'CAST(d AS VARCHAR)', expr: cast(col(0, date), string) },
      { sql: 'CAST(t AS VARCHAR)', expr: cast(col(1, timestamp), string) },
      { sql: 'CAST(f AS VARCHAR)', expr: cast(col(2, float64), string) },
      { sql: 'CAST(d AS TIMESTAMP)', expr: cast(col(0, date), timestamp) },
      { sql: 'CAST(t AS DATE)', expr: cast(col(1, timestamp), date) },
    ]);
  });

  it('raises INVALID_CAST naming the value and both types', async () => {
    const text: Schema = { fields: [{ name: 'v', type: string, nullable: true }] };
    await assertBothFail(duck, text, [['12abc']], { sql: 'CAST(v AS INTEGER)', expr: cast(col(0, string), int32) }, 'INVALID_CAST');
    await assertBothFail(duck, text, [['2024-02-30']], { sql: 'CAST(v AS DATE)', expr: cast(col(0, string), date) }, 'INVALID_CAST');
    await assertBothFail(duck, text, [['on']], { sql: 'CAST(v AS BOOLEAN)', expr: cast(col(0, string), boolean) }, 'INVALID_CAST');
    await assertBothFail(duck, text, [['']], { sql: 'CAST(v AS INTEGER)', expr: cast(col(0, string), int32) }, 'INVALID_CAST');
    const numbers: Schema = { fields: [{ name: 'v', type: float64, nullable: true }] };
    await assertBothFail(duck, numbers, [[1e10]], { sql: 'CAST(v AS INTEGER)', expr: cast(col(0, float64), int32) }, 'INVALID_CAST');
    await assertBothFail(duck, numbers, [[12345.6]], { sql: 'CAST(v AS DECIMAL(5,1))', expr: cast(col(0, float64), dec(5, 1)) }, 'INVALID_CAST');
    const batch = batchFromRows(text, [['7'], ['x7']]);
    assert.throws(() => evaluateExpr(cast(col(0, string), int64), batch), (error: Error & { code?: string }) =>
      error.code === 'INVALID_CAST' && error.message.includes("'x7'") && error.message.includes('VARCHAR') && error.message.includes('BIGINT'));
  });

  it('a bad dictionary entry no row uses, or a NULL row, raises nothing', () => {
    const vector = { kind: 'string' as const, type: string, length: 2, codes: Int32Array.of(0, 1), dictionary: ['5', 'bad', 'worse'], nulls: Uint8Array.of(0, 1) };
    const result = evaluateExpr(cast(col(0, string), int32), { length: 2, columns: [vector] });
    assert.deepEqual([valueAt(result, 0), valueAt(result, 1)], [5, null]);
  });

  it('casts a literal once for the whole batch', () => {
    const result = evaluateExpr(cast(lit('2024-03-01', string), date), { length: 3, columns: [] });
    assert.deepEqual([0, 1, 2].map((i) => valueAt(result, i)), [19783, 19783, 19783]);
  });
});
