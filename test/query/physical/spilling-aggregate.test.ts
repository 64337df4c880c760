import assert from 'node:assert/strict';
import { Types, type Schema } from '../../../storage/index.js';
import { memoryTable, rowsOf, type TestValue } from '../support/memory-table.js';
import { agg, call, col, dec, lit } from '../exec/expr-builders.js';
import { aggregate, context, filter, run, scan } from './plans.js';
import { MemorySpillArea } from './memory-spill-area.js';

const { int32, int64, float64, string, boolean } = Types;

/** Rows as sortable text, so results compare regardless of group order. */
function sortedText(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
}

describe('physical: spilling hash aggregation (HashAggregateExec with a spill area)', () => {
  const schema: Schema = {
    fields: [
      { name: 'k', type: int32, nullable: true }, { name: 's', type: string, nullable: true }, { name: 'v', type: dec(12, 2), nullable: true },
      { name: 'f', type: float64, nullable: true }, { name: 'b', type: boolean, nullable: true }, { name: 'pad', type: string, nullable: true },
    ],
  };
  let state = 5;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state;
  };
  const rows: TestValue[][] = Array.from({ length: 24_000 }, (_, i) => [
    next() % 6000 === 0 ? null : next() % 6000, `g${next() % 7}`, next() % 10 === 0 ? null : (next() % 100_000) - 50_000, [Number.NaN, -0, 0, 1.5][i % 4],
    ((next() >>> 8) & 1) === 0, `pad-${i % 50}`,
  ]);
  const partitions: TestValue[][][] = [];
  for (let start = 0; start < rows.length; start += 500) partitions.push(rows.slice(start, start + 500));
  const table = memoryTable('t', schema, partitions);
  const [k, s, v, f, b] = schema.fields.map((field, i) => col(i, field.type));
  const aggregates = [
    agg('count_star', int64, null), agg('sum', dec(38, 2), v), agg('avg', float64, v), agg('min', dec(12, 2), v), agg('max', string, s),
    agg('count', int64, v, { distinct: true }), agg('sum', dec(38, 2), v, { filter: call('eq', boolean, b, lit(true, boolean)) }),
  ];

  const cases = [
    { name: 'one int key (with NULLs)', groupBy: [k] },
    { name: 'int and string keys', groupBy: [k, s] },
    { name: 'double key with NaN and -0, string key', groupBy: [f, s, k] },
  ];
  for (const c of cases) {
    it(`spills and gives the in-memory groups: ${c.name}`, async () => {
      const plan = aggregate(scan(table, [0, 1, 2, 3, 4, 5]), c.groupBy, aggregates);
      const expected = sortedText(rowsOf(await run(plan, [table])));
      const spill = new MemorySpillArea();
      const ctx = { ...context(256 * 1024), spill };
      const actual = sortedText(rowsOf(await run(plan, [table], ctx)));
      assert.ok(spill.written > 1, `expected spilled runs, got ${spill.written}`);
      assert.ok((ctx.metrics.spilledBytes ?? 0) > 0);
      assert.equal(spill.live, 0, 'every run is released');
      assert.deepEqual(actual, expected);
    });
  }

  it('applies filters below the aggregation on spilled rows too', async () => {
    const plan = aggregate(filter(scan(table, [0, 1, 2, 3, 4, 5]), call('eq', boolean, b, lit(true, boolean))), [k], aggregates);
    const expected = sortedText(rowsOf(await run(plan, [table])));
    const spill = new MemorySpillArea();
    const actual = sortedText(rowsOf(await run(plan, [table], { ...context(128 * 1024), spill })));
    assert.ok(spill.written > 1);
    assert.deepEqual(actual, expected);
  });

  it('re-partitions a partition that still does not fit (tiny budget)', async () => {
    const plan = aggregate(scan(table, [0, 1, 2]), [k, s], [agg('count_star', int64, null), agg('sum', dec(38, 2), v)]);
    const expected = sortedText(rowsOf(await run(plan, [table])));
    const spill = new MemorySpillArea();
    const actual = sortedText(rowsOf(await run(plan, [table], { ...context(48 * 1024), spill })));
    assert.deepEqual(actual, expected);
    assert.equal(spill.live, 0);
  });

  it('does not spill when the groups fit', async () => {
    const plan = aggregate(scan(table, [0, 1, 2]), [s], [agg('count_star', int64, null)]);
    const spill = new MemorySpillArea();
    assert.deepEqual(sortedText(rowsOf(await run(plan, [table], { ...context(), spill }))), sortedText(rowsOf(await run(plan, [table]))));
    assert.equal(spill.written, 0);
  });

  it('releases spilled runs when cancelled', async () => {
    const plan = aggregate(scan(table, [0, 1, 2]), [k, s], [agg('count_star', int64, null)]);
    const spill = new MemorySpillArea();
    const controller = new AbortController();
    const { createPhysicalPlan } = await import('../../../query/physical/index.js');
    const physical = createPhysicalPlan(plan, new Map([['t', table]]));
    await assert.rejects(async () => {
      for await (const _batch of physical.execute({ ...context(64 * 1024, controller.signal), spill })) controller.abort();
    }, { code: 'QUERY_CANCELLED' });
    assert.ok(spill.written > 1);
    assert.equal(spill.live, 0);
  });
});
