/**
 * The service manager's network face: fastify with @fastify/websocket (the only file importing
 * them). REST JSON API, SQL over WebSocket (sql-session.ts), health, token auth. Maps error kinds
 * to HTTP statuses — nothing else in strata does.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { timingSafeEqual } from 'node:crypto';
import { toStrataError, type Batch, type ErrorKind, StrataError } from '../storage/index.js';
import { Readable } from 'node:stream';
import type { Database } from './database.js';
import type { NodeConfig } from './node-config.js';
import { QueryAdmission, SqlSession } from './sql-session.js';
import { renderJson } from './result-format.js';
import { typeToSql } from '../storage/index.js';
import type { FragmentTask, QueryResult } from '../query/index.js';
import { writeMember, type ClusterMembership } from './cluster-membership.js';
import { encodeBatch } from './arrow-ipc.js';
import { encodeBatchFrame, encodeFrame, encodeJsonFrame, FrameKind } from './fragment-frames.js';
import { planFromJson } from './plan-json.js';
import { prometheusText, type NodeCounters } from './node-counters.js';
import { registerIngestRoutes } from './distributed-ingest-routes.js';
import { registerShuffleRoutes } from './shuffle-routes.js';
import type { ShuffleWorker } from './shuffle-worker.js';

/** What the server needs of the node beyond its database. */
export interface NodeServices {
  readonly membership: ClusterMembership;
  readonly counters: NodeCounters;
  /** This node's shuffle-join work; without it the node answers no shuffle RPCs. */
  readonly shuffles?: ShuffleWorker;
}

/** Largest fragment request: a plan is a few KiB; partition lists of huge tables stay well below. */
const fragmentRequestBytesMax = 16 * 1024 * 1024;

/** HTTP status of each error kind. */
const statusOfKind: Record<ErrorKind, number> = {
  syntax: 400, plan: 400, input: 400, not_supported: 501, conflict: 409, not_found: 404,
  io: 503, resources: 429, cancelled: 499, corruption: 500, auth: 401, internal: 500,
};

/** WebSocket close code for a refused upgrade (4000-4999 are the application's). */
export const closeCodeUnauthenticated = 4401;

/** A running service manager's HTTP server. */
export interface RunningServer {
  readonly address: string;
  readonly port: number;
  /** Sessions with running queries, for a graceful stop. */
  runningQueries(): number;
  /** Stops accepting, cancels what still runs after the grace period, closes. */
  close(): Promise<void>;
}

function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function requestToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice('Bearer '.length);
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  const strataError = toStrataError(error);
  return reply.code(statusOfKind[strataError.kind]).send({ error: strataError.toJSON() });
}

/** Starts the HTTP + WebSocket server of a node over an open database. */
export async function startServer(config: NodeConfig, database: Database, services: NodeServices,
  log: (entry: Record<string, unknown>) => void): Promise<RunningServer> {
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: config.limits.wsMessageBytesMax });
  await app.register(websocket, { options: { maxPayload: config.limits.wsMessageBytesMax } });
  const admission = new QueryAdmission(config.limits.queriesPerNodeMax);
  const sessions = new Set<SqlSession>();

  app.addHook('onRequest', async (request, reply) => {
    if (config.token === null || request.url === '/health') return;
    if (!tokenMatches(config.token, requestToken(request))) {
      log({ level: 'warn', msg: 'refused unauthenticated request', url: request.url.split('?')[0], remote: request.ip });
      return sendError(reply, new StrataError('auth', 'AUTH_REQUIRED', 'this node requires a token: send "Authorization: Bearer <token>"'));
    }
  });

  app.get('/health', async () => ({ status: 'ok', node: config.id, version: '0.1.0' }));
  app.get('/v1/tables', async () => ({ tables: await database.tables() }));
  app.post('/v1/sql', async (request, reply) => {
    const body = request.body as Record<string, unknown> | null;
    if (typeof body?.sql !== 'string') return sendError(reply, new StrataError('input', 'BAD_MESSAGE', 'the body must be JSON {"sql": "..."}'));
    try {
      admission.enter();
      try {
        const result = await restResult(database, body.sql, config.limits);
        const document = JSON.parse(renderJson(result.schema, result.batches)) as Record<string, unknown>;
        return reply.send({ ...document, types: result.schema.fields.map((field) => typeToSql(field.type)), command: result.command, rowsAffected: result.rowsAffected, stats: result.stats });
      } finally {
        admission.leave();
      }
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get('/v1/sql', { websocket: true }, (socket) => {
    const session = new SqlSession({
      sendText: (text) => new Promise((resolve) => socket.send(text, () => resolve())),
      sendBinary: (data) => new Promise((resolve) => socket.send(data, { binary: true }, () => resolve())),
      bufferedBytes: () => socket.bufferedAmount,
    }, async (sql, signal, onProgress) => {
      // The session counts how the query ends (failed, cancelled) and what it streamed.
      services.counters.queriesStarted += 1;
      return database.sqlStream(sql, { signal, onProgress });
    }, config.limits, admission, config.id, services.counters);
    sessions.add(session);
    socket.on('message', (data, isBinary) => {
      if (isBinary) session.handleBinary();
      else session.handleText(data.toString());
    });
    socket.on('close', () => { session.close(); sessions.delete(session); });
    socket.on('error', () => { session.close(); sessions.delete(session); });
  });

  registerClusterRoutes(app, config, database, services, log);
  registerIngestRoutes(app, { config, store: database.store, membership: services.membership, log, sendError });
  if (services.shuffles !== undefined) registerShuffleRoutes(app, { nodeId: config.id, membership: services.membership, worker: services.shuffles, sendError });

  app.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) return sendError(reply, new StrataError('resources', 'MESSAGE_TOO_LARGE', `the request body is larger than ${config.limits.wsMessageBytesMax} bytes`));
    if (status !== undefined && status >= 400 && status < 500) return sendError(reply, new StrataError('input', 'BAD_MESSAGE', error instanceof Error ? error.message : String(error)));
    return sendError(reply, error);
  });

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const runningQueries = () => [...sessions].reduce((sum, session) => sum + session.runningCount, 0);
  return {
    address: config.host,
    port,
    runningQueries,
    async close() {
      const deadline = Date.now() + config.limits.shutdownGraceMs;
      while (runningQueries() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      for (const session of sessions) session.close();
      await app.close();
    },
  };
}

/**
 * A REST answer: the statement's batches, pulled until they pass restRowsMax rows. One more
 * batch than allowed proves the result too large, so the plan is stopped there rather than run
 * to the end and held whole.
 */
async function restResult(database: Database, sql: string, limits: NodeConfig['limits']): Promise<QueryResult> {
  const stream = await database.sqlStream(sql, { signal: AbortSignal.timeout(limits.queryTimeoutMs) });
  const batches: Batch[] = [];
  let rows = 0;
  for await (const batch of stream.batches) {
    batches.push(batch);
    rows += batch.length;
    if (rows > limits.restRowsMax) {
      throw new StrataError('resources', 'RESULT_TOO_LARGE', `the result has more than the REST limit of ${limits.restRowsMax} rows; use the WebSocket API (/v1/sql) or add LIMIT`);
    }
  }
  return { command: stream.command, schema: stream.schema, batches, rowsAffected: stream.rowsAffected, stats: stream.stats() };
}

interface FragmentRequest {
  readonly fragment: FragmentTask['fragment'];
  readonly table: string;
  readonly version: number;
  readonly partitionIds: string[];
}

/** Runs a fragment for a coordinator and streams frames; stops when the coordinator goes away. */
async function* fragmentFrames(database: Database, request: FragmentRequest, signal: AbortSignal, counters: NodeCounters): AsyncIterable<Uint8Array> {
  counters.fragmentsStarted += 1;
  let outcome: 'completed' | 'failed' | 'cancelled' = 'cancelled';
  try {
    for await (const event of database.runFragment(request, signal)) {
      if (event.type === 'batch') {
        counters.batchesSent += 1;
        yield encodeBatchFrame(event.partition, encodeBatch(request.fragment.schema, event.batch));
      } else {
        counters.partitionsRun += 1;
        // The partition index, then (additive) what the worker read and spilled for it as JSON: the coordinator adds it to the query's summary.
        const counts = event.counts === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(event.counts));
        const payload = new Uint8Array(4 + counts.length);
        new DataView(payload.buffer).setUint32(0, event.partition, true);
        payload.set(counts, 4);
        yield encodeFrame(FrameKind.partitionDone, payload);
      }
    }
    outcome = 'completed';
    yield encodeJsonFrame(FrameKind.end, {});
  } catch (error) {
    if (signal.aborted) return;
    outcome = 'failed';
    yield encodeJsonFrame(FrameKind.error, toStrataError(error).toJSON());
  } finally {
    // Also reached when the response stream is destroyed (the coordinator went away) and the
    // generator is closed at a yield: that is a cancellation.
    if (outcome === 'completed') counters.fragmentsCompleted += 1;
    else if (outcome === 'failed') counters.fragmentsFailed += 1;
    else counters.fragmentsCancelled += 1;
  }
}

function registerClusterRoutes(app: FastifyInstance, config: NodeConfig, database: Database, services: NodeServices,
  log: (entry: Record<string, unknown>) => void): void {
  const { membership, counters } = services;
  app.get('/v1/cluster', async () => ({ self: config.id, members: membership.members() }));
  app.get('/v1/node/stats', async () => ({ node: config.id, state: membership.selfState(), counters }));
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(prometheusText(counters, config.id, {
    clusterMembersLive: membership.members().filter((member) => member.live).length,
  })));
  for (const [action, state] of [['remove', 'dormant'], ['activate', 'active']] as const) {
    app.post(`/v1/cluster/${action}`, async (request, reply) => {
      const id = (request.body as Record<string, unknown> | null)?.id;
      if (typeof id !== 'string') return sendError(reply, new StrataError('input', 'BAD_MESSAGE', 'the body must be JSON {"id": "<node id>"}'));
      try {
        const record = await writeMember(database.store, id, { state });
        await membership.refresh();
        log({ level: 'info', msg: `cluster ${action}`, member: id, state });
        return reply.send({ member: record });
      } catch (error) {
        return sendError(reply, error);
      }
    });
  }
  app.post('/internal/v1/fragment', { bodyLimit: fragmentRequestBytesMax }, async (request, reply) => {
    await membership.refresh();
    if (membership.selfState() !== 'active') {
      return sendError(reply, new StrataError('resources', 'NODE_DORMANT', `node ${config.id} was removed from the cluster and takes no new work`, { node: config.id }));
    }
    const parsed = planFromJson<FragmentRequest>(JSON.stringify(request.body));
    const controller = new AbortController();
    // The coordinator cancelling (or dying) closes the connection: stop the work at once.
    reply.raw.on('close', () => { if (!reply.raw.writableFinished) controller.abort(new StrataError('cancelled', 'QUERY_CANCELLED', 'the coordinator went away')); });
    return reply.type('application/octet-stream').send(Readable.from(fragmentFrames(database, parsed, controller.signal, counters)));
  });
}
