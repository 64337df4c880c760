/**
 * Acceptance (issue 4): real service-manager processes on 127.0.0.1 sharing one store. Results
 * equal DuckDB's with all 3 nodes used; a node SIGKILLed mid-query costs speed, not answers; a
 * 4th node gets work; a removed node gets none; 20 concurrent clients; cancel reaches every node.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrataClient, type ClientResult } from '../../service-manager/index.js';
import { runCliOk } from '../support/cli.js';
import { asText, diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { nodeCounters as stats, startNodeProcess, waitFor, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';
import { startTpchCluster, stopTpchCluster, type TpchCluster } from '../support/tpch-cluster.js';
import { singleTableQueries } from '../cli/single-table-queries.js';

const tables = ['nation', 'part', 'customer', 'orders', 'lineitem'];
/** Small partitions so every node gets several. */
const partitionRows = '20000';

describe('a cluster of service managers', function () {
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

  async function check(sql: string, ordered: boolean, on: StrataClient = client): Promise<ClientResult> {
    const expected = await oracle.query(sql);
    const result = await on.query(sql);
    const floating = expected.types.map((type) => /DOUBLE|FLOAT|REAL/.test(type));
    const difference = diffRows(asText(result.rows), expected.rows, floating, ordered);
    assert.equal(difference, null, `${difference}\n${sql}`);
    return result;
  }

  it('answers TPC-H Q1 and Q6 like DuckDB, using all 3 nodes', async () => {
    for (const name of ['q1', 'q6']) {
      const result = await check(readFileSync(join(tpchDirectory, 'queries', `${name}.sql`), 'utf8'), true);
      assert.deepEqual([...result.summary.nodes].sort(), ['n1', 'n2', 'n3'], name);
    }
  });

  it('answers the single-table queries like DuckDB', async () => {
    for (const query of singleTableQueries) await check(query.sql, query.ordered);
  });

  it('serves 20 concurrent clients running mixed queries, all correct', async () => {
    const mix = [readFileSync(join(tpchDirectory, 'queries', 'q1.sql'), 'utf8'), ...singleTableQueries.slice(0, 9).map((q) => q.sql)];
    const expected = await Promise.all(mix.map((sql) => oracle.query(sql)));
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => StrataClient.connect(nodes[i % 3].wsUrl)));
    try {
      await Promise.all(clients.map(async (each, i) => {
        for (let round = 0; round < 3; round++) {
          const which = (i + round) % mix.length;
          const result = await each.query(mix[which]);
          const floating = expected[which].types.map((type) => /DOUBLE|FLOAT|REAL/.test(type));
          assert.equal(diffRows(asText(result.rows), expected[which].rows, floating, true), null, mix[which]);
        }
      }));
    } finally {
      await Promise.all(clients.map((each) => each.close()));
    }
  });

  it('cancels a query on every node', async () => {
    const before = await Promise.all(nodes.map(stats));
    // Seconds of per-row string work on every node, so the cancel lands while fragments run.
    const slow = 'SELECT l_returnflag, count(DISTINCT l_comment || l_shipinstruct || l_shipmode), max(upper(l_comment) || lower(l_comment)) ' +
      "FROM lineitem WHERE (l_comment || l_comment || l_comment) LIKE '%a%e%i%o%u%y%' GROUP BY 1";
    const running = client.query(slow, { id: 'to-cancel' });
    await waitFor(async () => (await Promise.all(nodes.slice(1).map(stats))).some((counters, i) => counters.fragmentsStarted > before[i + 1].fragmentsStarted), 'fragments to start', 15_000, 10);
    client.cancel('to-cancel');
    await assert.rejects(running, (error: Error & { code?: string }) => error.code === 'QUERY_CANCELLED');
    await waitFor(async () => {
      const after = await Promise.all(nodes.map(stats));
      return after.every((counters) => counters.fragmentsStarted === counters.fragmentsCompleted + counters.fragmentsCancelled + counters.fragmentsFailed);
    }, 'every node to stop its fragments');
    const after = await Promise.all(nodes.map(stats));
    const cancelled = after.reduce((sum, counters, i) => sum + counters.fragmentsCancelled - before[i].fragmentsCancelled, 0);
    assert.ok(cancelled >= 1, 'no worker saw the cancel');
  });

  it('keeps answering when a node is SIGKILLed mid-query, and stops using it', async () => {
    const sql = readFileSync(join(tpchDirectory, 'queries', 'q1.sql'), 'utf8');
    const inFlight = Array.from({ length: 6 }, () => check(sql, true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await nodes[2].kill();
    await Promise.all(inFlight);
    const later = await check(sql, true);
    assert.ok(!later.summary.nodes.includes('n3'), `n3 still used: ${later.summary.nodes.join(',')}`);
    assert.ok(later.summary.nodes.length >= 1);
  });

  it('gives work to a 4th node that joins, and none to a removed node', async () => {
    nodes.push(await startNodeProcess(['--store', store, '--id', 'n4']));
    const q6 = readFileSync(join(tpchDirectory, 'queries', 'q6.sql'), 'utf8');
    await waitFor(async () => (await client.query(q6)).summary.nodes.includes('n4'), 'n4 to get work');
    await runCliOk(['cluster', 'remove', 'n4', '--url', nodes[0].httpUrl]);
    await waitFor(async () => !(await client.query(q6)).summary.nodes.includes('n4'), 'n4 to stop getting work');
    const listing = await runCliOk(['cluster', 'list', '--url', nodes[0].httpUrl]);
    assert.match(listing.stdout, /n4 \| http:\/\/127\.0\.0\.1:\d+ \| dormant/);
    for (let i = 0; i < 3; i++) assert.ok(!(await check(q6, true)).summary.nodes.includes('n4'));
    await runCliOk(['cluster', 'activate', 'n4', '--url', nodes[0].httpUrl]);
    await waitFor(async () => (await client.query(q6)).summary.nodes.includes('n4'), 'n4 to get work again');
  });
});
