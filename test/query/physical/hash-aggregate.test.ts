import assert from 'node:assert/strict';
import { numericVector, stringVector, Types, type Batch, type Schema } from '../../../storage/index.js';
import { MemoryTable, memoryPartition, memoryTable, type TestValue } from '../support/memory-table.js';
import { Duck } from '../exec/duckdb-side.js';
import type { Expr } from '../../../query/plan/index.js';
import { agg, call, col, dec, lit } from '../exec/expr-builders.js';
import { aggregate, context, duckSelect, filter, run, scan, textRows } from './plans.js';

const { int32, int64, float64, string, boolean, date } = Types;

/** Deterministic pseudo-random numbers (a linear congruential generator). */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

function sortRows(rows: unknown[][]): unknown[][] {
  const keyed = rows.map((row) => ({ row, key: JSON.stringify(row) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.row);
}

function assertSameRows(actual: unknown[][], expected: unknown[][], floatColumns: ReadonlySet<number>): void {
  assert.equal(actual.length, expected.length, 'row count');
  const strip = (rows: unknown[][]): unknown[][] => sortRows(rows.map((r) => r.map((v, c) => (floatColumns.has(c) ? null : v))));
  const a = sortRows(actual);
  const e = sortRows(expected);
  assert.deepEqual(strip(a), strip(e));
  for (let i = 0; i < a.length; i++) {
    for (const c of floatColumns) {
      const x = a[i][c] as number | null;
      const y = e[i][c] === null ? null : Number(e[i][c]);
      if (x === null || y === null) assert.equal(x, y);
      else assert.ok(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)), `row ${i} column ${c}: ${x} vs ${y}`);
    }
  }
}

describe('physical: HashAggregateExec', () => {
  let duck: Duck;
  before(async () => { duck = await Duck.open(); });

  const schema: Schema = {
    fields: [
      { name: 'k', type: string, nullable: true }, { name: 'n', type: int32, nullable: true }, { name: 'd', type: date, nullable: true },
      { name: 'b', type: boolean, nullable: true }, { name: 'v', type: dec(12, 2), nullable: true }, { name: 'f', type: float64, nullable: true },
      { name: 's', type: string, nullable: true },
    ],
  };
  const random = generator(42);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const rows: TestValue[][] = Array.from({ length: 3000 }, () => [
    pick(['A', 'N', 'R', null]), pick([1, 2, 3, -7, 2147483647, null]), pick([0, 19000, 19001, -365, null]), pick([true, false, null]),
    pick([-12345, 0, 99, 1, 250000, null]), pick([0.5, -1.25, 1e10, null]), pick(['x', 'é', 'zz', '', 'Zeta', null]),
  ]);
  const table = memoryTable('t', schema, [rows.slice(0, 1000), rows.slice(1000, 1001), [], rows.slice(1001)]);
  const [k, n, d, b, v, f, s] = schema.fields.map((field, i) => col(i, field.type));
  const allAggregates = [
    agg('count_star', int64, null), agg('count', int64, v), agg('sum', dec(38, 2), v), agg('avg', float64, v), agg('min', dec(12, 2), v),
    agg('max', dec(12, 2), v), agg('sum', float64, f), agg('min', string, s), agg('max', string, s), agg('count', int64, s, { distinct: true }),
    agg('sum', int64, n), agg('max', date, d), agg('min', boolean, b), agg('sum', dec(38, 2), v, { filter: call('eq', boolean, b, lit(true, boolean)) }),
    agg('avg', float64, v, { distinct: true }),
  ];
  const duckAggregates = ['count(*)', 'count(v)', 'sum(v)', 'avg(v)', 'min(v)', 'max(v)', 'sum(f)', 'min(s)', 'max(s)', 'count(DISTINCT s)',
    'sum(n)', 'max(d)', 'min(b)', 'sum(v) FILTER (WHERE b)', 'avg(DISTINCT v)'];

  async function compare(groupBy: string[], groupExprs: ReturnType<typeof col>[]): Promise<void> {
    await duck.load('t', schema, rows);
    const plan = aggregate(scan(table, [0, 1, 2, 3, 4, 5, 6]), groupExprs, allAggregates);
    const actual = textRows(await run(plan, [table]), plan.schema);
    const columns = [...groupBy, ...duckAggregates].map((sql, i) => ({ sql, type: plan.schema.fields[i].type }));
    const expected = await duck.rows(`SELECT ${duckSelect(columns)} FROM t ${groupBy.length > 0 ? `GROUP BY ${groupBy.join(', ')}` : ''}`);
    const floats = new Set(plan.schema.fields.map((field, i) => (field.type.id === 'float64' ? i : -1)).filter((i) => i >= 0));
    assertSameRows(actual, expected, floats);
  }

  it('groups by one string key with NULL as a group, all aggregate kinds', () => compare(['k'], [k]));
  it('groups by several keys of every type (string, int, date, boolean) with NULLs', () => compare(['k', 'n', 'd', 'b'], [k, n, d, b]));
  it('groups by a decimal and a double key', () => compare(['v', 'f'], [v, f]));
  it('without keys: one row over all input', () => compare([], []));

  async function compareFiltered(groupBy: string[], groupExprs: ReturnType<typeof col>[], where: string, predicate: Expr, viaScan: boolean): Promise<void> {
    await duck.load('t', schema, rows);
    const input = viaScan ? scan(table, [0, 1, 2, 3, 4, 5, 6], [predicate]) : filter(scan(table, [0, 1, 2, 3, 4, 5, 6]), predicate);
    const plan = aggregate(input, groupExprs, allAggregates);
    const actual = textRows(await run(plan, [table]), plan.schema);
    const columns = [...groupBy, ...duckAggregates].map((sql, i) => ({ sql, type: plan.schema.fields[i].type }));
    const expected = await duck.rows(`SELECT ${duckSelect(columns)} FROM t WHERE ${where} ${groupBy.length > 0 ? `GROUP BY ${groupBy.join(', ')}` : ''}`);
    const floats = new Set(plan.schema.fields.map((field, i) => (field.type.id === 'float64' ? i : -1)).filter((i) => i >= 0));
    assertSameRows(actual, expected, floats);
  }

  const most = call('ne', boolean, n, lit(3, int32));
  const few = call('eq', boolean, n, lit(3, int32));
  it('applies a filter keeping most rows by discarding the others (keys, no keys)', async () => {
    await compareFiltered(['k', 'b'], [k, b], 'n <> 3', most, false);
    // Keys that only filtered-out rows have must not appear as groups.
    await compareFiltered(['n'], [n], 'n <> 3', most, true);
    await compareFiltered(['n', 'k'], [n, k], 'n IS NOT NULL', { kind: 'is_null', expr: n, negated: true, type: boolean }, false);
    await compareFiltered([], [], 'n <> 3', most, true);
  });
  it('applies a filter keeping few rows by gathering them (keys, no keys, none kept)', async () => {
    await compareFiltered(['k', 'd'], [k, d], 'n = 3', few, true);
    await compareFiltered([], [], 'n = 3', few, false);
    await compareFiltered([], [], 'n = 12345', call('eq', boolean, n, lit(12345, int32)), true);
    await compareFiltered(['s'], [s], 'n = 12345', call('eq', boolean, n, lit(12345, int32)), false);
  });

  it('raises nothing for rows the filter drops, though most rows are kept (cast, overflow, sum overflow)', async () => {
    const mixed: Schema = { fields: [{ name: 's', type: string, nullable: true }, { name: 'a', type: int32, nullable: true }, { name: 'v', type: dec(18, 2), nullable: true }] };
    const huge = 9_000_000_000_000_001;
    const data: TestValue[][] = Array.from({ length: 2000 }, (_, i) => (i % 500 === 0
      ? ['bad', 2_000_000, huge]
      : [String(i % 7), i % 1000, i]));
    for (let i = 1; i < 1200; i += 2) data[i] = ['bad', 2_000_000, huge];
    const source = memoryTable('mixed', mixed, [data.slice(0, 1000), data.slice(1000)]);
    const [cs, ca, cv] = mixed.fields.map((field, i) => col(i, field.type));
    const kept = call('ne', boolean, cs, lit('bad', string));
    const plan = aggregate(filter(scan(source, [0, 1, 2]), kept), [cs], [
      agg('sum', int64, { kind: 'cast', expr: cs, type: int32 }), agg('sum', int64, call('multiply', int32, ca, lit(1000, int32))),
      agg('sum', dec(38, 2), cv), agg('count_star', int64, null),
    ]);
    await duck.load('mixed', mixed, data);
    const expected = await duck.rows(`SELECT ${duckSelect([{ sql: 's', type: string }, { sql: 'sum(CAST(s AS INTEGER))', type: int64 },
      { sql: 'sum(a * 1000)', type: int64 }, { sql: 'sum(v)', type: dec(38, 2) }, { sql: 'count(*)', type: int64 }])} FROM mixed WHERE s <> 'bad' GROUP BY s`);
    assertSameRows(textRows(await run(plan, [source]), plan.schema), expected, new Set());
    const global = aggregate(filter(scan(source, [0, 1, 2]), kept), [], [agg('sum', dec(38, 2), cv)]);
    assert.deepEqual(textRows(await run(global, [source]), global.schema), (await duck.rows("SELECT CAST(sum(v) AS VARCHAR) FROM mixed WHERE s <> 'bad'")));
  });

  it('ignores the sum of filtered-out rows even when it would overflow', async () => {
    const schema2: Schema = { fields: [{ name: 'v', type: dec(18, 2), nullable: false }, { name: 'keep', type: boolean, nullable: false }] };
    const huge = 9_000_000_000_000_001;
    // 1100 dropped rows sum beyond 64 bits; 3900 kept rows make the filter keep most of the batch.
    const data: TestValue[][] = Array.from({ length: 5000 }, (_, i) => (i < 1100 ? [huge, false] : [100, true]));
    const source = memoryTable('o2', schema2, [data]);
    for (const groupBy of [[], [col(1, boolean)]]) {
      const plan = aggregate(scan(source, [0, 1], [col(1, boolean)]), groupBy, [agg('sum', dec(38, 2), col(0, dec(18, 2)))]);
      const rows2 = textRows(await run(plan, [source]), plan.schema);
      assert.deepEqual(rows2.map((r) => r[r.length - 1]), ['3900.00']);
    }
  });

  it('without keys on empty input: one row, count 0 and NULL sums', async () => {
    const plan = aggregate(scan(table, [4]), [], [agg('count_star', int64, null), agg('sum', dec(38, 2), col(0, dec(12, 2))), agg('min', dec(12, 2), col(0, dec(12, 2)))]);
    const empty = filter(plan.kind === 'aggregate' ? plan.input : plan, lit(false, boolean));
    const result = await run({ ...plan, input: empty } as typeof plan, [table]);
    assert.deepEqual(textRows(result, plan.schema), [['0', null, null]]);
    const grouped = aggregate(empty, [col(0, dec(12, 2))], [agg('count_star', int64, null)]);
    assert.deepEqual(textRows(await run(grouped, [table]), grouped.schema), []);
  });

  it('1e5 groups over 2e5 rows in several partitions match DuckDB', async () => {
    const bigSchema: Schema = { fields: [{ name: 'g', type: int64, nullable: false }, { name: 'v', type: dec(10, 2), nullable: false }, { name: 'i', type: int32, nullable: false }] };
    const total = 200_000;
    const partitions = [0, 1, 2, 3].map((p) => {
      const size = total / 4;
      const g = new Float64Array(size);
      const value = new Float64Array(size);
      const i32 = new Int32Array(size);
      for (let j = 0; j < size; j++) {
        const i = p * size + j;
        g[j] = (i * 7919) % 100_000;
        value[j] = (i % 1000) - 500;
        i32[j] = i;
      }
      const batch: Batch = { length: size, columns: [numericVector(int64, g), numericVector(dec(10, 2), value), numericVector(int32, i32)] };
      return memoryPartition(`p${p}`, bigSchema, [batch]);
    });
    const big = new MemoryTable('big', bigSchema, partitions);
    const plan = aggregate(scan(big, [0, 1, 2]), [col(0, int64)], [
      agg('count_star', int64, null), agg('sum', dec(38, 2), col(1, dec(10, 2))), agg('min', int32, col(2, int32)),
      agg('count', int64, call('modulo', int32, col(2, int32), lit(7, int32)), { distinct: true }),
    ]);
    const ctx = context();
    const actual = textRows(await run(plan, [big], ctx), plan.schema);
    assert.equal(actual.length, 100_000);
    const { partitionsScanned, rowsScanned, bytesScanned } = ctx.metrics;
    assert.deepEqual({ partitionsScanned, rowsScanned, bytesScanned }, { partitionsScanned: 4, rowsScanned: total, bytesScanned: big.partitions.reduce((sum, p) => sum + p.bytes, 0) });
    const expected = await duck.rows(`SELECT CAST(g AS VARCHAR), CAST(count(*) AS VARCHAR), CAST(sum(v) AS VARCHAR), CAST(min(i) AS VARCHAR), CAST(count(DISTINCT i % 7) AS VARCHAR)
      FROM (SELECT (i * 7919) % 100000 AS g, CAST(((i % 1000) - 500) / 100 AS DECIMAL(10,2)) AS v, CAST(i AS INTEGER) AS i FROM range(${total}) r(i)) GROUP BY g`);
    assertSameRows(actual, expected, new Set());
  });

  it('sums decimals exactly beyond 2^53 into DECIMAL(38,s), and fails with DECIMAL_OVERFLOW beyond 64 bits', async () => {
    const wide: Schema = { fields: [{ name: 'v', type: dec(18, 2), nullable: false }] };
    const near = 9_000_000_000_000_001;
    const exact = memoryTable('w', wide, [[[near], [near], [near]], [[near], [-1], [near]]]);
    const plan = aggregate(scan(exact, [0]), [], [agg('sum', dec(38, 2), col(0, dec(18, 2))), agg('avg', float64, col(0, dec(18, 2)))]);
    const [row] = textRows(await run(plan, [exact]), plan.schema);
    assert.equal(row[0], '450000000000000.04');
    assert.ok(Math.abs((row[1] as number) - 75000000000000.01) < 0.1);
    const overflow = memoryTable('o', wide, [Array.from({ length: 1100 }, () => [near])]);
    const overflowPlan = aggregate(scan(overflow, [0]), [], [agg('sum', dec(38, 2), col(0, dec(18, 2)))]);
    await assert.rejects(run(overflowPlan, [overflow]), { code: 'DECIMAL_OVERFLOW' });
  });

  it('fails with RESOURCES_MEMORY_EXCEEDED naming HashAggregateExec past the memory limit', async () => {
    const many: Schema = { fields: [{ name: 's', type: string, nullable: false }] };
    const values = Array.from({ length: 50_000 }, (_, i) => `key-${i}`);
    const batch: Batch = { length: values.length, columns: [stringVector(string, Int32Array.from(values, (_, i) => i), values)] };
    const source = new MemoryTable('m', many, [memoryPartition('p0', many, [batch])]);
    const plan = aggregate(scan(source, [0]), [col(0, string)], [agg('count_star', int64, null)]);
    await assert.rejects(run(plan, [source], context(256 * 1024)), (error: Error & { code?: string; kind?: string }) =>
      error.code === 'RESOURCES_MEMORY_EXCEEDED' && error.kind === 'resources' && error.message.includes('HashAggregateExec'));
    assert.equal((await run(plan, [source], context())).reduce((sum, x) => sum + x.length, 0), 50_000);
  });
});
