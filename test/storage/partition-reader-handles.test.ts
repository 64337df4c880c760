/** A partition scan holds one file handle for the whole scan and releases it however the scan ends. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readPartition, StrataError, Types, writePartition, type LocalStore, type PartitionMeta, type Schema } from '../../storage/index.js';
import { batchOf, collect, columnsOf, RecordingStore, rejection, temporaryStore, type PlainValue } from './storage-fixtures.js';

const schema: Schema = { fields: [
  { name: 'id', type: Types.int64, nullable: false },
  { name: 'level', type: Types.string, nullable: false },
] };
const rows = 8_000;
const batchRowsMax = 1_000;

/** Open descriptors of this process (Linux). */
function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('partition reader file handles', () => {
  let store: LocalStore;
  let meta: PartitionMeta;
  let columns: PlainValue[][];
  let cleanup: () => Promise<void>;

  before(async () => {
    const temporary = await temporaryStore('handles');
    store = temporary.store;
    cleanup = temporary.cleanup;
    columns = [Array.from({ length: rows }, (_, i) => i), Array.from({ length: rows }, (_, i) => ['info', 'warn', 'error'][i % 3])];
    meta = await writePartition(store, 'h.arrow', schema, [batchOf(schema, columns)], { batchRowsMax });
  });
  after(() => cleanup());

  it('openReader reads ranges of one open file, closes twice quietly, refuses reads after close', async () => {
    const whole = await store.read('h.arrow');
    const reader = await store.openReader('h.arrow');
    assert.deepEqual(await reader.readRange(10, 100), whole.subarray(10, 110));
    assert.deepEqual(await reader.readRange(whole.length - 4, 100), whole.subarray(whole.length - 4), 'a range past the end gives the rest');
    assert.equal((await reader.readRange(whole.length + 5, 3)).length, 0);
    await rejection(reader.readRange(-1, 3), 'STORE_RANGE_INVALID');
    await reader.close();
    await reader.close();
    await rejection(reader.readRange(0, 3), 'ASSERTION_FAILED');
    await rejection(store.openReader('no/such.arrow'), 'STORE_FILE_NOT_FOUND');
  });

  it('reads the same batches through a reader as through readRange alone', async () => {
    const direct = columnsOf(await collect(readPartition(store, meta, schema, [0, 1])), 2);
    const ranged = columnsOf(await collect(readPartition(new RecordingStore(store), meta, schema, [0, 1])), 2);
    assert.deepEqual(direct, columns);
    assert.deepEqual(ranged, columns);
  });

  it('keeps every batch intact while later batches reuse the read buffers (incompressible values are stored raw)', async () => {
    const rawSchema: Schema = { fields: [{ name: 'x', type: Types.float64, nullable: false }, { name: 'day', type: Types.date, nullable: false }] };
    let seed = 2_463_534_242;
    const random = (): number => {
      // xorshift32: exact in 32-bit integer arithmetic, so the values do not repeat.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    // Doubles from random bits: zstd cannot shrink them, so the writer stores the buffer raw.
    const bits = new DataView(new ArrayBuffer(8));
    const randomDouble = (): number => {
      bits.setUint32(0, Math.floor(random() * 2 ** 32));
      bits.setUint32(4, Math.floor(random() * 2 ** 32));
      const value = bits.getFloat64(0);
      return Number.isFinite(value) ? value : 0.5;
    };
    const values = [Array.from({ length: rows }, randomDouble), Array.from({ length: rows }, () => Math.floor(random() * 40_000))];
    const rawMeta = await writePartition(store, 'raw.arrow', rawSchema, [batchOf(rawSchema, values)], { batchRowsMax });
    const batches = await collect(readPartition(store, rawMeta, rawSchema, [0, 1]));
    assert.equal(batches.length, rows / batchRowsMax);
    assert.deepEqual(columnsOf(batches, 2), values);
  });

  it('leaks no descriptor when scans finish, are left early, are cancelled or fail', async () => {
    await collect(readPartition(store, meta, schema, [0, 1])); // warms the layout cache and lazy handles
    const before = openDescriptors();
    for (let round = 0; round < 20; round++) {
      assert.equal((await collect(readPartition(store, meta, schema, [0, 1]))).length, rows / batchRowsMax);
      for await (const batch of readPartition(store, meta, schema, [0])) {
        assert.equal(batch.length, batchRowsMax);
        break; // the consumer leaves with reads still in flight
      }
      const controller = new AbortController();
      let seen = 0;
      const cancelled = await rejection(async () => {
        for await (const _ of readPartition(store, meta, schema, [0, 1], controller.signal)) {
          seen += 1;
          if (seen === 2) controller.abort();
        }
      }, 'PARTITION_READ_CANCELLED');
      assert.equal(cancelled.kind, 'cancelled');
      assert.equal(seen, 2);
      const damaged: PartitionMeta = { ...meta, path: 'no/such/partition.arrow' };
      const failed = await rejection(collect(readPartition(store, damaged, schema, [0])), 'STORE_FILE_NOT_FOUND');
      assert.ok(failed instanceof StrataError);
    }
    assert.equal(openDescriptors(), before);
  });
});
