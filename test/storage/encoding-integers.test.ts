/**
 * Integer encodings (frame of reference, delta, difference from a reference column; bytes, bits
 * and split layouts) round-trip exactly for every integer-like type on random data and edge cases.
 */
import assert from 'node:assert/strict';
import { readPartition, Types, type DataType, type IntegerEncoding, type LocalStore, type Schema } from '../../storage/index.js';
import { encodedRoundTrip, randomSource } from './encoding-fixtures.js';
import { collect, columnsOf, temporaryStore, type PlainValue } from './storage-fixtures.js';

const exactMax = Number.MAX_SAFE_INTEGER;
const types: { type: DataType; min: number; max: number }[] = [
  { type: Types.int16, min: -32_768, max: 32_767 },
  { type: Types.int32, min: -2_147_483_648, max: 2_147_483_647 },
  { type: Types.int64, min: -exactMax, max: exactMax },
  { type: Types.decimal(18, 2), min: -exactMax, max: exactMax },
  { type: Types.date, min: -719_528, max: 2_932_896 },
  { type: Types.timestamp, min: -62_135_596_800_000_000, max: 253_402_300_799_999_999 },
];
const requests = ['for+bytes', 'for+bits', 'for+split', 'delta+bytes', 'delta+bits', 'delta+split'];
const rows = 2_500;

/** Data sets of one type: each is one column of `rows` values (NULLs where the set has them). */
function dataSets(min: number, max: number, seed: number): Record<string, PlainValue[]> {
  const random = randomSource(seed);
  const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  // Room around the base for the narrower sets, inside the type's range.
  const room = Math.min(1_000_000, Math.floor((max - min) / 4));
  const base = Math.min(Math.max(19_000, min + room), max - room);
  const step = Math.floor(room / 500);
  let running = base;
  return {
    'full range with NULLs': Array.from({ length: rows }, (_, i) => (i % 10 === 3 ? null : i === 0 ? min : i === 1 ? max : between(min, max))),
    'small range (11 bits)': Array.from({ length: rows }, () => base + between(0, 2_000)),
    'sorted with NULLs': Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : (running += between(0, Math.floor((2 * room) / rows))))),
    [`multiples of ${step}`]: Array.from({ length: rows }, () => base + step * between(-500, 500)),
    'two values': Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? min : max)),
    constant: Array.from({ length: rows }, () => base),
    'all NULL': Array.from({ length: rows }, () => null),
    'one row': [max],
  };
}

describe('integer encodings', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, cleanup } = await temporaryStore('encoding-integers'));
  });
  after(() => cleanup());

  for (const { type, min, max } of types) {
    it(`round-trips ${type.id} under every requested encoding, on random data and edge cases`, async () => {
      const sets = dataSets(min, max, min % 1000 + 7);
      const names = Object.keys(sets);
      const schema: Schema = { fields: names.map((name, i) => ({ name: `c${i}`, type, nullable: true })) };
      for (const request of ['auto', ...requests]) {
        for (const name of names) {
          const column = sets[name];
          const oneColumn: Schema = { fields: [schema.fields[0]] };
          const { read, encodings } = await encodedRoundTrip(store, oneColumn, [column], request === 'auto' ? {} : { c0: request });
          assert.deepEqual(read, [column], `${type.id}, ${name}, ${request}`);
          if (name.startsWith('small range') && request !== 'auto') {
            const encoding = encodings[0] as IntegerEncoding;
            assert.equal(`${encoding.transform}+${encoding.layout}`, request, `${type.id}, ${name}`);
          }
        }
      }
    });
  }

  it('uses the requested encoding where it applies and records its frame', async () => {
    const schema: Schema = { fields: requests.map((request) => ({ name: request, type: Types.int64, nullable: true })) };
    const random = randomSource(3);
    let running = 1_000_000;
    const sorted = Array.from({ length: rows }, (_, i) => (i % 9 === 0 ? null : (running += 3 * Math.floor(random() * 1000))));
    const { read, encodings } = await encodedRoundTrip(store, schema, requests.map(() => sorted), Object.fromEntries(requests.map((r) => [r, r])));
    assert.deepEqual(read, requests.map(() => sorted));
    encodings.forEach((encoding, i) => {
      const integers = encoding as IntegerEncoding;
      assert.equal(`${integers.transform}+${integers.layout}`, requests[i]);
      assert.equal(integers.multiplier, 3);
      if (integers.transform === 'delta') assert.equal(integers.firsts?.length, Math.ceil(rows / 1000));
    });
  });

  it('chooses frame-of-reference packing, delta and a reference column where they pay, and plain where nothing does', async () => {
    const schema: Schema = { fields: [
      { name: 'key', type: Types.int32, nullable: false },
      { name: 'flag', type: Types.int32, nullable: false },
      { name: 'shipped', type: Types.date, nullable: false },
      { name: 'received', type: Types.date, nullable: true },
      { name: 'noise', type: Types.float64, nullable: false },
    ] };
    const random = randomSource(5);
    const count = 40_000;
    let key = 1;
    const shipped = Array.from({ length: count }, () => 8_000 + Math.floor(random() * 2_500));
    const columns: PlainValue[][] = [
      Array.from({ length: count }, () => (key += Math.floor(random() * 3))),
      Array.from({ length: count }, () => (random() < 0.5 ? 0 : 1)),
      shipped,
      shipped.map((day, i) => (i % 50 === 0 ? null : day + 1 + Math.floor(random() * 30))),
      Array.from({ length: count }, () => random()),
    ];
    const { read, encodings, meta } = await encodedRoundTrip(store, schema, columns, {}, 8192);
    assert.deepEqual(read, columns);
    assert.equal((encodings[0] as IntegerEncoding).transform, 'delta');
    assert.deepEqual([(encodings[1] as IntegerEncoding).layout, (encodings[1] as IntegerEncoding).width], ['bits', 1]);
    assert.equal((encodings[3] as IntegerEncoding).reference, 2);
    assert.equal(encodings[4], undefined);
    assert.equal(meta.columns[4].encoding, 'plain');
    assert.match(meta.columns[3].encoding!, /^reference\(2\)\+/);
    for (const column of meta.columns) assert.ok(column.plainBytes! > 0);
  });

  it('never encodes against a reference beyond 2^53, where float64 sums are inexact', async () => {
    const schema: Schema = { fields: [
      { name: 'start', type: Types.timestamp, nullable: false },
      { name: 'end', type: Types.timestamp, nullable: false },
    ] };
    const start = Array.from({ length: 500 }, (_, i) => 253_402_300_799_999_999 - i * 1_048_576);
    const columns: PlainValue[][] = [start, start.map((value, i) => value - (i % 7) * 4096)];
    const { read, encodings } = await encodedRoundTrip(store, schema, columns, { end: 'reference' });
    assert.deepEqual(read, columns);
    assert.equal((encodings[1] as IntegerEncoding | undefined)?.reference, undefined);
  });

  it('reads a column encoded against a reference alone, with it, and in any order', async () => {
    const schema: Schema = { fields: [
      { name: 'start', type: Types.timestamp, nullable: false },
      { name: 'other', type: Types.int32, nullable: true },
      { name: 'end', type: Types.timestamp, nullable: true },
    ] };
    const random = randomSource(9);
    const start = Array.from({ length: rows }, () => 1_700_000_000_000_000 + Math.floor(random() * 1e12));
    const columns: PlainValue[][] = [start, start.map((_, i) => (i % 4 === 0 ? null : i)), start.map((s, i) => (i % 5 === 0 ? null : s + Math.floor(random() * 5000)))];
    const { meta, encodings } = await encodedRoundTrip(store, schema, columns, { end: 'reference' });
    assert.equal((encodings[2] as IntegerEncoding).reference, 0);
    for (const wanted of [[2], [2, 0], [0, 2], [1, 2, 2]]) {
      const batches = await collect(readPartition(store, meta, schema, wanted));
      assert.deepEqual(columnsOf(batches, wanted.length), wanted.map((column) => columns[column]), `columns ${wanted}`);
    }
  });
});
