/** Batches survive the Arrow IPC encoding of the internal RPC exactly, every type, with NULLs. */
import assert from 'node:assert/strict';
import { decodeBatches, encodeBatch } from '../../service-manager/arrow-ipc.js';
import { numericVector, stringVector, Types, type Batch, type Schema } from '../../storage/index.js';

describe('Arrow IPC batches', () => {
  it('round-trips every in-memory representation', () => {
    const schema: Schema = { fields: [
      { name: 'b', type: Types.boolean, nullable: true },
      { name: 'i', type: Types.int32, nullable: true },
      { name: 'd', type: Types.date, nullable: false },
      { name: 'f', type: Types.float64, nullable: true },
      { name: 'm', type: Types.decimal(15, 2), nullable: true },
      { name: 'w', type: Types.decimal(38, 2), nullable: true },
      { name: 's', type: Types.string, nullable: true },
    ] };
    const nulls = new Uint8Array([0, 1, 0, 0, 1]);
    const batch: Batch = { length: 5, columns: [
      numericVector(Types.boolean, new Uint8Array([1, 0, 0, 1, 1]), nulls),
      numericVector(Types.int32, new Int32Array([1, -2, 2147483647, -2147483648, 0]), nulls),
      numericVector(Types.date, new Int32Array([0, 1, -1, 10_000, 20_000])),
      numericVector(Types.float64, new Float64Array([0.5, -0, NaN, Infinity, 1e300])),
      numericVector(Types.decimal(15, 2), new Float64Array([12345, -1, 9007199254740991, 0, 5]), nulls),
      numericVector(Types.decimal(38, 2), new BigInt64Array([123456789012345678n, -1n, 0n, 9223372036854775807n, 1n]), nulls),
      stringVector(Types.string, new Int32Array([0, 1, 2, 1, 0]), ['', 'héllo wörld 🌍', 'x'], nulls),
    ] };
    const decoded = decodeBatches(encodeBatch(schema, batch));
    assert.deepEqual(decoded.schema.fields.map((field) => field.type), schema.fields.map((field) => field.type));
    assert.equal(decoded.batches.length, 1);
    const [out] = decoded.batches;
    assert.equal(out.length, 5);
    for (let c = 0; c < batch.columns.length; c++) {
      const expected = batch.columns[c];
      const actual = out.columns[c];
      assert.equal(actual.kind, expected.kind);
      for (let r = 0; r < 5; r++) {
        const expectedNull = expected.nulls !== null && expected.nulls[r] === 1;
        assert.equal(actual.nulls !== null && actual.nulls[r] === 1, expectedNull, `column ${c} row ${r} null`);
        if (expectedNull) continue;
        if (expected.kind === 'string' && actual.kind === 'string') {
          assert.equal(actual.dictionary[actual.codes[r]], expected.dictionary[expected.codes[r]]);
        } else if (expected.kind === 'numeric' && actual.kind === 'numeric') {
          assert.ok(Object.is(actual.values[r], expected.values[r]), `column ${c} row ${r}: ${actual.values[r]} vs ${expected.values[r]}`);
        }
      }
    }
  });

  it('round-trips an empty batch', () => {
    const schema: Schema = { fields: [{ name: 's', type: Types.string, nullable: true }] };
    const decoded = decodeBatches(encodeBatch(schema, { length: 0, columns: [stringVector(Types.string, new Int32Array(0), [])] }));
    assert.equal(decoded.batches.reduce((sum, batch) => sum + batch.length, 0), 0);
  });
});
