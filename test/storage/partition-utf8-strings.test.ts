/**
 * String vectors that carry their dictionary as UTF-8 (as ingest builds them): the writer copies
 * the bytes, and the file, its stats and its zone maps equal those written from JS strings.
 */
import assert from 'node:assert/strict';
import {
  loadPartitionLayout, readPartition, stringVectorFromValues, Types, utf8StringVector, writePartition,
  type Batch, type Schema, type StringVector, type Vector,
} from '../../storage/index.js';
import { collect, columnsOf, temporaryStore } from './storage-fixtures.js';

const schema: Schema = {
  fields: [
    { name: 'level', type: Types.string, nullable: true },
    { name: 'message', type: Types.string, nullable: false },
    { name: 'symbol', type: Types.string, nullable: true },
    { name: 'host', type: Types.string, nullable: false },
  ],
};

/** A UTF-8 string vector of `values`, de-duplicated like the ingest builder (or one entry per row). */
function utf8Vector(values: readonly (string | null)[], dedupe: boolean): StringVector {
  const codes = new Int32Array(values.length);
  const entries: Buffer[] = [];
  const index = new Map<string, number>();
  let nulls: Uint8Array | null = null;
  values.forEach((value, row) => {
    if (value === null) {
      nulls ??= new Uint8Array(values.length);
      nulls[row] = 1;
      return;
    }
    let code = dedupe ? index.get(value) : undefined;
    if (code === undefined) {
      code = entries.push(Buffer.from(value, 'utf8')) - 1;
      index.set(value, code);
    }
    codes[row] = code;
  });
  const offsets = new Int32Array(entries.length + 1);
  entries.forEach((entry, i) => { offsets[i + 1] = offsets[i] + entry.length; });
  return utf8StringVector(Types.string, codes, { offsets, data: Buffer.concat(entries) }, nulls);
}

/** Rows of the columns: a few levels with NULLs, unique messages, symbols past U+FFFF and in U+E000..U+FFFF, recurring hosts. */
function columnValues(rows: number): (string | null)[][] {
  const levels = ['INFO', 'WARN', 'ERROR', null, 'débug'];
  const symbols = ['\uE000 private', '🦄 unicorn', 'a plain', null, '\uFFFD replacement', '𝄞 clef'];
  return [
    Array.from({ length: rows }, (_, i) => levels[i % levels.length]),
    Array.from({ length: rows }, (_, i) => `message ${String(rows - i).padStart(6, '0')} 日本 é`),
    Array.from({ length: rows }, (_, i) => symbols[(i * 7) % symbols.length]),
    // Hundreds to thousands of values recurring in every batch: the writer's byte index grows several times.
    Array.from({ length: rows }, (_, i) => `host-${(i * 7919) % Math.min(rows / 2, 3_000)}`),
  ];
}

/** Batches of `batchRows` rows; vectors from `make` per column. */
function batches(columns: (string | null)[][], batchRows: number, make: (values: (string | null)[], column: number, batch: number) => Vector): Batch[] {
  const out: Batch[] = [];
  for (let start = 0, batch = 0; start < columns[0].length; start += batchRows, batch++) {
    const end = Math.min(columns[0].length, start + batchRows);
    out.push({ length: end - start, columns: columns.map((values, column) => make(values.slice(start, end), column, batch)) });
  }
  return out;
}

describe('partition strings from UTF-8 vectors', () => {
  it('decodes a UTF-8 dictionary lazily, to the same strings', () => {
    const vector = utf8Vector(['b', null, 'a', 'b', '🦄'], true);
    assert.deepEqual(vector.dictionary, ['b', 'a', '🦄']);
    assert.equal(vector.dictionary, vector.dictionary, 'decoded once');
    assert.deepEqual([...vector.codes], [0, 0, 1, 0, 2]);
  });

  for (const rows of [2_000, 70_000]) {
    it(`writes the same file as from strings (${rows.toLocaleString('en-US')} rows, unique text past the dictionary limit at 70,000)`, async () => {
      const temporary = await temporaryStore('utf8');
      try {
        const columns = columnValues(rows);
        const batchRows = Math.ceil(rows / 3);
        const fromStrings = batches(columns, batchRows, (values) => stringVectorFromValues(Types.string, values));
        // Messages come one entry per row (codes 0, 1, 2, …) as the builder makes unique text.
        const fromBytes = batches(columns, batchRows, (values, column) => utf8Vector(values, column !== 1));
        // Every other batch as strings: a partition of mixed vectors takes the string path.
        const mixed = batches(columns, batchRows, (values, column, batch) => (batch % 2 === 0 ? utf8Vector(values, column !== 1) : stringVectorFromValues(Types.string, values)));
        const options = { batchRowsMax: 8_192, zstdLevel: 1 };
        const expected = await writePartition(temporary.store, 'strings.arrow', schema, fromStrings, options);
        for (const [name, source] of [['bytes.arrow', fromBytes], ['mixed.arrow', mixed]] as const) {
          const meta = await writePartition(temporary.store, name, schema, source, options);
          assert.equal(meta.checksum, expected.checksum, `${name}: same bytes as the file written from strings`);
          assert.deepEqual(meta.columns, expected.columns);
          const layout = await loadPartitionLayout(temporary.store, meta);
          assert.deepEqual(layout.zones, (await loadPartitionLayout(temporary.store, expected)).zones);
          assert.deepEqual(columnsOf(await collect(readPartition(temporary.store, meta, schema, [0, 1, 2, 3])), 4), columns);
        }
        assert.equal(expected.columns[0].min, 'ERROR');
        assert.equal(expected.columns[0].max, 'débug');
        // U+E000 sorts above a surrogate pair in UTF-16 (JS order), below it in UTF-8 bytes: the writer keeps JS order.
        assert.equal(expected.columns[2].max, '\uFFFD replacement');
        assert.equal(expected.columns[2].min, 'a plain');
      } finally {
        await temporary.cleanup();
      }
    });
  }
});
