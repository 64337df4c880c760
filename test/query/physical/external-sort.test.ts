import assert from 'node:assert/strict';
import { Types, type Schema } from '../../../storage/index.js';
import type { SortKey } from '../../../query/plan/index.js';
import { memoryTable, rowsOf, type TestValue } from '../support/memory-table.js';
import { col, dec } from '../exec/expr-builders.js';
import { context, key, run, scan, sort } from './plans.js';
import { MemorySpillArea } from './memory-spill-area.js';

const { int32, int64, float64, string, date } = Types;

describe('physical: external sort (SortExec with a spill area)', () => {
  const schema: Schema = {
    fields: [
      { name: 'id', type: int32, nullable: false }, { name: 's', type: string, nullable: true }, { name: 'n', type: int32, nullable: true },
      { name: 'f', type: float64, nullable: true }, { name: 'x', type: dec(8, 2), nullable: true }, { name: 'd', type: date, nullable: true },
      { name: 'b', type: int64, nullable: true },
    ],
  };
  let state = 11;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state;
  };
  const pick = <T>(values: readonly T[]): T => values[next() % values.length];
  // Few distinct keys, so ties are everywhere and stability shows.
  const rows: TestValue[][] = Array.from({ length: 12_000 }, (_, id) => [
    id, pick(['b', 'a', 'B', 'é', '', 'ab', null]), pick([3, -1, 0, 2147483647, -2147483648, null]), pick([0.5, -0.5, Number.NaN, 1e300, null]),
    pick([100, -100, 0, 5, null]), pick([0, 1, -1, 20000, null]), pick([-(2n ** 62n), 0n, 7n, null]),
  ]);
  const partitions: TestValue[][][] = [];
  for (let start = 0; start < rows.length; start += 300) partitions.push(rows.slice(start, start + 300));
  const table = memoryTable('t', schema, partitions);
  const [, s, n, f, x, d, b] = schema.fields.map((field, i) => col(i, field.type));
  const orderings: { name: string; keys: SortKey[] }[] = [
    { name: 'string ASC', keys: [key(s)] },
    { name: 'string DESC NULLS FIRST, int ASC NULLS FIRST', keys: [key(s, false), key(n, true, true)] },
    { name: 'double with NaN DESC NULLS LAST, decimal ASC', keys: [key(f, false, false), key(x)] },
    { name: 'date ASC NULLS FIRST, bigint DESC', keys: [key(d, true, true), key(b, false, false)] },
  ];

  for (const ordering of orderings) {
    it(`spills and merges to the in-memory order: ${ordering.name}`, async () => {
      const plan = sort(scan(table, [0, 1, 2, 3, 4, 5, 6]), ordering.keys);
      const expected = rowsOf(await run(plan, [table]));
      const spill = new MemorySpillArea();
      const ctx = { ...context(96 * 1024), spill };
      const actual = rowsOf(await run(plan, [table], ctx));
      assert.ok(spill.written > 2, `expected several runs, got ${spill.written}`);
      assert.ok((ctx.metrics.spilledBytes ?? 0) > 0);
      assert.equal(spill.live, 0, 'every run is released');
      assert.deepEqual(actual, expected);
    });
  }

  it('merges in passes when there are more runs than one merge takes', async () => {
    const small: TestValue[][][] = [];
    for (let start = 0; start < rows.length; start += 80) small.push(rows.slice(start, start + 80));
    const many = memoryTable('t', schema, small);
    const plan = sort(scan(many, [0, 1, 2, 3]), [key(f), key(s, false)]);
    const expected = rowsOf(await run(plan, [many]));
    const spill = new MemorySpillArea();
    const actual = rowsOf(await run(plan, [many], { ...context(6 * 1024), spill }));
    assert.ok(spill.written > 64 + 1, `expected more than 64 runs plus merged ones, got ${spill.written}`);
    assert.equal(spill.live, 0);
    assert.deepEqual(actual, expected);
  });

  it('sorts in memory without spilling when the input fits', async () => {
    const plan = sort(scan(table, [0, 1]), [key(s)]);
    const spill = new MemorySpillArea();
    const ctx = { ...context(), spill };
    assert.deepEqual(rowsOf(await run(plan, [table], ctx)), rowsOf(await run(plan, [table])));
    assert.equal(spill.written, 0);
    assert.equal(ctx.metrics.spilledBytes ?? 0, 0);
  });

  it('releases its runs when the query is cancelled mid-merge', async () => {
    const plan = sort(scan(table, [0, 1, 2, 3]), [key(s)]);
    const spill = new MemorySpillArea();
    const controller = new AbortController();
    const ctx = { ...context(64 * 1024, controller.signal), spill };
    const { createPhysicalPlan } = await import('../../../query/physical/index.js');
    const physical = createPhysicalPlan(plan, new Map([['t', table]]));
    await assert.rejects(async () => {
      for await (const _batch of physical.execute(ctx)) controller.abort();
    }, { code: 'QUERY_CANCELLED' });
    assert.ok(spill.written > 1);
    assert.equal(spill.live, 0);
  });
});
