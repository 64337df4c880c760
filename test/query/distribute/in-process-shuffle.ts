/**
 * A shuffle-capable FragmentExecutor in one process for query tests: two "nodes" run fragments
 * (as JSON, like the RPC) through a worker engine; a shuffle maps both sides into buckets per
 * node, then runs the reduce fragment (also through JSON) once per bucket.
 */
import type { Batch } from '../../../storage/index.js';
import {
  runShuffleReduce, shuffleMapOutputs,
  type FragmentProgress, type FragmentTask, type QueryEngine, type ShuffleExecutor, type ShuffleMapRequest, type ShuffleTask,
} from '../../../query/index.js';

const nodes = 2;
const buckets = 3;

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function* each(batches: readonly Batch[]): AsyncIterable<Batch> {
  yield* batches;
}

/** Runs fragments over two nodes' shares of the partitions, through a worker engine. */
export async function* runOnNodes(worker: QueryEngine, task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> {
  const ids = task.partitions.map((p) => p.id);
  for (let node = 0; node < nodes; node++) {
    const partitionIds = ids.filter((_, i) => i % nodes === node);
    if (partitionIds.length === 0) continue;
    progress.nodeUsed(`n${node}`);
    for await (const output of worker.executeFragment(roundTrip({ fragment: task.fragment, table: task.table, version: task.version, partitionIds }), signal)) {
      if (output.type === 'batch') yield output.batch;
      else progress.partitionDone();
    }
  }
}

/** The shuffle's two stages in one process: map both sides into buckets per node, then reduce bucket by bucket. */
export class InProcessShuffle implements ShuffleExecutor {
  shuffles = 0;

  constructor(private readonly worker: QueryEngine) {}

  execute(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> {
    return runOnNodes(this.worker, task, signal, progress);
  }

  async *shuffle(task: ShuffleTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> {
    this.shuffles += 1;
    const stored = task.sides.map(() => Array.from({ length: buckets }, () => [] as Batch[]));
    for (let side = 0; side < 2; side++) {
      const { fragment, table, version, partitions, keys } = task.sides[side];
      for (let node = 0; node < nodes; node++) {
        const partitionIds = partitions.map((p) => p.id).filter((_, i) => i % nodes === node);
        if (partitionIds.length === 0) continue;
        progress.nodeUsed(`n${node}`);
        const request = roundTrip<ShuffleMapRequest>({ fragment, table, version, partitionIds, keys, buckets });
        for await (const output of shuffleMapOutputs(this.worker.executeFragment(request, signal), request.keys, request.buckets)) {
          if (output.type === 'batch') stored[side][output.bucket].push(output.batch);
          else progress.partitionDone(output.counts);
        }
      }
    }
    const reduce = roundTrip(task.reduce);
    for (let bucket = 0; bucket < buckets; bucket++) {
      yield* runShuffleReduce(reduce, { left: () => each(stored[0][bucket]), right: () => each(stored[1][bucket]) }, 1 << 30, signal);
    }
  }
}
