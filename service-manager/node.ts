/**
 * A service manager process: opens the store, joins the cluster kept in it, serves HTTP +
 * WebSocket, runs queries across all live nodes, logs JSON lines, and stops gracefully on
 * SIGTERM/SIGINT (running queries get the grace period, then are cancelled; the store stays
 * consistent because every write is a commit or nothing).
 */
import { Database } from './database.js';
import { ClusterFragmentExecutor } from './cluster-executor.js';
import { ClusterMembership } from './cluster-membership.js';
import { startCompactionJob, type CompactionJob } from './compaction-job.js';
import type { NodeConfig } from './node-config.js';
import { PartitionLocator } from './partition-locality.js';
import { newNodeCounters, type NodeCounters } from './node-counters.js';
import { startServer, type RunningServer } from './server.js';
import { ShuffleCoordinator } from './shuffle-coordinator.js';
import { ShuffleStore } from './shuffle-store.js';
import { ShuffleWorker } from './shuffle-worker.js';

/** Writes one structured log line to stdout. */
export function logLine(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}

/** A started node. */
export interface RunningNode {
  readonly server: RunningServer;
  readonly database: Database;
  readonly membership: ClusterMembership;
  readonly counters: NodeCounters;
  stop(): Promise<void>;
}

/** Starts a node and returns once it listens and has joined the cluster. */
export async function startNode(config: NodeConfig): Promise<RunningNode> {
  const log = (entry: Record<string, unknown>) => logLine({ node: config.id, ...entry });
  const counters = newNodeCounters();
  // The executor runs this node's share through the database, which is opened with the executor.
  let database: Database | null = null;
  let membership: ClusterMembership | null = null;
  let locator: PartitionLocator | null = null;
  // Shuffle joins: this node's buckets and work (for its own queries and its peers'), and the coordinator of its own.
  const shuffleWorker = new ShuffleWorker(config.id, config.token, new ShuffleStore(), () => database!, config.limits.queryMemoryBytesMax);
  const shuffles = new ShuffleCoordinator(() => membership!, config.id, config.token, shuffleWorker);
  const executor = new ClusterFragmentExecutor(() => membership!, config.id, config.token,
    (task, signal) => database!.runFragment({ ...task, partitionIds: task.partitions.map((partition) => partition.id) }, signal),
    async (table, partitions, signal) => locator?.locate(table, partitions, signal) ?? new Map(), () => shuffles);
  // Audit events of this node's creates, drops, loads and purges name the node, not just its host.
  database = await Database.open(config.store, { queryMemoryBytesMax: config.limits.queryMemoryBytesMax, fragmentExecutor: executor, audit: { node: config.id },
    spill: { directory: config.spillDirectory, bytesMax: config.limits.spillBytesMax } });
  locator = PartitionLocator.forStore(database.store);
  membership = new ClusterMembership(database.store, config.id, config.token);
  const server = await startServer(config, database, { membership, counters, shuffles: shuffleWorker }, log);
  // Peers reach the node, and placement finds its host, by the advertised host when there is one.
  const urlHost = config.advertiseHost ?? config.host;
  const url = `http://${urlHost.includes(':') && !urlHost.startsWith('[') ? `[${urlHost}]` : urlHost}:${server.port}`;
  await membership.start(url);
  // Background compaction (on unless the config turns it off); a dormant node does none.
  const compaction: CompactionJob | null = config.compaction === undefined || !config.compaction.enabled ? null
    : startCompactionJob(database.store, config.id, config.compaction, () => membership!.selfState() === 'active', log);
  log({ level: 'info', msg: 'listening', url, store: config.store, auth: config.token !== null, members: membership.members().map((member) => member.id) });
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log({ level: 'info', msg: 'stopping', runningQueries: server.runningQueries() });
      membership!.stop();
      await compaction?.stop();
      await server.close();
      await database!.close();
      log({ level: 'info', msg: 'stopped' });
    })();
    return stopping;
  };
  return { server, database, membership, counters, stop };
}
