/**
 * The internal shuffle RPCs a node answers (docs/protocol.md): map a side into buckets, serve a
 * bucket, reduce a bucket, drop a shuffle, and the node's shuffle counters. Token auth is the
 * server's onRequest hook, as for the fragment RPC. Streams are fragment frames; a coordinator
 * that goes away closes the connection and the work stops.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { StrataError, toStrataError } from '../storage/index.js';
import { encodeBatch } from './arrow-ipc.js';
import type { ClusterMembership } from './cluster-membership.js';
import { encodeBatchFrame, encodeFrame, encodeJsonFrame, FrameKind } from './fragment-frames.js';
import { planFromJson } from './plan-json.js';
import type { ShuffleMapOrder, ShuffleReduceOrder, ShuffleWorker } from './shuffle-worker.js';

/** Largest map or reduce order: a plan is a few KiB; partition lists of huge tables stay well below. */
const shuffleOrderBytesMax = 16 * 1024 * 1024;

/** What the shuffle routes need of the node. */
export interface ShuffleRouteContext {
  readonly nodeId: string;
  readonly membership: ClusterMembership;
  readonly worker: ShuffleWorker;
  readonly sendError: (reply: FastifyReply, error: unknown) => FastifyReply;
}

/** Frames of a piece of work: its data frames, then end, or an error frame; nothing once the caller went away. */
async function* framesOf(work: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncIterable<Uint8Array> {
  try {
    yield* work;
    yield encodeJsonFrame(FrameKind.end, {});
  } catch (error) {
    if (signal.aborted) return;
    yield encodeJsonFrame(FrameKind.error, toStrataError(error).toJSON());
  }
}

/** A PartitionDone frame: the partition index, then what the partition read as JSON (as the fragment RPC sends it). */
function partitionDoneFrame(partition: number, counts: unknown): Uint8Array {
  const json = counts === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(counts));
  const payload = new Uint8Array(4 + json.length);
  new DataView(payload.buffer).setUint32(0, partition, true);
  payload.set(json, 4);
  return encodeFrame(FrameKind.partitionDone, payload);
}

/** A signal aborted when the caller closes the connection before the answer is complete. */
function callerSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => { if (!reply.raw.writableFinished) controller.abort(new StrataError('cancelled', 'QUERY_CANCELLED', 'the coordinator went away')); });
  return controller.signal;
}

function stream(reply: FastifyReply, frames: AsyncIterable<Uint8Array>): FastifyReply {
  return reply.type('application/octet-stream').send(Readable.from(frames));
}

/** Registers the /internal/v1/shuffle routes. */
export function registerShuffleRoutes(app: FastifyInstance, context: ShuffleRouteContext): void {
  const { worker, membership, sendError } = context;
  const refuseDormant = async (reply: FastifyReply): Promise<FastifyReply | null> => {
    await membership.refresh();
    if (membership.selfState() === 'active') return null;
    return sendError(reply, new StrataError('resources', 'NODE_DORMANT', `node ${context.nodeId} was removed from the cluster and takes no new work`, { node: context.nodeId }));
  };

  app.post('/internal/v1/shuffle/map', { bodyLimit: shuffleOrderBytesMax }, async (request: FastifyRequest, reply) => {
    const refused = await refuseDormant(reply);
    if (refused !== null) return refused;
    const order = planFromJson<ShuffleMapOrder>(JSON.stringify(request.body));
    const signal = callerSignal(reply);
    const work = async function* () {
      for await (const done of worker.map(order, signal)) yield partitionDoneFrame(done.partition, done.counts);
    };
    return stream(reply, framesOf(work(), signal));
  });

  app.post('/internal/v1/shuffle/reduce', { bodyLimit: shuffleOrderBytesMax }, async (request: FastifyRequest, reply) => {
    const refused = await refuseDormant(reply);
    if (refused !== null) return refused;
    const order = planFromJson<ShuffleReduceOrder>(JSON.stringify(request.body));
    const signal = callerSignal(reply);
    const work = async function* () {
      for await (const batch of worker.reduce(order, signal)) yield encodeBatchFrame(order.bucket, encodeBatch(order.fragment.schema, batch));
    };
    return stream(reply, framesOf(work(), signal));
  });

  app.get('/internal/v1/shuffle/stats', async () => ({ node: context.nodeId, counters: worker.store.counters, bytesHeld: worker.store.bytesHeld() }));

  app.get('/internal/v1/shuffle/:id/:side/:bucket', async (request, reply) => {
    const params = request.params as { id: string; side: string; bucket: string };
    const side = Number(params.side);
    const bucket = Number(params.bucket);
    if (!Number.isInteger(side) || !Number.isInteger(bucket)) return sendError(reply, new StrataError('input', 'BAD_MESSAGE', 'side and bucket must be integers'));
    const signal = callerSignal(reply);
    const work = async function* () {
      for (const ipc of worker.serve(params.id, side, bucket)) yield encodeBatchFrame(bucket, ipc);
    };
    return stream(reply, framesOf(work(), signal));
  });

  app.delete('/internal/v1/shuffle/:id', async (request) => {
    worker.store.drop((request.params as { id: string }).id);
    return { dropped: true };
  });
}
