/**
 * EXPLAIN golden outputs for joins and subqueries: WHERE equalities become hash keys, one-sided
 * conditions reach their scans (or stay where an outer join needs them), conditions shared by
 * every arm of an OR are taken out, subqueries become semi / anti / null-aware anti / single
 * joins, and the rules can be switched off by name.
 */
import assert from 'node:assert/strict';
import { QueryEngine } from '../../../query/index.js';
import { MemoryCatalog } from '../support/memory-catalog.js';

async function catalogWithTables(): Promise<MemoryCatalog> {
  const catalog = new MemoryCatalog({ partitionRowsMax: 2 });
  const engine = new QueryEngine(catalog);
  await engine.execute('CREATE TABLE big (id INTEGER, k INTEGER, s VARCHAR)');
  await engine.execute('CREATE TABLE dim (k INTEGER, name VARCHAR)');
  await engine.execute("INSERT INTO big VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c'), (4, 3, 'd'), (5, 3, 'e'), (6, 4, 'f')");
  await engine.execute("INSERT INTO dim VALUES (1, 'one'), (2, 'two')");
  return catalog;
}

describe('optimizer: join and subquery plans', () => {
  let catalog: MemoryCatalog;
  let engine: QueryEngine;

  before(async () => {
    catalog = await catalogWithTables();
    engine = new QueryEngine(catalog);
  });

  it('turns WHERE equalities into hash keys and pushes one-sided conditions to the scans', async () => {
    assert.equal(await engine.explain("SELECT big.id, dim.name FROM big, dim WHERE big.k = dim.k AND dim.name <> 'x' AND big.id > 1"), [
      'Project: id, name',
      '  HashJoin: inner keys=[k = k]',
      '    Scan: big projection=[id, k] filters=[id > 1] partitions=3/3 (0 pruned)',
      "    Scan: dim projection=[k, name] filters=[name <> 'x'] partitions=1/1 (0 pruned)",
      'Optimizer rules applied: PushDownFilter, ReorderJoins, PushDownProjection',
    ].join('\n'));
  });

  it('keeps a condition on the outer side of a LEFT JOIN in the join, moves one on the inner side below it', async () => {
    assert.equal(await engine.explain("SELECT big.id, dim.name FROM big LEFT JOIN dim ON big.k = dim.k AND big.id > 2 AND dim.name = 'one'"), [
      'Project: id, name',
      '  HashJoin: left keys=[k = k] filter=id > 2',
      '    Scan: big projection=[id, k] partitions=3/3 (0 pruned)',
      "    Scan: dim projection=[k, name] filters=[name = 'one'] partitions=1/1 (0 pruned)",
      'Optimizer rules applied: PushDownFilter, PushDownProjection',
    ].join('\n'));
  });

  it('takes a join key out of every arm of an OR', async () => {
    const plan = await engine.explain("SELECT big.id FROM big, dim WHERE (big.k = dim.k AND dim.name = 'one') OR (big.k = dim.k AND big.s = 'c')");
    assert.match(plan, /HashJoin: inner keys=\[k = k\] filter=\(name = 'one'\) OR \(s = 'c'\)/);
    assert.match(plan, /SimplifyBooleans/);
  });

  it('plans EXISTS, NOT IN and scalar subqueries as semi, null-aware anti and single joins', async () => {
    const exists = await engine.explain('SELECT id FROM big WHERE EXISTS (SELECT 1 FROM dim WHERE dim.k = big.k)');
    assert.match(exists, /HashJoin: semi keys=\[k = k\]/);
    const notIn = await engine.explain('SELECT id FROM big WHERE k NOT IN (SELECT k FROM dim)');
    assert.match(notIn, /HashJoin: anti null-aware keys=\[k = k\]/);
    const scalar = await engine.explain('SELECT id FROM big WHERE k > (SELECT avg(k) FROM dim)');
    assert.match(scalar, /HashJoin: single/);
    const correlated = await engine.explain('SELECT id, (SELECT count(*) FROM dim WHERE dim.k = big.k) FROM big');
    assert.match(correlated, /HashJoin: left keys=\[k = #key0\]/);
    assert.match(correlated, /Aggregate: groupBy=\[k\] aggregates=\[count\(\*\)\]/);
  });

  it('keeps the FROM order when ReorderJoins is switched off', async () => {
    const fixed = new QueryEngine(catalog, { disabledRules: ['ReorderJoins'] });
    const plan = await fixed.explain('SELECT big.id FROM dim, big WHERE big.k = dim.k');
    assert.deepEqual(plan.split('\n').filter((line) => /Scan:/.test(line)).map((line) => line.trim().split(' ')[1]), ['dim', 'big']);
    const reordered = await engine.explain('SELECT big.id FROM dim, big WHERE big.k = dim.k');
    assert.deepEqual(reordered.split('\n').filter((line) => /Scan:/.test(line)).map((line) => line.trim().split(' ')[1]), ['big', 'dim']);
  });
});
