/**
 * The HTTP routes of distributed ingest: POST /v1/ingest (a client's load; this node coordinates)
 * and POST /internal/v1/ingest-part (a coordinator's request to parse some parts). Both check the
 * request and its paths first, so refusals get a plain HTTP error, then answer with an NDJSON
 * event stream (distributed-ingest-wire.ts). The caller going away cancels the work.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { StrataError, type Store } from '../storage/index.js';
import type { ClusterMembership } from './cluster-membership.js';
import { prepareIngest, type IngestCoordinatorContext } from './distributed-ingest.js';
import { IngestPathPolicy } from './distributed-ingest-paths.js';
import { checkPartPaths, runIngestPart } from './distributed-ingest-worker.js';
import { eventLines, parseIngestPartRequest, parseIngestRequest } from './distributed-ingest-wire.js';
import { isLoopback, type NodeConfig } from './node-config.js';

/** What the routes need of the node. */
export interface IngestRouteContext {
  readonly config: NodeConfig;
  readonly store: Store;
  readonly membership: ClusterMembership;
  readonly log: (entry: Record<string, unknown>) => void;
  /** The server's error reply (it alone maps error kinds to HTTP statuses). */
  readonly sendError: (reply: FastifyReply, error: unknown) => FastifyReply;
}

/** Aborts the returned signal when the caller's connection closes before the answer was sent. */
function callerSignal(reply: FastifyReply, what: string): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new StrataError('cancelled', 'INGEST_CANCELLED', `the ${what} went away; nothing was committed`));
  });
  return controller.signal;
}

function streamEvents(reply: FastifyReply, lines: AsyncIterable<string>): FastifyReply {
  return reply.type('application/x-ndjson').send(Readable.from(lines));
}

/** Registers the ingest routes on the node's server. */
export function registerIngestRoutes(app: FastifyInstance, context: IngestRouteContext): void {
  const { config, membership, log, sendError } = context;
  const paths = new IngestPathPolicy(config.id, config.ingestRoots ?? [], isLoopback(config.host));
  const coordinator: IngestCoordinatorContext = { store: context.store, node: config.id, token: config.token, membership, paths, log };

  app.post('/v1/ingest', async (request: FastifyRequest, reply: FastifyReply) => {
    let prepared;
    let table = '';
    try {
      const body = parseIngestRequest(request.body);
      table = body.table;
      prepared = await prepareIngest(coordinator, body);
    } catch (error) {
      return sendError(reply, error);
    }
    const signal = callerSignal(reply, 'client');
    log({ level: 'info', msg: 'ingest started', table });
    return streamEvents(reply, eventLines(async (onProgress) => {
      try {
        return await prepared.run(signal, onProgress);
      } catch (error) {
        log({ level: 'warn', msg: 'ingest failed; nothing committed', table, code: (error as StrataError).code, error: (error as Error).message });
        throw error;
      }
    }));
  });

  app.post('/internal/v1/ingest-part', async (request: FastifyRequest, reply: FastifyReply) => {
    let checked;
    try {
      await membership.refresh();
      if (membership.selfState() !== 'active') {
        throw new StrataError('resources', 'NODE_DORMANT', `node ${config.id} was removed from the cluster and takes no new work`, { node: config.id });
      }
      checked = await checkPartPaths(coordinator, parseIngestPartRequest(request.body));
    } catch (error) {
      return sendError(reply, error);
    }
    const signal = callerSignal(reply, 'coordinator');
    return streamEvents(reply, eventLines((onProgress) => runIngestPart(coordinator, checked, signal, onProgress)));
  });
}
