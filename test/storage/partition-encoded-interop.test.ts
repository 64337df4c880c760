/**
 * An encoded partition stays a valid Arrow IPC file: plain apache-arrow (given only a zstd codec)
 * opens it and sees the encoded integers and text streams; the field metadata says how to decode
 * them, and following it by hand gives back the values strata reads.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CompressionType, compressionRegistry, tableFromIPC } from 'apache-arrow';
import * as zstd from 'zstd-napi';
import { readPartition, Types, writePartition, type IntegerEncoding, type Schema } from '../../storage/index.js';
import { batchOf, collect, columnsOf, temporaryStore, type PlainValue } from './storage-fixtures.js';

const schema: Schema = { fields: [
  { name: 'day', type: Types.date, nullable: false },
  { name: 'price', type: Types.decimal(12, 2), nullable: false },
  { name: 'level', type: Types.string, nullable: false },
  { name: 'msg', type: Types.string, nullable: false },
  { name: 'key', type: Types.int64, nullable: false },
] };
const rows = 3_000;
const levels = ['INFO', 'WARN', 'ERROR'];
const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

function columnsData(): PlainValue[][] {
  return [
    Array.from({ length: rows }, (_, i) => 19_000 + ((i * 37) % 1_000)),
    Array.from({ length: rows }, (_, i) => 100 * ((i * 13) % 500)),
    Array.from({ length: rows }, (_, i) => levels[(i * 7) % 3]),
    Array.from({ length: rows }, (_, i) => `${words[i % 5]} ${words[(i * 3) % 5]} ${i}`),
    Array.from({ length: rows }, (_, i) => 5_000_000 + i * 3),
  ];
}

describe('encoded partition files open with plain apache-arrow', () => {
  let cleanup: () => Promise<void>;
  let file: string;
  let columns: PlainValue[][];
  let strataColumns: PlainValue[][];

  before(async () => {
    const temporary = await temporaryStore('encoded-interop');
    cleanup = temporary.cleanup;
    columns = columnsData();
    const requests = { day: 'for+bytes', price: 'for+bytes', level: 'dictionary+bits', msg: 'joined', key: 'delta+bytes' };
    const meta = await writePartition(temporary.store, 'p.arrow', schema, [batchOf(schema, columns)], { batchRowsMax: 1000, encodingRequests: requests });
    strataColumns = columnsOf(await collect(readPartition(temporary.store, meta, schema, [0, 1, 2, 3, 4])), 5);
    file = path.join(temporary.directory, 'p.arrow');
    compressionRegistry.set(CompressionType.ZSTD, {
      encode: (data: Uint8Array) => zstd.compress(data),
      decode: (data: Uint8Array) => zstd.decompress(data),
    });
  });
  after(() => cleanup());

  it('is format 2 with unsigned integers, a 256-entry dictionary and strata.encoding on every encoded field', async () => {
    const table = tableFromIPC(await fs.readFile(file));
    assert.equal(table.schema.metadata.get('strata.format'), '2');
    assert.deepEqual(table.schema.fields.map((field) => String(field.type)), ['Uint16', 'Uint16', 'Dictionary<Uint8, Utf8>', 'Utf8', 'Uint8']);
    assert.deepEqual(table.schema.fields.map((field) => JSON.parse(field.metadata.get('strata.encoding')!).kind), ['integers', 'integers', 'integers', 'text', 'integers']);
    assert.equal(table.numRows, rows);
    assert.deepEqual(strataColumns, columns);
  });

  it('decodes by hand, following the metadata, to the values strata reads', async () => {
    const table = tableFromIPC(await fs.readFile(file));
    const encodingOf = (i: number): IntegerEncoding => JSON.parse(table.schema.fields[i].metadata.get('strata.encoding')!) as IntegerEncoding;
    for (const i of [0, 1]) {
      const { base, multiplier } = encodingOf(i);
      const decoded = Array.from({ length: rows }, (_, row) => base + Number(table.getChildAt(i)!.get(row)) * multiplier);
      assert.deepEqual(decoded, columns[i], schema.fields[i].name);
    }
    // Joined text: each batch's rows sit in its last row, separated by newlines.
    const msg = table.getChildAt(3)!;
    const joined = [999, 1999, 2999].flatMap((row) => (msg.get(row) as string).split('\n'));
    assert.deepEqual(joined, columns[3]);
    // Delta: per batch, running sums of base + stored * multiplier from the batch's first value.
    const key = encodingOf(4);
    const keys: number[] = [];
    for (let batch = 0; batch < 3; batch++) {
      let value = key.firsts![batch];
      for (let row = batch * 1000; row < (batch + 1) * 1000; row++) keys.push((value += key.base + Number(table.getChildAt(4)!.get(row)) * key.multiplier));
    }
    assert.deepEqual(keys, columns[4]);
  });
});
