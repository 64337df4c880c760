/**
 * TPC-H joins as shuffle joins, in one process: a slice of sf0.1 (orders and lineitem up to one
 * order key, parts and partsupp up to one part key, the small tables whole) read through DuckDB
 * into in-memory tables; with the thresholds lowered, Q3, Q5, Q9, Q10, Q12, Q18 and a
 * lineitem ⋈ orders aggregate plan at least one shuffle join (EXPLAIN) and answer exactly like
 * the single-node engine.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch } from '../../../storage/index.js';
import { QueryEngine } from '../../../query/index.js';
import { DuckDbOracle } from '../../support/duckdb-oracle.js';
import { tpchDirectory } from '../../support/paths.js';
import { tpchCreateTable } from '../../support/tpch-schema.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { batchFromRows } from '../support/memory-table.js';
import { formatValue } from '../slt/runner.js';
import { InProcessShuffle } from './in-process-shuffle.js';

/** The slice: rows of each table kept (a consistent subset: lineitem follows orders, partsupp follows part). */
const slices: Record<string, string> = {
  region: 'true', nation: 'true', supplier: 'true', customer: 'true',
  part: 'p_partkey <= 4000', partsupp: 'ps_partkey <= 4000',
  orders: 'o_orderkey <= 40000', lineitem: 'l_orderkey <= 40000',
};

function rowsOf(batches: readonly Batch[]): string[] {
  const rows: string[] = [];
  for (const batch of batches) for (let i = 0; i < batch.length; i++) rows.push(batch.columns.map((v) => formatValue(v, i)).join('|'));
  return rows.sort();
}

function tpchQuery(name: string): string {
  return readFileSync(join(tpchDirectory, 'queries', `${name}.sql`), 'utf8');
}

describe('shuffle joins over a TPC-H slice (in-process executor)', function () {
  this.timeout(120_000);
  const memory = new MemoryCatalog({ partitionRowsMax: 4000 });
  const single = new QueryEngine(memory);
  const shuffler = new InProcessShuffle(new QueryEngine(memory));
  const coordinator = new QueryEngine(memory, { fragmentExecutor: shuffler, distribute: { broadcastRowsMax: 0, shuffleRowsMin: 1 } });

  before(async () => {
    const oracle = await DuckDbOracle.open();
    try {
      await oracle.loadTpch(tpchDirectory, 'sf0.1', Object.keys(slices));
      for (const [table, where] of Object.entries(slices)) {
        await single.execute(tpchCreateTable(table));
        const schema = (await memory.getTable(table))!.schema;
        const rows = (await oracle.query(`SELECT * FROM ${table} WHERE ${where}`)).rows;
        await memory.insert(table, [batchFromRows(schema, rows)]);
      }
    } finally {
      oracle.close();
    }
  });

  const queries: [string, string][] = [
    ...['q3', 'q5', 'q9', 'q10', 'q12', 'q18'].map((name): [string, string] => [name, tpchQuery(name)]),
    ['lineitem ⋈ orders', 'SELECT o_orderpriority, count(*), sum(l_extendedprice * (1 - l_discount)) FROM lineitem JOIN orders ON l_orderkey = o_orderkey GROUP BY o_orderpriority'],
  ];

  for (const [name, sql] of queries) {
    it(`${name}: plans a shuffle join and answers like one node`, async () => {
      const explain = rowsOf((await coordinator.execute(`EXPLAIN ${sql}`)).batches).join('\n');
      assert.match(explain, /distribution=shuffle/, explain);
      const before = shuffler.shuffles;
      const actual = rowsOf((await coordinator.execute(sql)).batches);
      assert.ok(shuffler.shuffles > before, 'no shuffle ran');
      const expected = rowsOf((await single.execute(sql)).batches);
      assert.ok(expected.length > 0, 'the slice gives the query no rows: widen it');
      assert.deepEqual(actual, expected);
    });
  }
});
