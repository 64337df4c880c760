/**
 * A service manager process: opens the store, serves HTTP + WebSocket, logs JSON lines, and stops
 * gracefully on SIGTERM/SIGINT (running queries get the grace period, then are cancelled; the
 * store is left consistent because every write is a commit or nothing).
 */
import { Database } from './database.js';
import type { NodeConfig } from './node-config.js';
import { startServer, type RunningServer } from './server.js';

/** Writes one structured log line to stdout. */
export function logLine(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}

/** A started node. */
export interface RunningNode {
  readonly server: RunningServer;
  readonly database: Database;
  stop(): Promise<void>;
}

/** Starts a node and returns once it listens. */
export async function startNode(config: NodeConfig): Promise<RunningNode> {
  const database = await Database.open(config.store, { queryMemoryBytesMax: config.limits.queryMemoryBytesMax });
  const log = (entry: Record<string, unknown>) => logLine({ node: config.id, ...entry });
  const server = await startServer(config, database, log);
  log({ level: 'info', msg: 'listening', url: `http://${config.host}:${server.port}`, store: config.store, auth: config.token !== null });
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log({ level: 'info', msg: 'stopping', runningQueries: server.runningQueries() });
      await server.close();
      await database.close();
      log({ level: 'info', msg: 'stopped' });
    })();
    return stopping;
  };
  return { server, database, stop };
}
