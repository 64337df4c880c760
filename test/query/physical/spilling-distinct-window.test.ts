import assert from 'node:assert/strict';
import { StrataError, Types, type Field, type Schema } from '../../../storage/index.js';
import type { LogicalPlan, WindowExpr, WindowFrame } from '../../../query/plan/index.js';
import { memoryTable, rowsOf, type TestValue } from '../support/memory-table.js';
import { col, dec, lit } from '../exec/expr-builders.js';
import { context, distinct, key, run, scan } from './plans.js';
import { MemorySpillArea } from './memory-spill-area.js';

const { int32, int64, float64, string } = Types;

/** Rows as sortable text, so results compare regardless of row order. */
function sortedText(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
}

describe('physical: DistinctExec and WindowExec spill past the memory budget', () => {
  const schema: Schema = {
    fields: [
      { name: 'k', type: int32, nullable: true }, { name: 's', type: string, nullable: true }, { name: 'v', type: dec(12, 2), nullable: true },
      { name: 'f', type: float64, nullable: true }, { name: 'o', type: int32, nullable: true },
    ],
  };
  let state = 11;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state;
  };
  // Repeated (k, s) pairs so DISTINCT drops rows; order keys `o` with ties so row_number depends on input order.
  const rows: TestValue[][] = Array.from({ length: 20_000 }, (_, i) => [
    next() % 3000 === 0 ? null : next() % 3000, `g${next() % 5}`, next() % 10 === 0 ? null : (next() % 100_000) - 50_000,
    [Number.NaN, -0, 0, 1.5][i % 4], next() % 7 === 0 ? null : next() % 4,
  ]);
  const partitions: TestValue[][][] = [];
  for (let start = 0; start < rows.length; start += 500) partitions.push(rows.slice(start, start + 500));
  const table = memoryTable('t', schema, partitions);
  const [k, s, v, f, o] = schema.fields.map((field, i) => col(i, field.type));

  async function compare(plan: LogicalPlan, budgetBytes: number): Promise<void> {
    const expected = sortedText(rowsOf(await run(plan, [table])));
    const spill = new MemorySpillArea();
    const ctx = { ...context(budgetBytes), spill };
    const actual = sortedText(rowsOf(await run(plan, [table], ctx)));
    assert.ok(spill.written > 1, `expected spilled runs, got ${spill.written}`);
    assert.ok((ctx.metrics.spilledBytes ?? 0) > 0);
    assert.equal(spill.live, 0, 'every run is released');
    assert.deepEqual(actual, expected);
  }

  it('DISTINCT over several columns (NULL, NaN, -0) spills and gives the in-memory rows', async () => {
    await compare(distinct(scan(table, [0, 1, 3])), 96 * 1024);
  });

  it('DISTINCT re-partitions at a tiny budget', async () => {
    await compare(distinct(scan(table, [0, 1, 2])), 32 * 1024);
  });

  it('DISTINCT without a spill area still fails with RESOURCES_MEMORY_EXCEEDED', async () => {
    await assert.rejects(run(distinct(scan(table, [0, 1, 2])), [table], context(32 * 1024)),
      (e: unknown) => e instanceof StrataError && e.code === 'RESOURCES_MEMORY_EXCEEDED' && e.message.includes('DistinctExec'));
  });

  const rowsFrame: WindowFrame = { units: 'rows', start: { kind: 'unbounded_preceding', offset: 0 }, end: { kind: 'current_row', offset: 0 } };
  const rangeFrame: WindowFrame = { units: 'range', start: { kind: 'unbounded_preceding', offset: 0 }, end: { kind: 'current_row', offset: 0 } };
  const slidingFrame: WindowFrame = { units: 'rows', start: { kind: 'preceding', offset: 2 }, end: { kind: 'following', offset: 1 } };
  function windowPlan(windows: WindowExpr[]): LogicalPlan {
    const input = scan(table, [0, 1, 2, 3, 4]);
    const fields: Field[] = [...input.schema.fields, ...windows.map((w, i) => ({ name: `w${i}`, type: w.type, nullable: true }))];
    return { kind: 'window', input, windows, schema: { fields } };
  }

  it('window functions (ties, ROWS and RANGE frames, two PARTITION BY sets) spill and give the in-memory values', async () => {
    const byK = [k];
    const byKS = [k, s];
    const plan = windowPlan([
      { fn: 'row_number', args: [], partitionBy: byK, orderBy: [key(o)], frame: rowsFrame, type: int64 },
      { fn: 'rank', args: [], partitionBy: byK, orderBy: [key(o, false)], frame: rowsFrame, type: int64 },
      { fn: 'sum', args: [v], partitionBy: byK, orderBy: [key(o)], frame: rangeFrame, type: dec(38, 2) },
      { fn: 'sum', args: [v], partitionBy: byKS, orderBy: [key(o)], frame: slidingFrame, type: dec(38, 2) },
      { fn: 'lag', args: [f, lit(1, int64), lit(null, float64)],
        partitionBy: byKS, orderBy: [key(o)], frame: rowsFrame, type: float64 },
    ]);
    await compare(plan, 192 * 1024);
  });

  it('one window partition larger than the budget fails naming WindowExec', async () => {
    const plan = windowPlan([{ fn: 'row_number', args: [], partitionBy: [s], orderBy: [key(o)], frame: rowsFrame, type: int64 }]);
    const spill = new MemorySpillArea();
    await assert.rejects(run(plan, [table], { ...context(64 * 1024), spill }),
      (e: unknown) => e instanceof StrataError && e.code === 'RESOURCES_MEMORY_EXCEEDED' && e.message.includes('WindowExec'));
    assert.equal(spill.live, 0, 'every run is released');
  });
});
