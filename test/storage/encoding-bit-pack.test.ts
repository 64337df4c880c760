/** Bit packing and byte planes round-trip at every width, with values at the edges of each width. */
import assert from 'node:assert/strict';
import { joinBytes, packBits, packedBytes, splitBytes, unpackBits } from '../../storage/encoding-bit-pack.js';
import { randomSource } from './encoding-fixtures.js';

describe('bit packing and byte planes', () => {
  it('packs and unpacks 0 to 24 bits per value, including all-ones and zero values', () => {
    const random = randomSource(11);
    for (let bits = 0; bits <= 24; bits++) {
      const top = 2 ** bits - 1;
      for (const count of [0, 1, 7, 8, 9, 1000]) {
        const values = Int32Array.from({ length: count }, (_, i) => (i % 3 === 0 ? top : i % 3 === 1 ? 0 : Math.floor(random() * (top + 1))));
        const packed = packBits(values, bits, count);
        assert.ok(packed.length >= Math.max(count, packedBytes(count, bits)), `bits ${bits}: ${packed.length} bytes`);
        const out = new Int32Array(count);
        unpackBits(packed, bits, count, out);
        assert.deepEqual(out, values, `bits ${bits}, count ${count}`);
      }
    }
  });

  it('splits into 1 to 7 byte planes and joins back, as int32 up to 31 bits and as float64 up to 2^53', () => {
    const random = randomSource(12);
    for (let planes = 1; planes <= 7; planes++) {
      const top = Math.min(2 ** (8 * planes) - 1, Number.MAX_SAFE_INTEGER);
      const values = Float64Array.from({ length: 500 }, (_, i) => (i === 0 ? top : i === 1 ? 0 : Math.floor(random() * top)));
      const split = splitBytes(values, planes);
      assert.equal(split.length, 500 * planes);
      const out = new Float64Array(500);
      joinBytes(split, planes, 500, out);
      assert.deepEqual(out, values, `${planes} planes`);
      if (planes <= 3) {
        const ints = Int32Array.from(values);
        const joined = new Int32Array(500);
        joinBytes(splitBytes(ints, planes), planes, 500, joined);
        assert.deepEqual(joined, ints, `${planes} planes as int32`);
      }
    }
  });
});
