/**
 * A strata partition is a standard Arrow IPC file: plain apache-arrow, given only a zstd codec
 * in its compression registry (no strata code), reads the right schema and rows.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CompressionType, compressionRegistry, DataType, tableFromIPC } from 'apache-arrow';
import * as zstd from 'zstd-napi';
import { Types, writePartition, type Schema } from '../../storage/index.js';
import { batchOf, temporaryStore, type PlainValue } from './storage-fixtures.js';

const schema: Schema = { fields: [
  { name: 'id', type: Types.int32, nullable: false },
  { name: 'small', type: Types.int16, nullable: true },
  { name: 'big', type: Types.int64, nullable: true },
  { name: 'price', type: Types.decimal(12, 3), nullable: true },
  { name: 'day', type: Types.date, nullable: true },
  { name: 'ts', type: Types.timestamp, nullable: true },
  { name: 'ok', type: Types.boolean, nullable: true },
  { name: 'level', type: Types.string, nullable: true },
  { name: 'msg', type: Types.string, nullable: true },
  { name: 'x', type: Types.float64, nullable: true },
] };

const rows = 2500;
const levels = ['INFO', 'WARN', 'ERROR'];
function rowValues(i: number): PlainValue[] {
  if (i % 97 === 5) return [i, null, null, null, null, null, null, null, null, null];
  return [i, i % 7 - 3, i * 1_000_000_007, i * 1125 - 50_000, 19_000 + i, 1_700_000_000_000_000 + i * 1_000_001, i % 2,
    levels[i % 3], `message ${i} ✓`, i / 8];
}

describe('plain partition files (encodings: plain) open with plain apache-arrow', () => {
  let cleanup: () => Promise<void>;
  let file: string;

  before(async () => {
    const temporary = await temporaryStore('interop');
    cleanup = temporary.cleanup;
    const columns: PlainValue[][] = schema.fields.map(() => []);
    for (let i = 0; i < rows; i++) rowValues(i).forEach((value, column) => columns[column].push(value));
    const meta = await writePartition(temporary.store, 'data/p.arrow', schema, [batchOf(schema, columns)], { batchRowsMax: 1000, encodings: 'plain' });
    file = path.join(temporary.directory, 'data', 'p.arrow');
    assert.equal(meta.rows, rows);
    compressionRegistry.set(CompressionType.ZSTD, {
      encode: (data: Uint8Array) => zstd.compress(data),
      decode: (data: Uint8Array) => zstd.decompress(data),
    });
  });
  after(() => cleanup());

  it('has the Arrow schema strata promises: narrow ints, Date32, Timestamp(us), dictionary strings, strata.type metadata', async () => {
    const table = tableFromIPC(await fs.readFile(file));
    const types = table.schema.fields.map((field) => String(field.type));
    assert.deepEqual(types, ['Int16', 'Int8', 'Int64', 'Int32', 'Date32<DAY>', 'Timestamp<MICROSECOND>', 'Bool', 'Dictionary<Int8, Utf8>', 'Utf8', 'Float64']);
    assert.ok(DataType.isDictionary(table.schema.fields[7].type));
    assert.deepEqual(table.schema.fields.map((field) => JSON.parse(field.metadata.get('strata.type')!)), schema.fields.map((field) => field.type));
    assert.deepEqual(table.schema.fields.map((field) => field.nullable), schema.fields.map((field) => field.nullable));
    assert.equal(table.batches.length, 3);
  });

  it('holds the right values in every row, NULLs included', async () => {
    const table = tableFromIPC(await fs.readFile(file));
    assert.equal(table.numRows, rows);
    const columns = table.schema.fields.map((_, i) => table.getChildAt(i)!);
    for (let i = 0; i < rows; i++) {
      const expected = rowValues(i);
      const actual = columns.map((column) => column.get(i));
      const normalized = [
        actual[0], actual[1], actual[2] === null ? null : Number(actual[2]), actual[3],
        // arrow-js shows Date32 and Timestamp as milliseconds since the epoch
        actual[4] === null ? null : (actual[4] as number) / 86_400_000,
        actual[5] === null ? null : Math.round((actual[5] as number) * 1000),
        actual[6] === null ? null : (actual[6] ? 1 : 0), actual[7], actual[8], actual[9],
      ];
      assert.deepEqual(normalized, expected, `row ${i}`);
    }
  });
});
