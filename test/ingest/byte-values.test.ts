import assert from 'node:assert/strict';
import {
  parseBooleanBytes, parseDateBytes, parseDecimalBytes, parseFloatBytes, parseIntegerBytes, parseTimestampBytes,
} from '../../ingest/byte-values.js';
import { parseDate, parseDecimal, parseTimestamp } from '../../storage/index.js';

function bytes(text: string): [Buffer, number, number] {
  const data = Buffer.from(`#${text}#`);
  return [data, 1, data.length - 1];
}

describe('ingest/byte-values', () => {
  it('parses integers with sign and blanks, and nothing else', () => {
    assert.equal(parseIntegerBytes(...bytes('42')), 42);
    assert.equal(parseIntegerBytes(...bytes(' -7 ')), -7);
    assert.equal(parseIntegerBytes(...bytes('+3')), 3);
    for (const bad of ['', '-', '1.0', '1e3', '12a', '0x10']) assert.ok(Number.isNaN(parseIntegerBytes(...bytes(bad))), bad);
    assert.ok(!Number.isSafeInteger(parseIntegerBytes(...bytes('9007199254740993'))));
  });

  it('agrees with values.ts parseDecimal wherever it accepts the text', () => {
    const samples = ['0', '1', '-1', '12.345', '12.344', '-12.345', '0.005', '.5', '5.', '+7.10', '  3.14159  ', '999999999999.99',
      '-0.004', '1.999', '9.995', '123456789012.345'];
    for (const scale of [0, 2, 4]) {
      for (const text of samples) {
        const fast = parseDecimalBytes(...bytes(text), scale);
        const reference = parseDecimal(text, scale);
        if (reference === null) assert.ok(!Number.isFinite(fast), `${text} at scale ${scale} is refused by both`);
        else assert.equal(fast, reference, `${text} at scale ${scale}`);
      }
    }
    for (const bad of ['', '.', '-', '1e5', '1,5', 'abc', '1.2.3']) assert.ok(Number.isNaN(parseDecimalBytes(...bytes(bad), 2)), bad);
    assert.equal(parseDecimalBytes(...bytes('99999999999999999'), 2), Infinity);
  });

  it('agrees with values.ts parseDate on YYYY-MM-DD and leaves other forms to it', () => {
    for (const text of ['1970-01-01', '1992-02-29', '2000-02-29', '1998-12-01', '0001-01-01', '9999-12-31']) {
      assert.equal(parseDateBytes(...bytes(text)), parseDate(text), text);
    }
    for (const text of ['1993-02-29', '1900-02-29', '2020-13-01', '2020-00-10', '2020-01-32', '2020-1-01', '20200101', 'abcd-ef-gh']) {
      assert.ok(Number.isNaN(parseDateBytes(...bytes(text))), text);
    }
  });

  it('agrees with values.ts parseTimestamp on the common forms', () => {
    for (const text of ['2024-03-01 12:34:56', '2024-03-01T12:34:56', '2024-03-01 00:00:00.5', '2024-03-01 23:59:59.123456',
      '2024-03-01T12:34:56Z', '1969-12-31 23:59:59.999999']) {
      assert.equal(parseTimestampBytes(...bytes(text)), parseTimestamp(text), text);
    }
    for (const text of ['2024-03-01', '2024-03-01 24:00:00', '2024-03-01 12:34:56+02:00', '2024-03-01 12:34:56.1234567', '2024-03-01 12:34']) {
      assert.ok(Number.isNaN(parseTimestampBytes(...bytes(text))), text);
    }
  });

  it('parses short decimals to doubles exactly and leaves long ones to Number', () => {
    for (const text of ['0', '1.5', '-2.25', '0.1', '123456.789', '.5', '3.']) assert.equal(parseFloatBytes(...bytes(text)), Number(text), text);
    for (const text of ['1e3', '1234567890123456', 'inf', '', '-', '1.2.3']) assert.ok(Number.isNaN(parseFloatBytes(...bytes(text))), text);
  });

  it('reads the boolean spellings in any case', () => {
    for (const text of ['true', 'TRUE', 't', 'T', '1', 'yes', 'Yes', ' true ']) assert.equal(parseBooleanBytes(...bytes(text)), 1, text);
    for (const text of ['false', 'F', 'f', '0', 'no', 'NO']) assert.equal(parseBooleanBytes(...bytes(text)), 0, text);
    for (const text of ['', 'y', 'n', 'tru', 'truee', '2', 'on', '\u0011']) assert.equal(parseBooleanBytes(...bytes(text)), -1, text);
  });
});
