/**
 * Grace hash join through the engine: with a spill area and a build side past the memory
 * limit, every partitionable join type gives the rows of the in-memory join; null-aware joins
 * (NOT IN) still fail cleanly naming HashJoinExec; the spill area is empty afterwards.
 */
import assert from 'node:assert/strict';
import { StrataError, Types, type Schema } from '../../../storage/index.js';
import { QueryEngine } from '../../../query/index.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { batchFromRows, memoryPartition, rowsOf } from '../support/memory-table.js';
import { MemorySpillArea } from './memory-spill-area.js';

const schema: Schema = {
  fields: [
    { name: 'k', type: Types.int32, nullable: true },
    { name: 'v', type: Types.int64, nullable: false },
    { name: 's', type: Types.string, nullable: true },
  ],
};

/** `rows` rows in partitions of 2,000: k = i % keys (NULL every 97th), v = i, s = 'x' + (i % 13). */
function addTable(catalog: MemoryCatalog, name: string, rows: number, keys: number, offset: number): void {
  const partitions = [];
  for (let start = 0; start < rows; start += 2000) {
    const data = [];
    for (let i = start; i < Math.min(rows, start + 2000); i++) data.push([i % 97 === 0 ? null : (i + offset) % keys, i, `x${i % 13}`]);
    partitions.push(memoryPartition(`${name}${start}`, schema, [batchFromRows(schema, data)]));
  }
  catalog.addTable(name, schema, partitions);
}

/** Rows as sorted JSON lines (joins have no order). */
function sortedRows(batches: Parameters<typeof rowsOf>[0]): string[] {
  return rowsOf(batches).map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))).sort();
}

describe('physical: grace hash join (HashJoinExec with a spill area)', function () {
  this.timeout(120_000);
  const catalog = new MemoryCatalog();
  addTable(catalog, 'a', 12_000, 3_000, 0);
  addTable(catalog, 'b', 16_000, 4_000, 7);
  const inMemory = new QueryEngine(catalog);
  const areas: MemorySpillArea[] = [];
  const spilling = new QueryEngine(catalog, {
    memoryBytesMax: 192 * 1024,
    spillAreas: () => {
      const area = Object.assign(new MemorySpillArea(), { close: async () => undefined });
      areas.push(area);
      return area;
    },
  });

  const queries = [
    ['inner', 'SELECT a.k, a.v, b.v FROM a JOIN b ON a.k = b.k'],
    ['inner with a residual filter', 'SELECT a.v, b.v, b.s FROM a JOIN b ON a.k = b.k AND a.v < b.v'],
    ['left', 'SELECT a.k, a.v, b.v FROM a LEFT JOIN b ON a.k = b.k AND b.s <> \'x3\''],
    ['right', 'SELECT a.v, b.k, b.v FROM a RIGHT JOIN b ON a.k = b.k AND a.v > 6000'],
    ['full', 'SELECT a.v, b.v FROM a FULL JOIN b ON a.k = b.k AND a.s = b.s'],
    ['semi (EXISTS)', 'SELECT a.v FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND b.v > 9000)'],
    ['anti (NOT EXISTS)', 'SELECT a.v, a.k FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND b.s = a.s)'],
  ];
  for (const [name, sql] of queries) {
    it(`${name} join spills and equals the in-memory join`, async () => {
      const expected = sortedRows((await inMemory.execute(sql)).batches);
      const result = await spilling.execute(sql);
      assert.ok((result.stats.spilledBytes ?? 0) > 0, 'the join spilled');
      assert.deepEqual(sortedRows(result.batches), expected);
      assert.equal(areas.at(-1)?.live, 0, 'every run released');
    });
  }

  it('joins in memory, without spilling, when the build side fits', async () => {
    const sql = 'SELECT a.v, b.v FROM a JOIN b ON a.k = b.k WHERE a.v < 2000 AND b.v < 2000';
    const result = await spilling.execute(sql);
    assert.equal(result.stats.spilledBytes, 0);
    assert.deepEqual(sortedRows(result.batches), sortedRows((await inMemory.execute(sql)).batches));
  });

  it('fails a null-aware anti join (NOT IN) past the limit cleanly, naming HashJoinExec', async () => {
    await assert.rejects(spilling.execute('SELECT a.v FROM a WHERE a.k NOT IN (SELECT b.k FROM b)'), (error: unknown) =>
      error instanceof StrataError && error.code === 'RESOURCES_MEMORY_EXCEEDED' && /HashJoinExec/.test(error.message));
  });
});
