/**
 * Shuffle joins in one process: a coordinator engine whose executor maps both sides of a join
 * into buckets by key on two "nodes" (fragments as JSON, like the RPC) and runs the reduce
 * fragment once per bucket. EXPLAIN shows distribution=shuffle; answers equal one node's for
 * inner, left, right, full, semi and anti joins, NULL keys, string keys with different
 * dictionaries on each side, a self join and a partial aggregate above the join; an executor
 * that cannot shuffle, or declines to, gets the gather plan and the same answers.
 */
import assert from 'node:assert/strict';
import { Types, numericVector, stringVectorFromValues, type Batch, type Schema } from '../../../storage/index.js';
import { QueryEngine, splitByBucket, type Expr, type FragmentExecutor, type ShuffleExecutor } from '../../../query/index.js';
import { InProcessShuffle, runOnNodes } from './in-process-shuffle.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { batchFromRows } from '../support/memory-table.js';
import { formatValue } from '../slt/runner.js';

const factSchema: Schema = {
  fields: [
    { name: 'id', type: Types.int32, nullable: false },
    { name: 'dim', type: Types.int32, nullable: true },
    { name: 'label', type: Types.string, nullable: true },
    { name: 'amount', type: Types.int64, nullable: false },
  ],
};
const dimSchema: Schema = {
  fields: [
    { name: 'dim', type: Types.int32, nullable: true },
    { name: 'name', type: Types.string, nullable: false },
  ],
};

function rowsOf(batches: readonly Batch[]): string[] {
  const rows: string[] = [];
  for (const batch of batches) for (let i = 0; i < batch.length; i++) rows.push(batch.columns.map((v) => formatValue(v, i)).join('|'));
  return rows.sort();
}

function columnRef(index: number, name: string, type: Schema['fields'][number]['type']): Expr {
  return { kind: 'column', index, name, type } as Expr;
}

describe('shuffle joins (in-process executor)', function () {
  this.timeout(60_000);
  const memory = new MemoryCatalog({ partitionRowsMax: 400 });
  const worker = new QueryEngine(memory);
  const shuffler = new InProcessShuffle(worker);
  const distribute = { broadcastRowsMax: 0, shuffleRowsMin: 1 };
  const coordinator = new QueryEngine(memory, { fragmentExecutor: shuffler, distribute });
  const gatherOnly: FragmentExecutor = { execute: (task, signal, progress) => runOnNodes(worker, task, signal, progress) };
  const gathering = new QueryEngine(memory, { fragmentExecutor: gatherOnly, distribute });
  const declining: ShuffleExecutor = { execute: gatherOnly.execute, shuffle: () => null };
  const declined = new QueryEngine(memory, { fragmentExecutor: declining, distribute });
  const single = new QueryEngine(memory);

  before(async () => {
    await single.execute('CREATE TABLE f (id INTEGER NOT NULL, dim INTEGER, label VARCHAR, amount BIGINT NOT NULL)');
    await single.execute('CREATE TABLE g (dim INTEGER, name VARCHAR NOT NULL)');
    const facts = Array.from({ length: 3000 }, (_, i) => [i, i % 11 === 0 ? null : i % 40, i % 13 === 0 ? null : `d${i % 37}`, i * 3]);
    // Two inserts: the string column's dictionaries differ between partitions.
    await memory.insert('f', [batchFromRows(factSchema, facts.slice(0, 1700))]);
    await memory.insert('f', [batchFromRows(factSchema, facts.slice(1700).reverse())]);
    const dims = [...Array.from({ length: 30 }, (_, d) => [d, `d${29 - d}`]), [null, 'none'], [7, 'seven']];
    await memory.insert('g', [batchFromRows(dimSchema, dims)]);
  });

  const queries = [
    'SELECT g.name, count(*), sum(f.amount) FROM f JOIN g ON f.dim = g.dim GROUP BY g.name',
    'SELECT count(*), sum(f.amount), min(g.name) FROM f JOIN g ON f.dim = g.dim',
    'SELECT f.id, g.name FROM f LEFT JOIN g ON f.dim = g.dim WHERE f.id < 300',
    'SELECT f.label, g.dim, count(*) FROM f JOIN g ON f.label = g.name GROUP BY f.label, g.dim',
    'SELECT f.id, g.name FROM f LEFT JOIN g ON f.label = g.name AND f.dim = g.dim',
    'SELECT g.name, f.id FROM f RIGHT JOIN g ON f.dim = g.dim AND f.id < 50',
    'SELECT g.name, f.id FROM f FULL JOIN g ON f.dim = g.dim AND f.id < 45',
    'SELECT id FROM f WHERE EXISTS (SELECT 1 FROM g WHERE g.dim = f.dim AND g.name <> \'d3\')',
    'SELECT count(*) FROM f WHERE NOT EXISTS (SELECT 1 FROM g WHERE g.dim = f.dim)',
    'SELECT count(*), sum(a.amount) FROM f AS a JOIN f AS b ON a.id = b.id + 1',
    'SELECT f.dim, count(*) FROM f JOIN g ON f.dim = g.dim WHERE g.name LIKE \'d1%\' GROUP BY f.dim ORDER BY 2 DESC, 1 LIMIT 4',
  ];

  for (const sql of queries) {
    it(`plans a shuffle and answers like one node: ${sql}`, async () => {
      const explain = rowsOf((await coordinator.execute(`EXPLAIN ${sql}`)).batches).join('\n');
      assert.match(explain, /HashJoin: [a-z]+ keys=\[[^\]]+\][^\n]* distribution=shuffle/, explain);
      const expected = rowsOf((await single.execute(sql)).batches);
      const before = shuffler.shuffles;
      const result = await coordinator.execute(sql);
      assert.deepEqual(rowsOf(result.batches), expected);
      assert.ok(shuffler.shuffles > before, 'the executor ran no shuffle');
      // The map side's read counts reach the query's summary.
      assert.ok(result.stats.rowsScanned > 0, 'no rows counted as scanned');
      // Both nodes mapped unless pruning left one partition of each side.
      assert.ok(result.stats.nodes.includes('n0'), result.stats.nodes.join(','));
      // An executor without shuffle support runs the same plan as a gather join.
      assert.deepEqual(rowsOf((await gathering.execute(sql)).batches), expected);
      // So does one that declines this shuffle (a cluster of one node).
      assert.deepEqual(rowsOf((await declined.execute(sql)).batches), expected);
    });
  }

  it('puts the partial aggregate in the reduce fragment, below the exchange', async () => {
    const explain = rowsOf((await coordinator.execute('EXPLAIN SELECT g.name, sum(f.amount) FROM f JOIN g ON f.dim = g.dim GROUP BY g.name')).batches);
    const text = explain.join('\n');
    assert.match(text, /distribution=shuffle/);
    assert.equal(explain.filter((line) => /Exchange/.test(line)).length, 3, text);
    assert.equal(explain.filter((line) => /Exchange: shuffle reduce/.test(line)).length, 1, text);
    assert.equal(explain.filter((line) => /Exchange: shuffle map/.test(line)).length, 2, text);
  });

  it('gathers a NOT IN (null-aware) join and a join without keys', async () => {
    for (const sql of ['SELECT count(*) FROM f WHERE dim NOT IN (SELECT dim FROM g)', 'SELECT count(*) FROM f, g WHERE f.id < g.dim']) {
      const explain = rowsOf((await coordinator.execute(`EXPLAIN ${sql}`)).batches).join('\n');
      assert.doesNotMatch(explain, /distribution=shuffle/, explain);
      assert.deepEqual(rowsOf((await coordinator.execute(sql)).batches), rowsOf((await single.execute(sql)).batches));
    }
  });

  it('keeps broadcast and gather at the default thresholds for small tables', async () => {
    const plain = new QueryEngine(memory, { fragmentExecutor: shuffler });
    const explain = rowsOf((await plain.execute('EXPLAIN SELECT count(*) FROM f JOIN g ON f.dim = g.dim')).batches).join('\n');
    assert.match(explain, /distribution=broadcast/);
    assert.doesNotMatch(explain, /distribution=shuffle/);
  });

  it('puts equal keys in the same bucket whatever their width or dictionary', () => {
    const ints = { length: 4, columns: [numericVector(Types.int32, Int32Array.from([5, -1, 0, 123456]))] };
    const wide = { length: 4, columns: [numericVector(Types.int64, Float64Array.from([123456, 0, -1, 5]))] };
    const texts = { length: 3, columns: [stringVectorFromValues(Types.string, ['a', 'bb', 'ccc'])] };
    const other = { length: 3, columns: [stringVectorFromValues(Types.string, ['ccc', 'ccc', 'a'])] };
    const bucketOf = (batch: Batch, type: typeof Types.int32, row: number): number => {
      const parts = splitByBucket(batch, [columnRef(0, 'k', type)], 7);
      return parts.findIndex((part) => part !== null && rowsOf([part]).includes(formatValue(batch.columns[0], row)));
    };
    assert.equal(bucketOf(ints, Types.int32, 0), bucketOf(wide, Types.int64, 3));
    assert.equal(bucketOf(ints, Types.int32, 3), bucketOf(wide, Types.int64, 0));
    assert.equal(bucketOf(texts, Types.string, 2), bucketOf(other, Types.string, 0));
    assert.equal(bucketOf(texts, Types.string, 0), bucketOf(other, Types.string, 2));
    // Every row lands in exactly one bucket.
    const parts = splitByBucket(ints, [columnRef(0, 'k', Types.int32)], 3);
    assert.equal(parts.reduce((sum, part) => sum + (part?.length ?? 0), 0), 4);
  });
});
