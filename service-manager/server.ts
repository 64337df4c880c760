/**
 * The service manager's network face: fastify with @fastify/websocket (the only file importing
 * them). REST JSON API, SQL over WebSocket (sql-session.ts), health, token auth. Maps error kinds
 * to HTTP statuses — nothing else in strata does.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { timingSafeEqual } from 'node:crypto';
import { toStrataError, type ErrorKind, StrataError } from '../storage/index.js';
import type { Database } from './database.js';
import type { NodeConfig } from './node-config.js';
import { QueryAdmission, SqlSession } from './sql-session.js';
import { renderJson } from './result-format.js';
import { typeToSql } from '../storage/index.js';

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
export async function startServer(config: NodeConfig, database: Database, log: (entry: Record<string, unknown>) => void): Promise<RunningServer> {
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
        const result = await database.sql(body.sql, { signal: AbortSignal.timeout(config.limits.queryTimeoutMs) });
        const rows = result.batches.reduce((sum, batch) => sum + batch.length, 0);
        if (rows > config.limits.restRowsMax) {
          throw new StrataError('resources', 'RESULT_TOO_LARGE', `the result has ${rows} rows, more than the REST limit of ${config.limits.restRowsMax}; use the WebSocket API (/v1/sql) or add LIMIT`);
        }
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
      bufferedBytes: () => socket.bufferedAmount,
    }, (sql, signal) => database.sql(sql, { signal }), config.limits, admission, config.id);
    sessions.add(session);
    socket.on('message', (data, isBinary) => {
      if (isBinary) session.handleBinary();
      else session.handleText(data.toString());
    });
    socket.on('close', () => { session.close(); sessions.delete(session); });
    socket.on('error', () => { session.close(); sessions.delete(session); });
  });

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
