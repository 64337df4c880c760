import assert from 'node:assert/strict';
import { stringAt, Types } from '../../storage/index.js';
import { StringColumnBuilder } from '../../ingest/column-builder.js';

/** Rows of a finished vector as plain values. */
function rows(builder: StringColumnBuilder, length: number): (string | null)[] {
  const vector = builder.finish(length);
  return Array.from({ length }, (_, i) => stringAt(vector, i));
}

describe('ingest/string column builder', () => {
  it('keeps values as UTF-8: bytes from the file and strings alike, de-duplicated, NULLs apart', () => {
    const builder = new StringColumnBuilder(Types.string);
    const file = Buffer.from('INFO|WARN|INFO|日本|');
    builder.reserve(6);
    builder.setBytes(0, file, 0, 4);
    builder.setBytes(1, file, 5, 9);
    builder.setString(2, 'WARN');
    builder.setNull(3);
    builder.setBytes(4, file, 10, 14);
    builder.setString(5, '日本');
    const vector = builder.finish(6);
    assert.ok(vector.utf8 !== undefined, 'the vector carries its dictionary as UTF-8');
    assert.deepEqual([...vector.utf8.offsets], [0, 4, 8, 14]);
    assert.equal(Buffer.from(vector.utf8.data).toString('utf8'), 'INFOWARN日本');
    assert.deepEqual([...vector.codes], [0, 1, 1, 0, 0, 2]);
    assert.deepEqual(vector.dictionary, ['INFO', 'WARN', '日本']);
  });

  it('de-duplicates one-byte values (flags) like any other', () => {
    const builder = new StringColumnBuilder(Types.string);
    const file = Buffer.from('N|O|N|NO|O|N');
    builder.reserve(6);
    [[0, 1], [2, 3], [4, 5], [6, 8], [9, 10], [11, 12]].forEach(([start, end], i) => builder.setBytes(i, file, start, end));
    const vector = builder.finish(6);
    assert.deepEqual(vector.dictionary, ['N', 'O', 'NO']);
    assert.deepEqual([...vector.codes], [0, 1, 0, 2, 1, 0]);
  });

  it('drops the entries only rejected rows used', () => {
    const builder = new StringColumnBuilder(Types.string);
    builder.reserve(4);
    ['keep', 'gone', 'keep', 'also'].forEach((value, i) => builder.setString(i, value));
    builder.compact(0, Uint8Array.from([0, 1, 0, 0]), 4);
    const vector = builder.finish(3);
    assert.deepEqual(vector.dictionary, ['keep', 'also']);
    assert.deepEqual([...vector.codes], [0, 0, 1]);
  });

  it('stops de-duplicating mostly distinct text and still returns every value', () => {
    const builder = new StringColumnBuilder(Types.string);
    const count = 10_000;
    builder.reserve(count);
    for (let i = 0; i < count; i++) builder.setString(i, i % 1000 === 0 ? 'same' : `comment number ${i} ${'x'.repeat(i % 70)}`);
    const values = rows(builder, count);
    assert.equal(values[0], 'same');
    assert.equal(values[9_999], `comment number 9999 ${'x'.repeat(9_999 % 70)}`);
    assert.equal(values.filter((value) => value === 'same').length, 10);
  });

  it('started without de-duplication (the batch before was mostly distinct), gives every row its own entry', () => {
    const builder = new StringColumnBuilder(Types.string, 4, 64, false);
    ['a', 'b', 'a', 'c'].forEach((value, i) => builder.setString(i, value));
    assert.equal(builder.deduplicating, false);
    const vector = builder.finish(4);
    assert.deepEqual([...vector.codes], [0, 1, 2, 3]);
    assert.deepEqual(vector.dictionary, ['a', 'b', 'a', 'c']);
  });
});
