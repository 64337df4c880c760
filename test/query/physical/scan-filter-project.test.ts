import assert from 'node:assert/strict';
import { Types, type Batch, type Schema } from '../../../storage/index.js';
import type { TableSource } from '../../../query/catalog.js';
import { createPhysicalPlan } from '../../../query/physical/index.js';
import { memoryTable } from '../support/memory-table.js';
import { call, col, dec, lit } from '../exec/expr-builders.js';
import { context, distinct, filter, limit, project, run, scan, textRows } from './plans.js';

const { int32, int64, string, boolean } = Types;

describe('physical: ScanExec, FilterExec, ProjectExec, DistinctExec, ValuesExec', () => {
  const schema: Schema = {
    fields: [{ name: 'id', type: int32, nullable: false }, { name: 'name', type: string, nullable: true }, { name: 'price', type: dec(10, 2), nullable: true }],
  };
  const table = memoryTable('items', schema, [
    [[1, 'apple', 150], [2, 'pear', 99], [3, null, 1000]],
    [[4, 'apple', null], [5, 'fig', 250]],
    [[6, 'kiwi', 75], [7, 'apple', 150]],
  ]);

  it('reads the projected columns in order, applies pushed filters and counts partitions, rows and bytes', async () => {
    const cheap = call('lt', boolean, col(0, dec(10, 2)), lit(200, dec(10, 2)));
    const plan = scan(table, [2, 0], [cheap]);
    const ctx = context();
    const rows = textRows(await run(plan, [table], ctx), plan.schema);
    assert.deepEqual(rows, [['1.50', '1'], ['0.99', '2'], ['0.75', '6'], ['1.50', '7']]);
    const bytes = table.partitions.reduce((sum, p) => sum + p.columns[2].bytes + p.columns[0].bytes, 0);
    const { partitionsScanned, rowsScanned, bytesScanned } = ctx.metrics;
    assert.deepEqual({ partitionsScanned, rowsScanned, bytesScanned }, { partitionsScanned: 3, rowsScanned: 7, bytesScanned: bytes });
  });

  it('reads only the partitions the plan lists (after pruning)', async () => {
    const plan = scan(table, [0], [], [table.partitions[1]]);
    const ctx = context();
    assert.deepEqual(textRows(await run(plan, [table], ctx), plan.schema), [['4'], ['5']]);
    assert.equal(ctx.metrics.partitionsScanned, 1);
  });

  it('filters with AND of conjuncts (NULL drops the row) and projects expressions', async () => {
    const predicate = call('and', boolean, call('eq', boolean, col(1, string), lit('apple', string)), call('gt', boolean, col(0, int32), lit(1, int32)));
    const plan = project(filter(scan(table, [0, 1, 2]), predicate), [
      col(0, int32), call('multiply', dec(18, 2), col(2, dec(10, 2)), lit(2, dec(1, 0))), lit('const', string),
    ]);
    assert.deepEqual(textRows(await run(plan, [table]), plan.schema), [['4', null, 'const'], ['7', '3.00', 'const']]);
  });

  it('DISTINCT keeps the first row of each distinct value combination (NULLs equal)', async () => {
    const plan = distinct(scan(table, [1]));
    assert.deepEqual(textRows(await run(plan, [table]), plan.schema), [['apple'], ['pear'], [null], ['fig'], ['kiwi']]);
    const pairs = distinct(project(scan(table, [1, 2]), [col(0, string), call('gt', boolean, col(1, dec(10, 2)), lit(100, dec(10, 2)))]));
    assert.deepEqual(textRows(await run(pairs, [table]), pairs.schema),
      [['apple', 'true'], ['pear', 'false'], [null, 'true'], ['apple', null], ['fig', 'true'], ['kiwi', 'false']]);
  });

  it('VALUES evaluates constant rows, casting to the column types', async () => {
    const plan = {
      kind: 'values' as const,
      rows: [[lit(1, int32), lit('a', string)], [call('add', int32, lit(2, int32), lit(3, int32)), lit(null, string)], [lit(7, int64), lit('c', string)]],
      schema: { fields: [{ name: 'a', type: int64, nullable: true }, { name: 'b', type: string, nullable: true }] },
    };
    assert.deepEqual(textRows(await run(plan, []), plan.schema), [['1', 'a'], ['5', null], ['7', 'c']]);
  });

  it('stops with QUERY_CANCELLED when the signal fires between batches', async () => {
    const controller = new AbortController();
    const physical = createPhysicalPlan(scan(table, [0]), new Map([['items', table]]));
    const seen: Batch[] = [];
    await assert.rejects((async () => {
      for await (const batch of physical.execute(context(1 << 20, controller.signal))) {
        seen.push(batch);
        controller.abort();
      }
    })(), { code: 'QUERY_CANCELLED', kind: 'cancelled' });
    assert.equal(seen.length, 1);
  });

  it('turns an abort error of the source into QUERY_CANCELLED', async () => {
    const controller = new AbortController();
    const aborting: TableSource = {
      ...table,
      name: 'items',
      schema: table.schema,
      version: 1,
      partitions: table.partitions,
      async *scan(): AsyncIterable<Batch> {
        controller.abort();
        throw new DOMException('aborted', 'AbortError');
      },
    };
    await assert.rejects(run(limit(scan(aborting, [0]), 1), [aborting], context(1 << 20, controller.signal)), { code: 'QUERY_CANCELLED' });
  });

  it('splits source batches larger than 64 Ki rows', async () => {
    const large = memoryTable('large', { fields: [{ name: 'v', type: int32, nullable: false }] }, [Array.from({ length: 70_000 }, (_, i) => [i])]);
    const batches = await run(scan(large, [0]), [large]);
    assert.deepEqual(batches.map((b) => b.length), [65_536, 70_000 - 65_536]);
  });
});
