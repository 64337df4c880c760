/**
 * Acceptance (issue 7): queries give identical results before, while and after a compaction
 * (the real `strata compact` CLI in another process), checked against DuckDB on the same file.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Database, textRowsOf } from '../../service-manager/index.js';
import { LocalStore, Table } from '../../storage/index.js';
import { runCli, runCliOk } from '../support/cli.js';
import { diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';
import { tpchCreateTable } from '../support/tpch-schema.js';

const queries: readonly string[] = [
  'SELECT count(*), sum(o_totalprice), min(o_orderdate), max(o_orderdate) FROM orders',
  'SELECT o_orderstatus, o_orderpriority, count(*), sum(o_totalprice) FROM orders GROUP BY o_orderstatus, o_orderpriority ORDER BY 1, 2',
  "SELECT count(*), sum(o_totalprice) FROM orders WHERE o_orderdate >= DATE '1995-03-01' AND o_orderdate < DATE '1995-04-01'",
  'SELECT count(DISTINCT o_custkey) FROM orders',
  'SELECT o_orderkey, o_custkey, o_clerk, o_comment FROM orders WHERE o_orderkey < 200 ORDER BY o_orderkey',
];

async function answers(database: Database): Promise<(string | null)[][][]> {
  const results: (string | null)[][][] = [];
  for (const sql of queries) results.push(textRowsOf((await database.sql(sql)).batches));
  return results;
}

function assertSame(actual: (string | null)[][][], expected: (string | null)[][][], when: string): void {
  for (let i = 0; i < queries.length; i++) {
    const difference = diffRows(actual[i], expected[i], actual[i][0]?.map(() => false) ?? [], true);
    assert.equal(difference, null, `${when}: ${queries[i]}: ${difference}`);
  }
}

describe('strata compact: queries unchanged before, during and after', function () {
  this.timeout(180_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  let oracle: (string | null)[][][];
  after(() => temp.remove());

  before(async () => {
    await runCliOk(['sql', '--store', store, tpchCreateTable('orders')]);
    // 150,000 rows in 6 fresh partitions: compaction has both small-file merging and re-encoding to do.
    await runCliOk(['ingest', '--store', store, '--table', 'orders', '--partition-rows', '25000', join(tpchDirectory, 'sf0.1', 'orders.tbl.zst')]);
    const duckdb = await DuckDbOracle.open();
    try {
      await duckdb.loadTpch(tpchDirectory, 'sf0.1', ['orders']);
      oracle = [];
      for (const sql of queries) oracle.push((await duckdb.query(sql)).rows);
    } finally {
      duckdb.close();
    }
  });

  it('answers as DuckDB does, while a compaction runs, and after it and a vacuum', async () => {
    const database = await Database.open(store);
    try {
      assertSame(await answers(database), oracle, 'before');
      const compaction = runCli(['compact', '--store', store, '--table', 'orders', '--sort-key', 'o_orderdate']);
      let done = false;
      void compaction.finally(() => { done = true; });
      let rounds = 0;
      while (!done || rounds === 0) {
        assertSame(await answers(database), oracle, `during (round ${rounds})`);
        rounds++;
      }
      const run = await compaction;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /orders: compacted 6 partition\(s\) into 1, 150,000 rows/);
      assertSame(await answers(database), oracle, 'after');
      await runCliOk(['vacuum', '--store', store, '--table', 'orders', '--retain-hours', '0']);
      assertSame(await answers(database), oracle, 'after vacuum');
    } finally {
      await database.close();
    }
    const local = await LocalStore.open(store);
    try {
      const snapshot = await (await Table.open(local, 'orders')).snapshot();
      assert.deepEqual(snapshot.partitions.map((meta) => [meta.rows, meta.zstdLevel]), [[150_000, 19]]);
    } finally {
      await local.close();
    }
    const again = await runCliOk(['compact', '--store', store, '--table', 'orders']);
    assert.match(again.stdout, /nothing to compact/);
  });

  it('rejects a bad zstd level and an unknown sort column', async () => {
    const level = await runCli(['compact', '--store', store, '--table', 'orders', '--zstd-level', '30']);
    assert.equal(level.code, 2);
    assert.match(level.stderr, /--zstd-level takes an integer from 1 to 22/);
    await runCliOk(['sql', '--store', store, 'CREATE TABLE t (a INTEGER)']);
    await runCliOk(['sql', '--store', store, 'INSERT INTO t VALUES (1)']);
    const key = await runCli(['compact', '--store', store, '--table', 't', '--sort-key', 'nope']);
    assert.equal(key.code, 1);
    assert.match(key.stderr, /COMPACTION_SORT_KEY_INVALID/);
  });
});
