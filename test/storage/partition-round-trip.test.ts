/** Partition files: every type round-trips with NULLs, extremes, unicode, dictionaries and batching. */
import assert from 'node:assert/strict';
import {
  loadPartitionLayout, readPartition, Types, writePartition,
  type LocalStore, type PartitionMeta, type Schema,
} from '../../storage/index.js';
import { batchOf, collect, columnsOf, rejection, temporaryStore, type PlainValue } from './storage-fixtures.js';

const allTypes: Schema = {
  fields: [
    { name: 'small', type: Types.int16, nullable: true },
    { name: 'int', type: Types.int32, nullable: true },
    { name: 'big', type: Types.int64, nullable: true },
    { name: 'x', type: Types.float64, nullable: true },
    { name: 'price', type: Types.decimal(18, 4), nullable: true },
    { name: 'day', type: Types.date, nullable: true },
    { name: 'ts', type: Types.timestamp, nullable: true },
    { name: 'ok', type: Types.boolean, nullable: true },
    { name: 'level', type: Types.string, nullable: true },
    { name: 'msg', type: { id: 'string', length: 200 }, nullable: true },
  ],
};

const exactMax = Number.MAX_SAFE_INTEGER;
const longString = 'λ'.repeat(40_000) + 'end';
/** Columns of allTypes: extremes, NULLs, unicode and long strings. */
const extremes: PlainValue[][] = [
  [-32_768, 32_767, null, 0, -1, 7],
  [-2_147_483_648, 2_147_483_647, 0, null, 5, -5],
  [-exactMax, exactMax, 0, null, 2 ** 40, -(2 ** 33)],
  [-Infinity, Infinity, NaN, -0, 5e-324, null],
  [-exactMax, exactMax, 12_345, null, 0, -1],
  [-719_528, 2_932_896, 0, null, 19_000, -1],
  [-62_135_596_800_000_000, 253_402_300_799_999_999, 1, null, 1_700_000_000_123_456, -1],
  [0, 1, null, 1, 0, 1],
  ['INFO', 'WARN', 'INFO', null, 'INFO', 'WARN'],
  ['', null, 'héllo wörld', '日本語のテキスト', '🦄 emoji 𝄞 and combining é', longString],
];

describe('partition round trip', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, cleanup } = await temporaryStore('partition'));
  });
  after(() => cleanup());

  async function roundTrip(name: string, schema: Schema, columns: PlainValue[][], options = {}): Promise<{ meta: PartitionMeta; read: PlainValue[][] }> {
    const meta = await writePartition(store, `${name}.arrow`, schema, [batchOf(schema, columns)], options);
    const read = columnsOf(await collect(readPartition(store, meta, schema, schema.fields.map((_, i) => i))), schema.fields.length);
    return { meta, read };
  }

  it('round-trips every type with NULLs, min/max values, unicode and long strings', async () => {
    const { meta, read } = await roundTrip('extremes', allTypes, extremes);
    assert.deepEqual(read, extremes);
    assert.equal(meta.rows, 6);
    assert.match(meta.checksum, /^sha256:[0-9a-f]{64}$/);
    assert.equal(meta.path, 'extremes.arrow');
    assert.equal((await store.stat('extremes.arrow'))!.size, meta.bytes);
  });

  it('records min, max (in-memory units; strings by code unit), NULL count and bytes per column', async () => {
    const { meta } = await roundTrip('stats', allTypes, extremes);
    const stats = meta.columns.map(({ min, max, nullCount }) => [min, max, nullCount]);
    assert.deepEqual(stats, [
      [-32_768, 32_767, 1],
      [-2_147_483_648, 2_147_483_647, 1],
      [-exactMax, exactMax, 1],
      [-Infinity, NaN, 1], // NaN sorts above every number, so a NaN column is never pruned away
      [-exactMax, exactMax, 1],
      [-719_528, 2_932_896, 1],
      [-62_135_596_800_000_000, 253_402_300_799_999_999, 1],
      [false, true, 1],
      ['INFO', 'WARN', 1],
      ['', '🦄 emoji 𝄞 and combining é', 1],
    ]);
    for (const column of meta.columns) assert.ok(column.bytes > 0);
    const total = meta.columns.reduce((sum, column) => sum + column.bytes, 0);
    assert.ok(total < meta.bytes, `column bytes ${total} are part of the file's ${meta.bytes}`);
  });

  it('in plain mode stores integers in the narrowest width and strings as dictionary or plain by cardinality', async () => {
    const schema: Schema = { fields: [
      { name: 'tiny', type: Types.int32, nullable: false },
      { name: 'mid', type: Types.int64, nullable: false },
      { name: 'wide', type: Types.int64, nullable: false },
      { name: 'cents', type: Types.decimal(12, 2), nullable: false },
      { name: 'few', type: Types.string, nullable: false },
      { name: 'many', type: Types.string, nullable: false },
    ] };
    const rows = 1000;
    const columns: PlainValue[][] = [
      Array.from({ length: rows }, (_, i) => i % 100),
      Array.from({ length: rows }, (_, i) => i * 30),
      Array.from({ length: rows }, (_, i) => i * 2 ** 32),
      Array.from({ length: rows }, (_, i) => i * 1000 + 1),
      Array.from({ length: rows }, (_, i) => `level-${i % 3}`),
      Array.from({ length: rows }, (_, i) => `message ${i}`),
    ];
    const { meta, read } = await roundTrip('widths', schema, columns, { encodings: 'plain' });
    assert.deepEqual(read, columns);
    const layout = await loadPartitionLayout(store, meta);
    assert.deepEqual(layout.columns.map((column) => column.physical), [
      { kind: 'int', bitWidth: 8 },
      { kind: 'int', bitWidth: 16 },
      { kind: 'int', bitWidth: 64 },
      { kind: 'int', bitWidth: 32 },
      { kind: 'dictionary', indexBitWidth: 8, dictionaryId: 4 },
      { kind: 'utf8' },
    ]);
    assert.deepEqual(layout.columns.map((column) => column.type), schema.fields.map((field) => field.type));
  });

  it('writes an empty partition that reads as no batches', async () => {
    const meta = await writePartition(store, 'empty.arrow', allTypes, []);
    assert.equal(meta.rows, 0);
    assert.deepEqual(meta.columns.map((column) => [column.min, column.max, column.nullCount]), allTypes.fields.map(() => [null, null, 0]));
    assert.deepEqual(await collect(readPartition(store, meta, allTypes, [0, 8])), []);
  });

  it('round-trips one row and all-NULL columns', async () => {
    const one = extremes.map((column) => [column[3]]);
    assert.deepEqual((await roundTrip('one', allTypes, one)).read, one);
    const nulls = allTypes.fields.map(() => [null, null, null] as PlainValue[]);
    const { meta, read } = await roundTrip('nulls', allTypes, nulls);
    assert.deepEqual(read, nulls);
    assert.deepEqual(meta.columns.map((column) => [column.min, column.max, column.nullCount]), allTypes.fields.map(() => [null, null, 3]));
  });

  it('splits rows into record batches of batchRowsMax across input batches with their own dictionaries', async () => {
    const schema: Schema = { fields: [{ name: 'n', type: Types.int32, nullable: true }, { name: 's', type: Types.string, nullable: true }] };
    const inputs = [
      batchOf(schema, [[1, 2, null, 4], ['b', 'a', null, 'b']]),
      batchOf(schema, [[5, 6, 7], ['c', 'c', 'a']]),
      batchOf(schema, [[], []]),
      batchOf(schema, [[8, 9, 10], [null, 'a', 'b']]),
    ];
    const meta = await writePartition(store, 'batches.arrow', schema, inputs, { batchRowsMax: 3 });
    const batches = await collect(readPartition(store, meta, schema, [1, 0]));
    assert.deepEqual(batches.map((batch) => batch.length), [3, 3, 3, 1]);
    assert.deepEqual(columnsOf(batches, 2), [
      ['b', 'a', null, 'b', 'c', 'c', 'a', null, 'a', 'b'],
      [1, 2, null, 4, 5, 6, 7, 8, 9, 10],
    ]);
    assert.deepEqual([meta.columns[1].min, meta.columns[1].max, meta.columns[1].nullCount], ['a', 'c', 2]);
  });

  it('accepts batches from an async iterable and reads columns in any order, repeated', async () => {
    const schema: Schema = { fields: [{ name: 'a', type: Types.int32, nullable: false }, { name: 'b', type: Types.float64, nullable: false }] };
    async function* source(): AsyncIterable<ReturnType<typeof batchOf>> {
      yield batchOf(schema, [[1, 2], [0.5, 1.5]]);
      yield batchOf(schema, [[3], [2.5]]);
    }
    const meta = await writePartition(store, 'async.arrow', schema, source());
    assert.deepEqual(columnsOf(await collect(readPartition(store, meta, schema, [1, 0, 1])), 3), [[0.5, 1.5, 2.5], [1, 2, 3], [0.5, 1.5, 2.5]]);
  });

  it('refuses NULLs in NOT NULL columns, fractional BIGINTs, unstorable types and existing files', async () => {
    const schema: Schema = { fields: [{ name: 'id', type: Types.int64, nullable: false }] };
    await rejection(writePartition(store, 'bad-null.arrow', schema, [batchOf(schema, [[1, null]])]), 'PARTITION_NULL_IN_NOT_NULL_COLUMN');
    await rejection(writePartition(store, 'bad-fraction.arrow', schema, [batchOf(schema, [[1.5]])]), 'PARTITION_VALUE_INVALID');
    const interval: Schema = { fields: [{ name: 'gap', type: Types.interval, nullable: true }] };
    await rejection(writePartition(store, 'bad-type.arrow', interval, []), 'PARTITION_TYPE_UNSUPPORTED');
    await writePartition(store, 'twice.arrow', schema, [batchOf(schema, [[1]])]);
    await rejection(writePartition(store, 'twice.arrow', schema, [batchOf(schema, [[2]])]), 'STORE_FILE_EXISTS');
  });

  it('refuses to read a partition as a different schema', async () => {
    const schema: Schema = { fields: [{ name: 'id', type: Types.int32, nullable: false }] };
    const meta = await writePartition(store, 'typed.arrow', schema, [batchOf(schema, [[1]])]);
    const other: Schema = { fields: [{ name: 'id', type: Types.string, nullable: false }] };
    await rejection(collect(readPartition(store, meta, other, [0])), 'PARTITION_SCHEMA_MISMATCH');
  });

  it('stops with cancelled when the signal is aborted', async () => {
    const schema: Schema = { fields: [{ name: 'id', type: Types.int32, nullable: false }] };
    const meta = await writePartition(store, 'cancel.arrow', schema, [batchOf(schema, [[1, 2, 3]])], { batchRowsMax: 1 });
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await rejection(async () => {
      for await (const batch of readPartition(store, meta, schema, [0], controller.signal)) {
        seen.push(batch.length);
        controller.abort();
      }
    }, 'PARTITION_READ_CANCELLED');
    assert.equal(error.kind, 'cancelled');
    assert.deepEqual(seen, [1]);
  });
});
