import assert from 'node:assert/strict';
import { ingestFiles } from '../../ingest/index.js';
import { Types, type DataType } from '../../storage/index.js';
import { newTable, rejection, schema, tableRows, TempDir } from './load-helpers.js';

describe('ingest/typed conversion', () => {
  let dir: TempDir;
  beforeEach(async () => { dir = await TempDir.create(); });
  afterEach(async () => { await dir.remove(); });

  /** Loads one column of `type` from the lines given (after a header) and returns its values. */
  async function column(type: DataType, lines: string[]): Promise<unknown[]> {
    const table = await newTable(dir, schema(['v', type]));
    const path = await dir.file('values.csv', `v\n${lines.join('\n')}\n`);
    await ingestFiles(table, [path], {});
    return (await tableRows(table)).map((row) => row[0]);
  }

  /** The error of loading `bad` as line 3 (after a header and one good line) into column 2 of a table. */
  async function failure(type: DataType, good: string, bad: string): Promise<Awaited<ReturnType<typeof rejection>>> {
    const table = await newTable(dir, schema(['k', Types.int32], ['v', type]));
    const path = await dir.file('values.csv', `k,v\n1,${good}\n2,${bad}\n`);
    const error = await rejection(ingestFiles(table, [path], {}));
    assert.equal(error.code, 'INGEST_BAD_VALUE', error.message);
    assert.equal(error.kind, 'input');
    assert.deepEqual([error.details.file, error.details.line, error.details.column, error.details.value], [path, 3, 2, bad.replace(/^"|"$/g, '')]);
    assert.equal((await table.snapshot()).version, 0, 'nothing committed');
    return error;
  }

  it('reads SMALLINT, INTEGER and BIGINT within their ranges', async () => {
    assert.deepEqual(await column(Types.int16, ['-32768', '32767', ' 12 ']), [-32768, 32767, 12]);
    await dir.remove(); dir = await TempDir.create();
    assert.deepEqual(await column(Types.int32, ['-2147483648', '2147483647', '+5']), [-2147483648, 2147483647, 5]);
    await dir.remove(); dir = await TempDir.create();
    assert.deepEqual(await column(Types.int64, ['9007199254740991', '-9007199254740991', '0']), [9007199254740991, -9007199254740991, 0]);
  });

  it('refuses integers out of range or not integers, with file:line:column', async () => {
    const error = await failure(Types.int16, '1', '32768');
    assert.match(error.message, /values\.csv:3:2: cannot read '32768' as SMALLINT for column v \(out of range -32768 to 32767\); fix the value or load with --on-error reject$/);
    await dir.remove(); dir = await TempDir.create();
    await failure(Types.int32, '1', '2147483648');
    await dir.remove(); dir = await TempDir.create();
    await failure(Types.int32, '1', '1.5');
    await dir.remove(); dir = await TempDir.create();
    const big = await failure(Types.int64, '1', '9007199254740992');
    assert.match(big.message, /as BIGINT/);
    await dir.remove(); dir = await TempDir.create();
    await failure(Types.int32, '1', 'abc');
  });

  it('reads DOUBLE in plain, exponent and special spellings', async () => {
    assert.deepEqual(await column(Types.float64, ['1.5', '-0.1', '1e3', '12345678901234567890', 'inf', '-Infinity']),
      [1.5, -0.1, 1000, 12345678901234567890, Infinity, -Infinity]);
    await dir.remove(); dir = await TempDir.create();
    await failure(Types.float64, '1', '"1,5"');
  });

  it('reads DECIMAL rounding half away from zero to its scale', async () => {
    assert.deepEqual(await column(Types.decimal(6, 2), ['12.345', '-12.345', '0.004', '7', '9999.99', '.5']),
      ['12.35', '-12.35', '0.00', '7.00', '9999.99', '0.50']);
  });

  it('refuses DECIMAL values beyond their precision and non-numbers', async () => {
    const error = await failure(Types.decimal(6, 2), '1.00', '10000.00');
    assert.match(error.message, /as DECIMAL\(6,2\) for column v \(more than 4 digits before the decimal point\)/);
    await dir.remove(); dir = await TempDir.create();
    await failure(Types.decimal(6, 2), '1.00', '9999.995');
    await dir.remove(); dir = await TempDir.create();
    await failure(Types.decimal(15, 2), '1.00', '1e5');
  });

  it('reads DATE as YYYY-MM-DD, also with short month and day', async () => {
    assert.deepEqual(await column(Types.date, ['1992-01-02', '2000-02-29', '1969-12-31', '2024-3-7']),
      ['1992-01-02', '2000-02-29', '1969-12-31', '2024-03-07']);
  });

  it('refuses impossible dates', async () => {
    const error = await failure(Types.date, '1992-01-02', '1993-02-29');
    assert.match(error.message, /cannot read '1993-02-29' as DATE for column v \(expected YYYY-MM-DD\)/);
    await dir.remove(); dir = await TempDir.create();
    await failure(Types.date, '1992-01-02', '02/01/1992');
  });

  it('reads TIMESTAMP in ISO forms with fractions and zones', async () => {
    assert.deepEqual(await column(Types.timestamp, [
      '2024-03-01 12:34:56', '2024-03-01T12:34:56.5Z', '2024-03-01 12:34:56.123456', '2024-03-01 14:34:56+02:00', '2024-03-01',
    ]), ['2024-03-01 12:34:56', '2024-03-01 12:34:56.500000', '2024-03-01 12:34:56.123456', '2024-03-01 12:34:56', '2024-03-01 00:00:00']);
  });

  it('refuses malformed timestamps', async () => {
    await failure(Types.timestamp, '2024-03-01 12:34:56', '2024-03-01 25:00:00');
  });

  it('reads BOOLEAN spellings', async () => {
    assert.deepEqual(await column(Types.boolean, ['true', 'f', '1', '0', 'YES', 'no', 'T']), [true, false, true, false, true, false, true]);
    await dir.remove(); dir = await TempDir.create();
    const error = await failure(Types.boolean, 'true', 'maybe');
    assert.match(error.message, /as BOOLEAN/);
  });

  it('reads numbers inside quotes', async () => {
    assert.deepEqual(await column(Types.int32, ['"42"']), [42]);
  });

  it('fails with INGEST_NULL_VIOLATION for NULL in a NOT NULL column', async () => {
    const table = await newTable(dir, schema(['k', Types.int32, false], ['v', Types.string, false]));
    const path = await dir.file('nulls.csv', 'k,v\n1,a\n2,\n');
    const error = await rejection(ingestFiles(table, [path], {}));
    assert.equal(error.code, 'INGEST_NULL_VIOLATION');
    assert.deepEqual([error.details.line, error.details.column], [3, 2]);
    assert.match(error.message, /nulls\.csv:3:2: NULL for NOT NULL column v/);
  });

  it('reports the first bad record by line when several columns are bad', async () => {
    const table = await newTable(dir, schema(['a', Types.int32], ['b', Types.int32], ['c', Types.int32]));
    const path = await dir.file('bad.csv', 'a,b,c\n1,2,3\n4,5,x\n6,y,7\n8,9\n');
    const error = await rejection(ingestFiles(table, [path], {}));
    assert.deepEqual([error.code, error.details.line, error.details.column], ['INGEST_BAD_VALUE', 3, 3]);
  });
});
