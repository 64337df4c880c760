/**
 * ORDER BY on a 3-node cluster (issue 6): TPC-H sf0.1 lineitem in a store shared by 3 real
 * service-manager processes; each node sorts the partitions it reads and the coordinator k-way
 * merges them. Results equal DuckDB's in order, every node works, EXPLAIN shows the merging
 * exchange over the fragment's local Sort, and a node killed mid-query costs no row and no order.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { StrataClient } from '../../service-manager/index.js';
import { asText, diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory } from '../support/paths.js';
import { startTpchCluster, stopTpchCluster, type TpchCluster } from '../support/tpch-cluster.js';

/** Small partitions so every node sorts several (lineitem sf0.1 has 600,572 rows: 31 partitions). */
const partitionRows = '20000';

describe('ORDER BY on a 3-node cluster: sorted partitions merged on the coordinator, against DuckDB', function () {
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

  const queries = [
    'SELECT l_shipdate, l_orderkey, l_linenumber, l_extendedprice FROM lineitem ORDER BY l_shipdate, l_orderkey, l_linenumber',
    // Strings and decimals descending; a filter leaves each partition a few hundred rows.
    'SELECT l_shipinstruct, l_extendedprice, l_orderkey, l_linenumber FROM lineitem WHERE l_quantity = 7 ' +
      'ORDER BY l_shipinstruct DESC, l_extendedprice DESC, l_orderkey, l_linenumber',
    // OFFSET without LIMIT: a Limit over the merge.
    'SELECT l_orderkey, l_linenumber, l_receiptdate FROM lineitem WHERE l_discount = 0.04 ORDER BY l_receiptdate DESC, l_orderkey DESC, l_linenumber OFFSET 50000',
  ];

  for (const sql of queries) {
    it(`equals DuckDB in order: ${sql}`, async () => {
      const expected = await oracle.query(sql);
      const result = await client.query(sql);
      assert.ok(expected.rows.length > 0);
      const difference = diffRows(asText(result.rows), expected.rows, expected.types.map(() => false), true);
      assert.equal(difference, null, difference ?? '');
      assert.deepEqual([...result.summary.nodes].sort(), ['n1', 'n2', 'n3'], `ran on ${result.summary.nodes.join(',')}`);
    });
  }

  it('shows the merging exchange over the local Sort in EXPLAIN', async () => {
    const explain = (await client.query(`EXPLAIN ${queries[0]}`)).rows.map((row) => String(row[0])).join('\n');
    assert.match(explain, /Exchange: merge sorted streams by l_shipdate ASC, l_orderkey ASC, l_linenumber ASC[^\n]*\n\s+Sort: l_shipdate ASC, l_orderkey ASC, l_linenumber ASC\n\s+(Project[^\n]*\n\s+)?Scan: lineitem/);
    assert.equal(explain.match(/\bSort:/g)?.length, 1, explain);
  });

  it('answers in order when a node is SIGKILLed mid-query (its partitions re-run elsewhere, merged once)', async () => {
    const check = async (sql: string) => {
      const expected = await oracle.query(sql);
      const difference = diffRows(asText((await client.query(sql)).rows), expected.rows, expected.types.map(() => false), true);
      assert.equal(difference, null, difference ?? '');
    };
    const inFlight = [queries[1], queries[2], queries[1], queries[2]].map(check);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await nodes[2].kill();
    await Promise.all(inFlight);
    await check(queries[1]);
  });
});
