/**
 * Background compaction in real nodes: two nodes share a store, one of them compacts the fresh
 * partitions (the lease), and queries looping through a node meanwhile answer exactly as before.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrataClient } from '../../service-manager/index.js';
import { runCliOk } from '../support/cli.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';
import { tpchCreateTable } from '../support/tpch-schema.js';

const queries: readonly string[] = [
  'SELECT count(*), sum(o_totalprice), min(o_orderdate), max(o_orderdate) FROM orders',
  'SELECT o_orderstatus, count(*), sum(o_totalprice) FROM orders GROUP BY o_orderstatus ORDER BY 1',
  "SELECT count(*) FROM orders WHERE o_orderdate >= DATE '1995-03-01' AND o_orderdate < DATE '1995-04-01'",
  'SELECT o_orderkey, o_clerk, o_comment FROM orders WHERE o_orderkey < 100 ORDER BY o_orderkey',
];

async function answers(client: StrataClient): Promise<string> {
  const results: unknown[] = [];
  for (const sql of queries) results.push((await client.query(sql)).rows);
  return JSON.stringify(results);
}

describe('background compaction on running nodes', function () {
  this.timeout(180_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  const nodes: NodeProcess[] = [];
  after(async () => {
    for (const node of nodes) await node.kill();
    temp.remove();
  });

  it('compacts on one node while queries keep their answers', async () => {
    await runCliOk(['sql', '--store', store, tpchCreateTable('orders')]);
    await runCliOk(['ingest', '--store', store, '--table', 'orders', '--partition-rows', '25000', join(tpchDirectory, 'sf0.1', 'orders.tbl.zst')]);
    const config = join(temp.path, 'node.json');
    // Replaced files stay (a minute's safety window) for the queries still reading them.
    writeFileSync(config, JSON.stringify({ compaction: { intervalMs: 1000, pauseMs: 100, vacuumRetainMs: 60_000 } }));
    nodes.push(await startNodeProcess(['--store', store, '--id', 'n1', '--config', config]));
    const client = await StrataClient.connect(nodes[0].wsUrl);
    try {
      const before = await answers(client);
      nodes.push(await startNodeProcess(['--store', store, '--id', 'n2', '--config', config]));
      const compacted = () => nodes.flatMap((node) => node.logs).filter((entry) => entry.msg === 'compacted');
      let rounds = 0;
      while (compacted().length === 0) {
        assert.equal(await answers(client), before, `during compaction (round ${rounds++})`);
        assert.ok(rounds < 500, 'no node compacted');
      }
      assert.equal(compacted().length, 1, 'one node compacts the table');
      assert.equal(compacted()[0].removed, 6);
      assert.equal(await answers(client), before, 'after compaction');
      const stats = JSON.parse((await runCliOk(['stats', '--store', store, 'orders', '--format', 'json'])).stdout) as { partitions: number; freshPartitions: number };
      assert.deepEqual([stats.partitions, stats.freshPartitions], [1, 0]);
    } finally {
      await client.close();
    }
  });
});
