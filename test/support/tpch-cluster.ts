/**
 * The fixture of the cluster tests: TPC-H sf0.1 tables loaded into a store through the CLI,
 * served by real node processes on 127.0.0.1, with DuckDB holding the same tables as the oracle.
 */
import { join } from 'node:path';
import { StrataClient } from '../../service-manager/index.js';
import { runCliOk } from './cli.js';
import { DuckDbOracle } from './duckdb-oracle.js';
import { startNodeProcess, waitForLiveMembers, type NodeProcess } from './node-process.js';
import { tpchDirectory } from './paths.js';
import { tpchCreateTable } from './tpch-schema.js';

/** What a cluster test talks to. */
export interface TpchCluster {
  readonly nodes: NodeProcess[];
  readonly oracle: DuckDbOracle;
  /** A client connected to the first node. */
  readonly client: StrataClient;
}

/** Loads `tables` (partitions of `partitionRows` rows) into `store`, starts nodes n1…nN on it and waits until all are live. */
export async function startTpchCluster(store: string, tables: readonly string[], partitionRows: string, nodeCount = 3): Promise<TpchCluster> {
  for (const table of tables) {
    await runCliOk(['sql', '--store', store, tpchCreateTable(table)]);
    await runCliOk(['ingest', '--store', store, '--table', table, '--partition-rows', partitionRows,
      join(tpchDirectory, 'sf0.1', `${table}.tbl.zst`)], { timeoutMs: 300_000 });
  }
  const nodes: NodeProcess[] = [];
  let oracle: DuckDbOracle | undefined;
  try {
    for (let i = 1; i <= nodeCount; i++) nodes.push(await startNodeProcess(['--store', store, '--id', `n${i}`]));
    await waitForLiveMembers(nodes[0], nodeCount);
    oracle = await DuckDbOracle.open();
    await oracle.loadTpch(tpchDirectory, 'sf0.1', [...tables]);
    const client = await StrataClient.connect(nodes[0].wsUrl);
    return { nodes, oracle, client };
  } catch (error) {
    // A half-started cluster must not outlive the test: no node process may be left behind.
    for (const node of nodes) await node.kill();
    oracle?.close();
    throw error;
  }
}

/** Closes the client, kills every node (including ones a test added) and closes the oracle; safe after a failed start. */
export async function stopTpchCluster(cluster: TpchCluster | undefined): Promise<void> {
  if (cluster === undefined) return;
  await cluster.client.close();
  for (const node of cluster.nodes) await node.kill();
  cluster.oracle.close();
}
