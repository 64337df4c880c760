/**
 * A node's part of shuffle joins, for its own coordinator (in-process) and for others (the
 * /internal/v1/shuffle routes): map a side's fragment over some partitions into buckets kept in
 * the ShuffleStore (a partition's buckets are stored only once the partition completed), serve
 * a bucket to reducers, and reduce: join one bucket of both sides, fetched from every producer.
 */
import { StrataError, type Batch } from '../storage/index.js';
import { runShuffleReduce, shuffleBucketsMax, shuffleMapOutputs, type FragmentScanCounts, type LogicalPlan, type ShuffleMapRequest } from '../query/index.js';
import { decodeBatches, encodeBatch } from './arrow-ipc.js';
import type { Database } from './database.js';
import { FrameKind } from './fragment-frames.js';
import { shuffleCall, type ShufflePeer } from './shuffle-rpc.js';
import type { ShuffleStore } from './shuffle-store.js';

/** A map order: one side of one shuffle over some partitions. */
export interface ShuffleMapOrder extends ShuffleMapRequest {
  readonly shuffleId: string;
  /** 0: the join's left (probe) side, 1: its right (build) side. */
  readonly side: number;
}

/** A reduce order: one bucket of one shuffle, read from every node that mapped. */
export interface ShuffleReduceOrder {
  readonly shuffleId: string;
  readonly bucket: number;
  readonly fragment: LogicalPlan;
  readonly producers: readonly ShufflePeer[];
}

/** Runs this node's map and reduce work. */
export class ShuffleWorker {
  constructor(
    private readonly selfId: string,
    private readonly token: string | null,
    readonly store: ShuffleStore,
    private readonly database: () => Database,
    private readonly memoryBytesMax: number,
  ) {}

  /** Maps the order's partitions into buckets; yields each partition's index (and what it read) once its buckets are stored. */
  async *map(order: ShuffleMapOrder, signal: AbortSignal): AsyncIterable<{ partition: number; counts?: FragmentScanCounts }> {
    // Checked before any work: the bucket count sizes per-batch arrays.
    if (!Number.isInteger(order.buckets) || order.buckets < 1 || order.buckets > shuffleBucketsMax || (order.side !== 0 && order.side !== 1)) {
      throw new StrataError('input', 'BAD_MESSAGE', `shuffle ${order.shuffleId}: side must be 0 or 1 and buckets 1 to ${shuffleBucketsMax}, got side ${order.side}, ${order.buckets} buckets`);
    }
    // Opened before any work: reducers then find this node's (maybe empty) buckets, never an unknown shuffle.
    this.store.begin(order.shuffleId, order.buckets);
    const schema = order.fragment.schema;
    let held = new Map<number, Uint8Array[]>();
    for await (const output of shuffleMapOutputs(this.database().runFragment(order, signal), order.keys, order.buckets)) {
      if (output.type === 'batch') {
        const list = held.get(output.bucket) ?? [];
        list.push(encodeBatch(schema, output.batch));
        held.set(output.bucket, list);
        continue;
      }
      // Partitions run one after another: what is held belongs to the partition that just completed.
      this.store.put(order.shuffleId, order.side, order.buckets, held);
      held = new Map();
      this.store.counters.mapPartitions += 1;
      yield { partition: output.partition, counts: output.counts };
    }
  }

  /** The bucket's stored IPC streams, for a reducer. */
  serve(shuffleId: string, side: number, bucket: number): readonly Uint8Array[] {
    this.store.counters.bucketsServed += 1;
    return this.store.get(shuffleId, side, bucket);
  }

  /** Joins one bucket: the reduce fragment over that bucket of both sides. */
  async *reduce(order: ShuffleReduceOrder, signal: AbortSignal): AsyncIterable<Batch> {
    const inputs = {
      left: (scanSignal?: AbortSignal) => this.bucketBatches(order, 0, scanSignal ?? signal),
      right: (scanSignal?: AbortSignal) => this.bucketBatches(order, 1, scanSignal ?? signal),
    };
    yield* runShuffleReduce(order.fragment, inputs, this.memoryBytesMax, signal);
    this.store.counters.reduceBuckets += 1;
  }

  /** One side of a bucket, producer by producer: from the store here, over the bucket RPC elsewhere. */
  private async *bucketBatches(order: ShuffleReduceOrder, side: number, signal: AbortSignal): AsyncIterable<Batch> {
    for (const producer of order.producers) {
      if (producer.id === this.selfId) {
        for (const ipc of this.store.get(order.shuffleId, side, order.bucket)) yield* decodeBatches(ipc).batches;
        continue;
      }
      const path = `/internal/v1/shuffle/${encodeURIComponent(order.shuffleId)}/${side}/${order.bucket}`;
      for await (const frame of shuffleCall(producer, path, null, this.token, signal)) {
        if (frame.kind !== FrameKind.batch) throw new StrataError('corruption', 'RPC_FRAME_INVALID', `node ${producer.id} sent frame kind ${frame.kind} in a bucket`, { node: producer.id });
        yield* decodeBatches(frame.payload.subarray(4)).batches;
      }
    }
  }
}
