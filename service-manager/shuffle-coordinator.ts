/**
 * The coordinator's side of a shuffle join. A round maps both sides on the live nodes (each side's
 * partitions placed as for fragments; every node keeps its buckets), then reduces: bucket b runs
 * on one node, which fetches bucket b of both sides from every node and joins it. A bucket's
 * output is released only once its reduce completed (until then it is held here, counted against
 * reduceHeldBytesMax). When a node fails (map or reduce, or a reducer cannot fetch from it), or a
 * node no longer holds the round's buckets (expired, restarted), the round stops and a new one
 * maps again on the nodes left and reduces the buckets not yet released; the bucket count stays fixed, so bucket contents do not
 * change between rounds. Every round's buckets are dropped on every node when it ends.
 */
import { randomUUID } from 'node:crypto';
import { StrataError, toStrataError, type Batch } from '../storage/index.js';
import { shuffleBucketsMax, type FragmentProgress, type ShuffleTask } from '../query/index.js';
import { BoundedChannel } from './bounded-channel.js';
import type { ClusterMembership } from './cluster-membership.js';
import { decodeBatches } from './arrow-ipc.js';
import { FrameKind } from './fragment-frames.js';
import { assignPartitions, hostOfUrl } from './partition-placement.js';
import { planToJson } from './plan-json.js';
import { dropShuffleOn, frameCounts, frameIndex, shuffleCall, type ShufflePeer } from './shuffle-rpc.js';
import type { ShuffleMapOrder, ShuffleReduceOrder, ShuffleWorker } from './shuffle-worker.js';

/** Buckets per live node: more than one, so the buckets of a lost node spread over the others. */
const bucketsPerNode = 2;
/** Batches in flight between the reducers and the merge: bounds coordinator memory. */
const channelBatchesMax = 32;
/** Rounds before a query gives up: each round loses at least one node. */
const shuffleRoundsMax = 8;

/** Bytes of reduce output the coordinator holds for buckets not yet complete (all buckets of a join together). */
export const shuffleReduceHeldBytesMaxDefault = 256 * 1024 * 1024;

/**
 * Errors that mean the node named in `details.node` is gone: it did not answer, its stream broke,
 * or it left the cluster. Other io errors (a peer's disk or spill failing) fail the query: a node
 * that answers with an error is alive, and marking it failed would only move the error.
 */
function isNodeFailure(error: StrataError): boolean {
  return error.code === 'NODE_UNREACHABLE' || error.code === 'RPC_STREAM_TRUNCATED' || error.code === 'NODE_DORMANT';
}

/** A node no longer holds the round's buckets (idle past its lifetime, or restarted): the round runs again, no node is blamed. */
function isShuffleLost(error: StrataError): boolean {
  return error.code === 'SHUFFLE_EXPIRED' || error.code === 'SHUFFLE_NOT_FOUND';
}

/** Rough bytes of a batch's buffers (string dictionaries two bytes a character), for the held-output limit. */
function heldBytesOf(batch: Batch): number {
  let bytes = 0;
  for (const column of batch.columns) {
    bytes += column.nulls === null ? 0 : column.nulls.byteLength;
    if (column.kind === 'numeric') {
      bytes += column.values.byteLength;
      continue;
    }
    bytes += column.codes.byteLength;
    if (column.utf8 !== undefined) bytes += column.utf8.data.byteLength;
    else for (const text of column.dictionary) bytes += 2 * text.length;
  }
  return bytes;
}

/** Runs every job; the first failure aborts the others, which are awaited before it is thrown. */
async function allOrAbort(jobs: ((signal: AbortSignal) => Promise<void>)[], parent: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  let first: unknown = null;
  await Promise.all(jobs.map((job) => job(controller.signal).catch((error: unknown) => {
    if (first === null) first = error;
    controller.abort(new StrataError('cancelled', 'QUERY_CANCELLED', 'a shuffle round failed'));
  })));
  parent.removeEventListener('abort', onAbort);
  if (first !== null) throw first;
}

/** Runs shuffle joins over the cluster. */
export class ShuffleCoordinator {
  constructor(
    private readonly membershipOf: () => ClusterMembership,
    private readonly selfId: string,
    private readonly token: string | null,
    private readonly worker: ShuffleWorker,
    private readonly reduceHeldBytesMax = shuffleReduceHeldBytesMaxDefault,
  ) {}

  /** The union of the reduce fragment's output over all buckets. */
  async *run(task: ShuffleTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const channel = new BoundedChannel<Batch>(channelBatchesMax);
    const run = this.runRounds(task, controller.signal, progress, channel).then(() => channel.close(), (error: unknown) => channel.close(error));
    try {
      yield* channel.drain();
    } finally {
      controller.abort(new StrataError('cancelled', 'QUERY_CANCELLED', 'the query ended'));
      // A consumer that stopped early leaves producers waiting on a full channel: closing wakes them.
      channel.close();
      signal?.removeEventListener('abort', onAbort);
      await run.catch(() => undefined);
    }
  }

  private liveNodes(failed: ReadonlySet<string>): ShufflePeer[] {
    return this.membershipOf().workers().filter((member) => !failed.has(member.id)).map((member) => ({ id: member.id, url: member.url }));
  }

  private async runRounds(task: ShuffleTask, signal: AbortSignal, progress: FragmentProgress, channel: BoundedChannel<Batch>): Promise<void> {
    const failed = new Set<string>();
    const buckets = Math.min(shuffleBucketsMax, Math.max(1, this.liveNodes(failed).length * bucketsPerNode));
    const pending = new Set(Array.from({ length: buckets }, (_, bucket) => bucket));
    const base = randomUUID();
    const held = { bytes: 0 };
    for (let round = 0; pending.size > 0; round++) {
      if (round >= shuffleRoundsMax) throw new StrataError('io', 'CLUSTER_UNAVAILABLE', `nodes kept failing: gave up a shuffle join after ${shuffleRoundsMax} rounds`);
      const nodes = this.liveNodes(failed);
      if (nodes.length === 0) throw new StrataError('io', 'CLUSTER_UNAVAILABLE', 'no live node is left to run the query; check `strata cluster list`');
      const shuffleId = `${base}.${round}`;
      try {
        const producers = await this.map(shuffleId, nodes, task, buckets, signal, progress);
        await this.reduce(shuffleId, nodes, producers, task, pending, signal, channel, held);
      } catch (error) {
        const strataError = toStrataError(error);
        const node = strataError.details.node;
        if (signal.aborted) throw strataError;
        if (!isShuffleLost(strataError)) {
          if (!isNodeFailure(strataError) || typeof node !== 'string' || node === this.selfId) throw strataError;
          failed.add(node);
          this.membershipOf().markFailed(node);
        }
        this.worker.store.counters.roundsRetried += 1;
      } finally {
        this.drop(shuffleId, nodes);
      }
    }
  }

  /** Both sides into buckets on every node; returns the nodes that mapped something (the reducers' producers). */
  private async map(shuffleId: string, nodes: readonly ShufflePeer[], task: ShuffleTask, buckets: number, signal: AbortSignal,
    progress: FragmentProgress): Promise<ShufflePeer[]> {
    const mapping = new Set<string>();
    const jobs: ((signal: AbortSignal) => Promise<void>)[] = [];
    task.sides.forEach((side, sideIndex) => {
      const assignment = assignPartitions(side.partitions, nodes.map((node) => ({ id: node.id, host: hostOfUrl(node.url) })));
      for (const node of nodes) {
        const indexes = assignment.get(node.id) ?? [];
        if (indexes.length === 0) continue;
        mapping.add(node.id);
        const order: ShuffleMapOrder = {
          shuffleId, side: sideIndex, fragment: side.fragment, table: side.table, version: side.version,
          partitionIds: indexes.map((i) => side.partitions[i].id), keys: side.keys, buckets,
        };
        jobs.push(async (jobSignal) => {
          progress.nodeUsed(node.id);
          if (node.id === this.selfId) {
            for await (const done of this.worker.map(order, jobSignal)) progress.partitionDone(done.counts);
            return;
          }
          for await (const frame of shuffleCall(node, '/internal/v1/shuffle/map', planToJson(order), this.token, jobSignal)) {
            if (frame.kind === FrameKind.partitionDone) progress.partitionDone(frameCounts(frame));
          }
          this.membershipOf().markSeen(node.id);
        });
      }
    });
    await allOrAbort(jobs, signal);
    // A node given no partitions holds no buckets: asking it for them would fail with SHUFFLE_NOT_FOUND.
    return nodes.filter((node) => mapping.has(node.id));
  }

  /** The pending buckets, spread over the nodes; each bucket's output released once complete. */
  private async reduce(shuffleId: string, nodes: readonly ShufflePeer[], producers: readonly ShufflePeer[], task: ShuffleTask, pending: Set<number>,
    signal: AbortSignal, channel: BoundedChannel<Batch>, held: { bytes: number }): Promise<void> {
    const order = [...pending].sort((a, b) => a - b);
    const jobs = nodes.map((node, n) => async (jobSignal: AbortSignal) => {
      for (let i = n; i < order.length; i += nodes.length) {
        const bucket = order[i];
        const reduceOrder: ShuffleReduceOrder = { shuffleId, bucket, fragment: task.reduce, producers };
        const output: Batch[] = [];
        let bytes = 0;
        // Held until the bucket completes (a retried round reruns it whole), so counted against a limit.
        const hold = (batch: Batch, size: number): void => {
          bytes += size;
          held.bytes += size;
          output.push(batch);
          if (held.bytes > this.reduceHeldBytesMax) throw this.heldTooMuch(shuffleId);
        };
        try {
          if (node.id === this.selfId) {
            for await (const batch of this.worker.reduce(reduceOrder, jobSignal)) hold(batch, heldBytesOf(batch));
          } else {
            for await (const frame of shuffleCall(node, '/internal/v1/shuffle/reduce', planToJson(reduceOrder), this.token, jobSignal)) {
              if (frame.kind !== FrameKind.batch || frameIndex(frame) !== bucket) continue;
              for (const batch of decodeBatches(frame.payload.subarray(4)).batches) hold(batch, heldBytesOf(batch));
            }
          }
          for (const batch of output) await channel.push(batch);
          pending.delete(bucket);
        } finally {
          held.bytes -= bytes;
        }
      }
    });
    await allOrAbort(jobs, signal);
  }

  private heldTooMuch(shuffleId: string): StrataError {
    return new StrataError('resources', 'SHUFFLE_OUTPUT_EXCEEDED',
      `a shuffle join's unfinished buckets produced more than ${this.reduceHeldBytesMax} bytes of output held on the coordinator (shuffle ${shuffleId}); select fewer columns, filter the join, or run it on more nodes`,
      { shuffle: shuffleId, bytesMax: this.reduceHeldBytesMax });
  }

  /** Frees a round's buckets everywhere (not awaited: it only frees memory). */
  private drop(shuffleId: string, nodes: readonly ShufflePeer[]): void {
    for (const node of nodes) {
      if (node.id === this.selfId) this.worker.store.drop(shuffleId);
      else void dropShuffleOn(node, shuffleId, this.token);
    }
  }
}
