/**
 * Acceptance (issue 6, cluster): the eight TPC-H sf0.1 tables in a store shared by 3 real
 * service-manager processes on loopback; all 22 queries, sent to one node over WebSocket, give
 * DuckDB's rows with every node doing work. EXPLAIN shows which joins broadcast their build side
 * and which gather both sides. A join over a node's memory limit spills to disk and answers; one
 * that cannot spill (NOT IN) fails with RESOURCES_MEMORY_EXCEEDED naming HashJoinExec, and the
 * node goes on serving.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrataClient } from '../../service-manager/index.js';
import { asText, diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';
import { startTpchCluster, stopTpchCluster, type TpchCluster } from '../support/tpch-cluster.js';

const tables = ['nation', 'region', 'part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem'];
/** Small partitions so every node gets several of the large tables. */
const partitionRows = '20000';
/** The memory limit of the node that must refuse a large hash table (bytes). */
const smallNodeMemoryBytes = 4 * 1024 * 1024;

function query(q: number): string {
  return readFileSync(join(tpchDirectory, 'queries', `q${q}.sql`), 'utf8');
}

describe('TPC-H sf0.1: all 22 queries on a 3-node cluster, against DuckDB', function () {
  this.timeout(600_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  let cluster: TpchCluster | undefined;
  let nodes: NodeProcess[] = [];
  let oracle: DuckDbOracle;
  let client: StrataClient;

  before(async () => {
    cluster = await startTpchCluster(store, tables, partitionRows);
    ({ nodes, oracle, client } = cluster);
  });

  after(async () => {
    await stopTpchCluster(cluster);
    temp.remove();
  });

  for (let q = 1; q <= 22; q++) {
    it(`TPC-H Q${q} equals DuckDB`, async () => {
      const sql = query(q);
      const expected = await oracle.query(sql);
      const result = await client.query(sql);
      const floating = expected.types.map((type) => /DOUBLE|FLOAT|REAL/.test(type));
      const difference = diffRows(asText(result.rows), expected.rows, floating, true);
      assert.equal(difference, null, `Q${q}: ${difference}`);
      // Every query reads a table of several partitions: each node takes a share.
      assert.deepEqual([...result.summary.nodes].sort(), ['n1', 'n2', 'n3'], `Q${q} ran on ${result.summary.nodes.join(',')}`);
    });
  }

  it('shows in EXPLAIN which joins broadcast their build side and which gather both sides', async () => {
    const explain = async (sql: string): Promise<string> => (await client.query(`EXPLAIN ${sql}`)).rows.map((row) => String(row[0])).join('\n');
    const q5 = await explain(query(5));
    assert.match(q5, /HashJoin: inner keys=\[[^\]]+\] distribution=broadcast/);
    assert.doesNotMatch(q5, /distribution=gather/);
    // Lineitem is the probe side: the join runs inside its fragment, below the partial aggregate.
    assert.match(q5, /Exchange: gather[^\n]*\n\s+Aggregate:[^\n]*\n(\s+Project[^\n]*\n)*\s+HashJoin/);
    // A right outer join cannot be split by partitions of one side: both sides are gathered.
    const right = await explain('SELECT count(*) FROM lineitem RIGHT JOIN orders ON l_orderkey = o_orderkey');
    assert.match(right, /HashJoin: right keys=\[l_orderkey = o_orderkey\] distribution=gather/);
    const result = await client.query('SELECT count(*) FROM lineitem RIGHT JOIN orders ON l_orderkey = o_orderkey');
    assert.deepEqual(asText(result.rows), (await oracle.query('SELECT count(*) FROM lineitem RIGHT JOIN orders ON l_orderkey = o_orderkey')).rows);
  });

  it('spills a join over a node\'s memory limit; one that cannot spill fails cleanly naming HashJoinExec; the node keeps serving', async () => {
    const config = join(temp.path, 'small-node.json');
    writeFileSync(config, JSON.stringify({ limits: { queryMemoryBytesMax: smallNodeMemoryBytes } }));
    const small = await startNodeProcess(['--store', store, '--id', 'n4', '--config', config]);
    nodes.push(small);
    const smallClient = await StrataClient.connect(small.wsUrl);
    try {
      // A left join keeps lineitem as its build side; gathered to n4, its keys alone exceed 4 MiB,
      // so the join spills (grace hash join) and still answers.
      const leftJoin = 'SELECT count(*) FROM orders LEFT JOIN lineitem ON o_orderkey = l_orderkey';
      assert.deepEqual(asText((await smallClient.query(leftJoin)).rows), (await oracle.query(leftJoin)).rows);
      // NOT IN needs the whole build side at once (a NULL anywhere changes every answer): it cannot spill.
      await assert.rejects(smallClient.query('SELECT count(*) FROM orders WHERE o_orderkey NOT IN (SELECT l_orderkey FROM lineitem)'),
        (error: Error & { code?: string }) => error.code === 'RESOURCES_MEMORY_EXCEEDED' && /HashJoinExec/.test(error.message));
      const after = await smallClient.query('SELECT count(*) FROM nation JOIN region ON n_regionkey = r_regionkey');
      assert.deepEqual(asText(after.rows), [['25']]);
      const stillServing = await client.query(query(6));
      assert.deepEqual(asText(stillServing.rows), (await oracle.query(query(6))).rows);
    } finally {
      await smallClient.close();
    }
  });
});
