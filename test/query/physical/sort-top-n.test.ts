import assert from 'node:assert/strict';
import { Types, type Schema } from '../../../storage/index.js';
import { memoryTable, type TestValue } from '../support/memory-table.js';
import { Duck } from '../exec/duckdb-side.js';
import { call, col, dec, lit } from '../exec/expr-builders.js';
import { context, duckSelect, key, limit, project, run, scan, sort, textRows, topN } from './plans.js';
import type { SortKey } from '../../../query/plan/index.js';

const { int32, float64, string, date } = Types;

describe('physical: SortExec and TopNExec', () => {
  let duck: Duck;
  const schema: Schema = {
    fields: [
      { name: 'id', type: int32, nullable: false }, { name: 's', type: string, nullable: true }, { name: 'n', type: int32, nullable: true },
      { name: 'f', type: float64, nullable: true }, { name: 'x', type: dec(8, 2), nullable: true }, { name: 'd', type: date, nullable: true },
    ],
  };
  let state = 7;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state;
  };
  const pick = <T>(values: readonly T[]): T => values[next() % values.length];
  const rows: TestValue[][] = Array.from({ length: 2500 }, (_, id) => [
    id, pick(['b', 'a', 'B', 'é', '', 'ab', null]), pick([3, -1, 0, 2147483647, -2147483648, null]), pick([0.5, -0.5, Number.NaN, 1e300, null]),
    pick([100, -100, 0, 5, null]), pick([0, 1, -1, 20000, null]),
  ]);
  const table = memoryTable('t', schema, [rows.slice(0, 900), rows.slice(900, 2000), rows.slice(2000)]);
  const [id, s, n, f, x, d] = schema.fields.map((field, i) => col(i, field.type));
  before(async () => {
    duck = await Duck.open();
    await duck.load('t', schema, rows);
  });

  const orderings: { name: string; keys: SortKey[]; sql: string }[] = [
    { name: 'one string key ASC (NULLS LAST)', keys: [key(s)], sql: 's ASC NULLS LAST' },
    { name: 'string DESC (NULLS FIRST), int ASC NULLS FIRST', keys: [key(s, false), key(n, true, true)], sql: 's DESC NULLS FIRST, n ASC NULLS FIRST' },
    { name: 'double with NaN DESC NULLS LAST, decimal ASC', keys: [key(f, false, false), key(x)], sql: 'f DESC NULLS LAST, x ASC NULLS LAST' },
    { name: 'date ASC NULLS FIRST, int DESC NULLS LAST', keys: [key(d, true, true), key(n, false, false)], sql: 'd ASC NULLS FIRST, n DESC NULLS LAST' },
    { name: 'an expression key', keys: [key(call('multiply', dec(18, 2), x, lit(-1, dec(1, 0))))], sql: 'x * -1 ASC NULLS LAST' },
  ];

  for (const ordering of orderings) {
    it(`sorts by ${ordering.name}, stable on ties`, async () => {
      const plan = project(sort(scan(table, [0, 1, 2, 3, 4, 5]), ordering.keys), [id]);
      const actual = textRows(await run(plan, [table]), plan.schema);
      // Ties keep input order: DuckDB's answer with id as the last key is the stable order.
      const expected = await duck.rows(`SELECT CAST(id AS VARCHAR) FROM t ORDER BY ${ordering.sql}, id`);
      assert.deepEqual(actual, expected);
    });

    it(`top-N by ${ordering.name} equals sort + limit (with offsets)`, async () => {
      for (const [count, offset] of [[1, 0], [10, 0], [25, 30], [3000, 0], [5, 2498]]) {
        const plan = project(topN(scan(table, [0, 1, 2, 3, 4, 5]), ordering.keys, count, offset), [id]);
        const actual = textRows(await run(plan, [table]), plan.schema);
        const expected = await duck.rows(`SELECT CAST(id AS VARCHAR) FROM t ORDER BY ${ordering.sql}, id LIMIT ${count} OFFSET ${offset}`);
        assert.deepEqual(actual, expected, `LIMIT ${count} OFFSET ${offset}`);
      }
    });
  }

  it('sorts more rows than one output batch and cuts the output into bounded batches', async () => {
    const many = memoryTable('many', { fields: [{ name: 'v', type: int32, nullable: false }] },
      [Array.from({ length: 70_000 }, (_, i) => [(i * 7919) % 70_000]), Array.from({ length: 10_000 }, (_, i) => [i])]);
    const batches = await run(sort(scan(many, [0]), [key(col(0, int32), false)]), [many]);
    assert.ok(batches.every((b) => b.length <= 65_536));
    const values = batches.flatMap((b) => Array.from(b.columns[0].kind === 'numeric' ? b.columns[0].values as Int32Array : []));
    assert.equal(values.length, 80_000);
    for (let i = 1; i < values.length; i++) assert.ok(values[i - 1] >= values[i]);
    const top = await run(topN(scan(many, [0]), [key(col(0, int32), false)], 3), [many]);
    assert.deepEqual(textRows(top, { fields: [{ name: 'v', type: int32, nullable: false }] }), [['69999'], ['69998'], ['69997']]);
  });

  it('top-N stays stable across its partial sorts of a long input', async () => {
    const tieSchema: Schema = { fields: [{ name: 'k', type: int32, nullable: false }, { name: 'i', type: int32, nullable: false }] };
    const tied = memoryTable('tied', tieSchema, [0, 1, 2].map((p) => Array.from({ length: 40_000 }, (_, j) => [(p * 40_000 + j) % 3, p * 40_000 + j])));
    const plan = project(topN(scan(tied, [0, 1]), [key(col(0, int32))], 4, 2), [col(1, int32)]);
    assert.deepEqual(textRows(await run(plan, [tied]), plan.schema), [['6'], ['9'], ['12'], ['15']]);
    const last = project(topN(scan(tied, [0, 1]), [key(col(0, int32), false)], 2), [col(1, int32)]);
    assert.deepEqual(textRows(await run(last, [tied]), last.schema), [['2'], ['5']]);
  });

  it('top-N over more rows than it buffers (bounded by the N-th row) matches DuckDB', async () => {
    const bigSchema: Schema = {
      fields: [{ name: 'id', type: int32, nullable: false }, { name: 'k', type: int32, nullable: true }, { name: 's', type: string, nullable: true }, { name: 'f', type: float64, nullable: true }],
    };
    const rowOf = (i: number): TestValue[] => [
      i, i % 13 === 0 ? null : (i * 7919) % 1000, i % 17 === 0 ? null : `s${(i * 31) % 50}`, i % 101 === 0 ? Number.NaN : ((i * 37) % 1000) / 8,
    ];
    const big = memoryTable('big', bigSchema, [0, 1, 2].map((p) => Array.from({ length: 50_000 }, (_, j) => rowOf(p * 50_000 + j))));
    const duckRows = `SELECT i AS id, CASE WHEN i % 13 = 0 THEN NULL ELSE (i * 7919) % 1000 END AS k,
      CASE WHEN i % 17 = 0 THEN NULL ELSE 's' || ((i * 31) % 50) END AS s,
      CASE WHEN i % 101 = 0 THEN 'nan'::DOUBLE ELSE ((i * 37) % 1000) / 8 END AS f FROM range(150000) r(i)`;
    const [bid, bk, bs, bf] = bigSchema.fields.map((field, i) => col(i, field.type));
    const cases: { keys: SortKey[]; sql: string; limit: number; offset: number }[] = [
      { keys: [key(bk, false)], sql: 'k DESC NULLS FIRST', limit: 20, offset: 5 },
      { keys: [key(bk, true, false), key(bs, false)], sql: 'k ASC NULLS LAST, s DESC NULLS FIRST', limit: 7, offset: 0 },
      { keys: [key(bs, true, true), key(bf, false, false)], sql: 's ASC NULLS FIRST, f DESC NULLS LAST', limit: 30, offset: 3 },
      { keys: [key(bf, false, false)], sql: 'f DESC NULLS LAST', limit: 10, offset: 0 },
      { keys: [key(bk)], sql: 'k ASC NULLS LAST', limit: 40_000, offset: 1000 },
    ];
    for (const c of cases) {
      const plan = project(topN(scan(big, [0, 1, 2, 3]), c.keys, c.limit, c.offset), [bid]);
      const actual = textRows(await run(plan, [big]), plan.schema);
      const expected = await duck.rows(`SELECT CAST(id AS VARCHAR) FROM (${duckRows}) ORDER BY ${c.sql}, id LIMIT ${c.limit} OFFSET ${c.offset}`);
      assert.deepEqual(actual, expected, c.sql);
    }
  });

  it('fails with RESOURCES_MEMORY_EXCEEDED naming SortExec past the memory limit', async () => {
    const plan = sort(scan(table, [0, 1, 2, 3, 4, 5]), [key(id)]);
    await assert.rejects(run(plan, [table], context(16 * 1024)), (error: Error & { code?: string }) =>
      error.code === 'RESOURCES_MEMORY_EXCEEDED' && error.message.includes('SortExec'));
  });

  it('LIMIT with OFFSET returns the right slice and stops reading early', async () => {
    const plan = limit(scan(table, [0]), 5, 898);
    const ctx = context();
    const actual = textRows(await run(plan, [table], ctx), plan.schema);
    assert.deepEqual(actual, [['898'], ['899'], ['900'], ['901'], ['902']]);
    assert.equal(ctx.metrics.partitionsScanned, 2, 'the third partition is never opened');
    assert.deepEqual(textRows(await run(limit(scan(table, [0]), 0), [table]), { fields: [schema.fields[0]] }), []);
    assert.equal(textRows(await run(limit(scan(table, [0]), null, 2490), [table]), { fields: [schema.fields[0]] }).length, 10);
  });

  it('orders empty input to nothing', async () => {
    const empty = memoryTable('e', schema, [[]]);
    assert.deepEqual(await run(sort(scan(empty, [0]), [key(col(0, int32))]), [empty]), []);
    assert.deepEqual(await run(topN(scan(empty, [0]), [key(col(0, int32))], 5), [empty]), []);
  });

  it('builds a plan over lower-case table names and rejects unknown tables', async () => {
    const plan = scan(table, [0]);
    await assert.rejects(run({ ...plan, table: 'missing' } as typeof plan, [table]), { code: 'TABLE_NOT_FOUND' });
    assert.equal(textRows(await run({ ...plan, table: 'T' } as typeof plan, [table]), plan.schema).length, 2500);
  });

  it('keeps duckSelect honest', () => {
    assert.equal(duckSelect([{ sql: 'a', type: float64 }, { sql: 'b', type: int32 }]), 'a, CAST(b AS VARCHAR)');
  });
});
