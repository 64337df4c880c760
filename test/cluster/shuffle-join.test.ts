/**
 * Shuffle joins on 3 real service-manager processes: a join of two big inputs (lineitem with
 * itself, 600k rows a side at sf0.1, past the default broadcast and shuffle thresholds) plans as
 * distribution=shuffle, answers like DuckDB, and every node both maps and reduces; a cancel
 * reaches every node and frees every bucket; a node SIGKILLed while shuffle queries run costs a
 * re-run round, not the answers.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { StrataClient, type ClientResult } from '../../service-manager/index.js';
import { diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { waitFor, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory } from '../support/paths.js';
import { startTpchCluster, stopTpchCluster, type TpchCluster } from '../support/tpch-cluster.js';

/** Several partitions a side for every node. */
const partitionRows = '50000';

const selfJoin = 'SELECT a.l_returnflag, count(*), sum(b.l_quantity), count(DISTINCT b.l_shipmode) FROM lineitem a JOIN lineitem b ' +
  'ON a.l_orderkey = b.l_orderkey AND a.l_linenumber = b.l_linenumber + 1 WHERE a.l_shipmode <> \'AIR\' GROUP BY a.l_returnflag';
const leftJoin = 'SELECT count(*), count(b.l_orderkey), sum(a.l_extendedprice) FROM lineitem a LEFT JOIN lineitem b ' +
  'ON a.l_orderkey = b.l_orderkey AND a.l_linenumber = b.l_linenumber - 2 AND b.l_shipinstruct = \'NONE\'';

interface ShuffleStats {
  readonly counters: { mapPartitions: number; reduceBuckets: number; bucketsServed: number; shufflesExpired: number; roundsRetried: number };
  readonly bytesHeld: number;
}

async function shuffleStats(node: NodeProcess): Promise<ShuffleStats> {
  return await (await fetch(`${node.httpUrl}/internal/v1/shuffle/stats`)).json() as ShuffleStats;
}

describe('shuffle joins on a cluster of service managers', function () {
  this.timeout(600_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  let cluster: TpchCluster | undefined;
  let nodes: NodeProcess[] = [];
  let oracle: DuckDbOracle;
  let client: StrataClient;

  before(async () => {
    cluster = await startTpchCluster(store, ['lineitem'], partitionRows);
    ({ nodes, oracle, client } = cluster);
  });

  after(async () => {
    await stopTpchCluster(cluster);
    temp.remove();
  });

  async function check(sql: string): Promise<ClientResult> {
    const expected = await oracle.query(sql);
    const result = await client.query(sql);
    const actual = result.rows.map((row) => row.map((value) => (value === null ? null : String(value))));
    const difference = diffRows(actual, expected.rows, expected.types.map((type) => /DOUBLE|FLOAT|REAL/.test(type)), false);
    assert.equal(difference, null, `${difference}\n${sql}`);
    return result;
  }

  it('plans a shuffle, answers like DuckDB, and every node maps and reduces', async () => {
    const explain = (await client.query(`EXPLAIN ${selfJoin}`)).rows.map((row) => String(row[0])).join('\n');
    assert.match(explain, /HashJoin: inner keys=\[[^\]]+\][^\n]* distribution=shuffle/, explain);
    const before = await Promise.all(nodes.map(shuffleStats));
    const result = await check(selfJoin);
    await check(leftJoin);
    assert.deepEqual([...result.summary.nodes].sort(), ['n1', 'n2', 'n3']);
    // Both sides read the whole table, counted by the nodes that mapped it.
    assert.equal(result.summary.rowsScanned, 2 * 600_572);
    const after = await Promise.all(nodes.map(shuffleStats));
    after.forEach((stats, i) => {
      assert.ok(stats.counters.mapPartitions > before[i].counters.mapPartitions, `n${i + 1} mapped nothing`);
      assert.ok(stats.counters.reduceBuckets > before[i].counters.reduceBuckets, `n${i + 1} reduced nothing`);
    });
    // Every shuffle's buckets were dropped when its query ended.
    await waitFor(async () => (await Promise.all(nodes.map(shuffleStats))).every((stats) => stats.bytesHeld === 0), 'buckets to be dropped');
  });

  it('cancels a shuffle query on every node, and every node frees its buckets', async () => {
    // Per-row string work on both sides keeps the map phase running for seconds, so the cancel lands in it.
    const slow = 'SELECT count(*) FROM lineitem a JOIN lineitem b ON a.l_orderkey = b.l_orderkey AND a.l_linenumber = b.l_linenumber ' +
      "WHERE upper(a.l_comment || a.l_comment) NOT LIKE '%A%E%I%O%U%Y%' AND lower(b.l_comment || b.l_comment) NOT LIKE '%a%e%i%o%u%y%'";
    assert.match((await client.query(`EXPLAIN ${slow}`)).rows.map((row) => String(row[0])).join('\n'), /distribution=shuffle/);
    const before = await Promise.all(nodes.map(shuffleStats));
    const running = client.query(slow, { id: 'cancel-shuffle' });
    await waitFor(async () => (await Promise.all(nodes.map(shuffleStats))).some((stats, i) => stats.counters.mapPartitions > before[i].counters.mapPartitions),
      'a node to map', 60_000, 10);
    client.cancel('cancel-shuffle');
    await assert.rejects(running, (error: Error & { code?: string }) => error.code === 'QUERY_CANCELLED');
    await waitFor(async () => (await Promise.all(nodes.map(shuffleStats))).every((stats) => stats.bytesHeld === 0), 'every node to drop its buckets');
  });

  it('answers correctly when a node is SIGKILLed during shuffle queries', async () => {
    const before = await shuffleStats(nodes[2]);
    const retriedBefore = (await shuffleStats(nodes[0])).counters.roundsRetried;
    const inFlight = Array.from({ length: 3 }, () => check(selfJoin));
    // Kill n3 once it took part in a shuffle (mapping), so the round in flight loses it.
    await waitFor(async () => (await shuffleStats(nodes[2])).counters.mapPartitions > before.counters.mapPartitions, 'n3 to map', 60_000, 20);
    await nodes[2].kill();
    await Promise.all(inFlight);
    // The queries in flight lost n3 in a round (map or reduce) and ran it again on n1 and n2.
    assert.ok((await shuffleStats(nodes[0])).counters.roundsRetried > retriedBefore, 'no shuffle round was re-run');
    await check(leftJoin);
    // Drops are sent when a round ends, without waiting: the survivors free everything soon after.
    await waitFor(async () => (await Promise.all(nodes.slice(0, 2).map(shuffleStats))).every((stats) => stats.bytesHeld === 0), 'survivors to drop their buckets');
  });
});
