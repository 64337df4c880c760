/**
 * String encodings (bit-packed dictionary codes, joined text, tokens) round-trip exactly: random
 * words, unicode, long strings, empty strings, odd spacing, separators inside values, NULLs.
 */
import assert from 'node:assert/strict';
import { loadPartitionLayout, readPartition, Types, writePartition, type LocalStore, type Schema, type TextEncoding } from '../../storage/index.js';
import { encodedRoundTrip, randomSource } from './encoding-fixtures.js';
import { batchOf, collect, columnsOf, temporaryStore, type PlainValue } from './storage-fixtures.js';

const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'GET', '/api/v1/users', 'HTTP/1.1', '200', 'héllo', '日本語', '🦄', 'é'];
const longString = 'λ'.repeat(40_000) + ' end';
const rows = 3_000;

function sentence(random: () => number, length: number): string {
  return Array.from({ length }, () => words[Math.floor(random() * words.length)]).join(' ');
}

/** Data sets of strings: each one column of values (NULLs where the set has them). */
function dataSets(): Record<string, PlainValue[]> {
  const random = randomSource(21);
  return {
    'sentences with NULLs': Array.from({ length: rows }, (_, i) => (i % 11 === 0 ? null : sentence(random, 1 + Math.floor(random() * 12)))),
    'odd spacing and empty strings': Array.from({ length: rows }, (_, i) => ['', ' ', '  ', ' a', 'a ', 'a  b', '   x   ', 'a b'][i % 8] + (i % 3 === 0 ? '' : ` ${i}`)),
    'newlines inside values': Array.from({ length: rows }, (_, i) => `line ${i}\nnext ${i % 5}`),
    'newlines and NULs inside values': Array.from({ length: rows }, (_, i) => `a\u0000${i}\nb ${i % 7}`),
    'unicode and long strings': Array.from({ length: 40 }, (_, i) => (i === 3 ? longString : `${words[i % words.length]} 𝄞 combining é ${i}`)),
    'many distinct tokens (two-byte codes and literals)': Array.from({ length: rows }, (_, i) => `t${i % 9_000} t${(i * 7) % 9_000} u${i}`),
    'all NULL': Array.from({ length: 50 }, () => null),
    'one row': ['just one row'],
    'low cardinality': Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? null : ['INFO', 'WARN', 'ERROR', 'DEBUG', ''][Math.floor(random() * 5)])),
  };
}

describe('string encodings', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;
  const schema: Schema = { fields: [{ name: 's', type: Types.string, nullable: true }] };

  before(async () => {
    ({ store, cleanup } = await temporaryStore('encoding-text'));
  });
  after(() => cleanup());

  for (const request of ['auto', 'plain', 'joined', 'tokens', 'dictionary+bits']) {
    it(`round-trips every data set with ${request} requested`, async () => {
      for (const [name, column] of Object.entries(dataSets())) {
        for (const batchRowsMax of [1_000, 1]) {
          if (batchRowsMax === 1 && column.length > 100) continue;
          const { read } = await encodedRoundTrip(store, schema, [column], request === 'auto' ? {} : { s: request }, batchRowsMax);
          assert.deepEqual(read, [column], `${name}, ${request}, batches of ${batchRowsMax}`);
        }
      }
    });
  }

  it('uses the requested text encoding where it applies: joined picks a separator no value holds', async () => {
    const sets = dataSets();
    const joined = async (name: string): Promise<TextEncoding | undefined> => (await encodedRoundTrip(store, schema, [sets[name]], { s: 'joined' })).encodings[0] as TextEncoding | undefined;
    assert.deepEqual(await joined('sentences with NULLs'), { kind: 'text', layout: 'joined', separator: 0x0a });
    assert.deepEqual(await joined('newlines inside values'), { kind: 'text', layout: 'joined', separator: 0x00 });
    assert.notEqual((await joined('newlines and NULs inside values'))?.layout, 'joined', 'no separator is free, so another encoding is chosen');
    const tokens = await encodedRoundTrip(store, schema, [sets['many distinct tokens (two-byte codes and literals)']], { s: 'tokens' });
    assert.deepEqual(tokens.encodings[0], { kind: 'text', layout: 'tokens' });
    const codes = await encodedRoundTrip(store, schema, [sets['low cardinality']], { s: 'dictionary+bits' });
    assert.deepEqual(codes.encodings[0], { kind: 'integers', transform: 'for', base: 0, multiplier: 1, layout: 'bits', width: 3, dictionaryEntries: 5 });
  });

  it('indexes dictionaries of 129 to 256 entries with UInt8 and up to 65,536 with UInt16, in plain mode too', async () => {
    for (const [distinct, expected] of [[128, { indexBitWidth: 8 }], [200, { indexBitWidth: 8, indexUnsigned: true }],
      [30_000, { indexBitWidth: 16 }], [40_000, { indexBitWidth: 16, indexUnsigned: true }]] as const) {
      const column = Array.from({ length: 2 * distinct + 10 }, (_, i) => (i % 97 === 0 ? null : `value ${i % distinct}`));
      const meta = await writePartition(store, `index-${distinct}.arrow`, schema, [batchOf(schema, [column])], { encodings: 'plain', batchRowsMax: 20_000 });
      assert.deepEqual(columnsOf(await collect(readPartition(store, meta, schema, [0])), 1), [column], `${distinct} entries`);
      const physical = (await loadPartitionLayout(store, meta)).columns[0].physical;
      assert.deepEqual(physical, { kind: 'dictionary', dictionaryId: 0, ...expected }, `${distinct} entries`);
    }
  });

  it('round-trips a batch with more repeated tokens than the vocabulary holds (two-byte codes, then literals)', async () => {
    const column = Array.from({ length: 5_000 }, (_, i) => `w${i} w${i + 5_000} w${i} w${i + 5_000} x`);
    const { read, encodings } = await encodedRoundTrip(store, schema, [column], { s: 'tokens' }, 5_000);
    assert.deepEqual(encodings[0], { kind: 'text', layout: 'tokens' });
    assert.deepEqual(read, [column]);
  });

  it('tokenizes repetitive text on its own and keeps it smaller than joined text', async () => {
    const random = randomSource(4);
    const column = Array.from({ length: 20_000 }, () => sentence(random, 8));
    const auto = await encodedRoundTrip(store, schema, [column], {}, 10_000);
    const joined = await encodedRoundTrip(store, schema, [column], { s: 'joined' }, 10_000);
    const plain = await encodedRoundTrip(store, schema, [column], { s: 'plain' }, 10_000);
    assert.deepEqual(auto.encodings[0], { kind: 'text', layout: 'tokens' });
    assert.equal(auto.meta.columns[0].encoding, 'tokens');
    assert.ok(auto.meta.columns[0].bytes < joined.meta.columns[0].bytes, `tokens ${auto.meta.columns[0].bytes} vs joined ${joined.meta.columns[0].bytes}`);
    assert.ok(joined.meta.columns[0].bytes < plain.meta.columns[0].bytes, `joined ${joined.meta.columns[0].bytes} vs plain ${plain.meta.columns[0].bytes}`);
  });
});
