/**
 * The coordinator's side of distributed execution: assigns a fragment's partitions to the live
 * nodes, on hosts that hold their blocks where that keeps the load balanced by bytes
 * (partition-placement.ts), runs them (in-process on this node, over the fragment RPC elsewhere),
 * releases each partition's output only once that partition completed (batch by batch, or whole
 * for a merging exchange: executePartitions), and re-runs the partitions
 * of a node that fails or stops answering on the nodes that remain. Cancelling the query aborts
 * every RPC, and the workers stop.
 */
import { StrataError, toStrataError, type Batch } from '../storage/index.js';
import { catalogTableName, type FragmentProgress, type FragmentScanCounts, type FragmentTask, type PartitionOutput, type ScanPartition, type ShuffleExecutor, type ShuffleTask } from '../query/index.js';
import { BoundedChannel } from './bounded-channel.js';
import type { ClusterMembership } from './cluster-membership.js';
import { decodeBatches } from './arrow-ipc.js';
import { FrameKind, readFrames } from './fragment-frames.js';
import { assignPartitions, hostOfUrl, type PartitionLocality } from './partition-placement.js';
import { planToJson } from './plan-json.js';
import type { ShuffleCoordinator } from './shuffle-coordinator.js';

/** Batches in flight between the workers and the merge: bounds coordinator memory. */
const channelBatchesMax = 32;
/** Rounds of re-assignment before a query gives up: each round loses at least one node. */
const assignmentRoundsMax = 8;

/** A partition's output or its completion, as a fragment run produces them. */
export type FragmentEvent =
  | { readonly type: 'batch'; readonly partition: number; readonly batch: Batch }
  | { readonly type: 'done'; readonly partition: number; readonly counts?: FragmentScanCounts };

/** Runs a fragment over some partitions in this process, partition by partition. */
export type LocalFragmentRunner = (task: FragmentTask, signal: AbortSignal) => AsyncIterable<FragmentEvent>;

/** Finds the hosts holding a task's partitions (partition-locality.ts); absent when the store has no hosts. */
export type LocalityLookup = (table: string, partitions: readonly ScanPartition[], signal: AbortSignal) => Promise<PartitionLocality>;

/** Releases a completed partition's batches (its index in the task) to the consumer. */
type Emit = (partition: number, batches: Batch[]) => Promise<void>;

/** How a stream's channel receives a completed partition: batch by batch, or whole. */
type Release<T> = (channel: BoundedChannel<T>, partition: number, batches: Batch[]) => Promise<void>;

/** True for failures that mean "this node could not do it", not "the query is wrong". */
function isNodeFailure(error: StrataError): boolean {
  return error.kind === 'io' || error.code === 'NODE_DORMANT' || error.code === 'RPC_STREAM_TRUNCATED';
}

/** The cluster's FragmentExecutor; shuffle joins go to the ShuffleCoordinator. */
export class ClusterFragmentExecutor implements ShuffleExecutor {
  constructor(
    private readonly membershipOf: () => ClusterMembership,
    private readonly selfId: string,
    private readonly token: string | null,
    private readonly runLocal: LocalFragmentRunner,
    private readonly locate?: LocalityLookup,
    private readonly shuffles?: () => ShuffleCoordinator,
  ) {}

  /**
   * Runs a shuffle join over the live nodes (shuffle-coordinator.ts); declines with one live node
   * (or without a coordinator), where gathering both sides costs no network and no bucket copies.
   */
  shuffle(task: ShuffleTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> | null {
    if (this.shuffles === undefined || this.membershipOf().workers().length < 2) return null;
    return this.shuffles().run(task, signal, progress);
  }

  execute(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> {
    return this.stream<Batch>(task, signal, progress, async (channel, _partition, batches) => {
      for (const batch of batches) await channel.push(batch);
    });
  }

  /** Each partition's output whole, once it completed: a merging exchange merges them as sorted runs. */
  executePartitions(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<PartitionOutput> {
    return this.stream<PartitionOutput>(task, signal, progress, (channel, partition, batches) => channel.push({ partition, batches }));
  }

  /** Runs the task and streams what `release` pushes for each completed partition. */
  private async *stream<T>(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress, release: Release<T>): AsyncIterable<T> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const channel = new BoundedChannel<T>(channelBatchesMax);
    const emit = (partition: number, batches: Batch[]) => release(channel, partition, batches);
    const run = this.runRounds(task, controller.signal, progress, emit).then(() => channel.close(), (error: unknown) => channel.close(error));
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

  private async runRounds(task: FragmentTask, signal: AbortSignal, progress: FragmentProgress, emit: Emit): Promise<void> {
    let pending = task.partitions.map((_, i) => i);
    const failedNodes = new Set<string>();
    const locality = await this.localityOf(task, signal);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= assignmentRoundsMax) {
        throw new StrataError('io', 'CLUSTER_UNAVAILABLE', `nodes kept failing: gave up after ${assignmentRoundsMax} rounds with ${pending.length} partitions left`);
      }
      const nodes = this.membershipOf().workers().filter((member) => !failedNodes.has(member.id))
        .map((member) => ({ id: member.id, host: hostOfUrl(member.url) }));
      if (nodes.length === 0) throw new StrataError('io', 'CLUSTER_UNAVAILABLE', 'no live node is left to run the query; check `strata cluster list`');
      const partitions = pending.map((i) => task.partitions[i]);
      const assignment = assignPartitions(partitions, nodes, locality);
      const completed = new Set<number>();
      await Promise.all([...assignment].filter(([, indexes]) => indexes.length > 0).map(async ([node, indexes]) => {
        const subset = indexes.map((i) => pending[i]);
        try {
          progress.nodeUsed(node);
          await this.runOnNode(node, task, subset, signal, emit, (partition, counts) => { completed.add(partition); progress.partitionDone(counts); });
          if (node !== this.selfId) this.membershipOf().markSeen(node);
        } catch (error) {
          const strataError = toStrataError(error);
          if (signal.aborted || !isNodeFailure(strataError) || node === this.selfId) throw strataError;
          failedNodes.add(node);
          this.membershipOf().markFailed(node);
        }
      }));
      pending = pending.filter((partition) => !completed.has(partition));
    }
  }

  /** Hosts of the task's partitions; none to ask for when only one node works (placement has no choice). */
  private async localityOf(task: FragmentTask, signal: AbortSignal): Promise<PartitionLocality> {
    if (this.locate === undefined || this.membershipOf().workers().length < 2) return new Map();
    // A time-travel scan's task names `table@vN`; its files live under the table's own directory.
    return this.locate(catalogTableName(task.table), task.partitions, signal);
  }

  private async runOnNode(node: string, task: FragmentTask, partitionIndexes: number[], signal: AbortSignal,
    emit: Emit, onDone: (partition: number, counts?: FragmentScanCounts) => void): Promise<void> {
    const subsetTask: FragmentTask = { ...task, partitions: partitionIndexes.map((i) => task.partitions[i]) };
    const events = node === this.selfId ? this.runLocal(subsetTask, signal) : this.runRemote(node, subsetTask, signal);
    // A partition's batches are held until its 'done' arrives: if the node dies half-way through
    // a partition, nothing of that partition has been released and it can be re-run elsewhere.
    const held = new Map<number, Batch[]>();
    for await (const event of events) {
      const partition = partitionIndexes[event.partition];
      if (event.type === 'batch') {
        const list = held.get(partition) ?? [];
        list.push(event.batch);
        held.set(partition, list);
        continue;
      }
      await emit(partition, held.get(partition) ?? []);
      held.delete(partition);
      onDone(partition, event.counts);
    }
    if (held.size > 0) throw new StrataError('io', 'RPC_STREAM_TRUNCATED', `node ${node} ended its stream with unfinished partitions`, { node });
  }

  private async *runRemote(node: string, task: FragmentTask, signal: AbortSignal): AsyncIterable<FragmentEvent> {
    const member = this.membershipOf().members().find((candidate) => candidate.id === node);
    if (member === undefined) throw new StrataError('io', 'NODE_NOT_FOUND', `node ${node} left the cluster`, { node });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    const body = planToJson({ fragment: task.fragment, table: task.table, version: task.version, partitionIds: task.partitions.map((p) => p.id) });
    let response: Response;
    try {
      response = await fetch(`${member.url}/internal/v1/fragment`, { method: 'POST', headers, body, signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new StrataError('io', 'NODE_UNREACHABLE', `node ${node} (${member.url}) did not answer: ${(error as Error).message}`, { node });
    }
    if (!response.ok || response.body === null) {
      const payload = await response.json().catch(() => ({})) as { error?: { kind: string; code: string; message: string } };
      const error = payload.error;
      throw error === undefined
        ? new StrataError('io', 'NODE_UNREACHABLE', `node ${node} answered HTTP ${response.status}`, { node })
        : new StrataError(error.kind as StrataError['kind'], error.code, `node ${node}: ${error.message}`, { node });
    }
    yield* this.decodeEvents(node, response.body, signal);
  }

  private async *decodeEvents(node: string, body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncIterable<FragmentEvent> {
    let ended = false;
    try {
      for await (const frame of readFrames(body as unknown as AsyncIterable<Uint8Array>, node)) {
        const view = new DataView(frame.payload.buffer, frame.payload.byteOffset, frame.payload.byteLength);
        if (frame.kind === FrameKind.batch) {
          for (const batch of decodeBatches(frame.payload.subarray(4)).batches) yield { type: 'batch', partition: view.getUint32(0, true), batch };
        } else if (frame.kind === FrameKind.partitionDone) {
          yield { type: 'done', partition: view.getUint32(0, true), counts: doneCounts(frame.payload) };
        } else if (frame.kind === FrameKind.error) {
          const error = JSON.parse(new TextDecoder().decode(frame.payload)) as { kind: StrataError['kind']; code: string; message: string; details: Record<string, unknown> };
          throw new StrataError(error.kind, error.code, `node ${node}: ${error.message}`, { ...error.details, node });
        } else if (frame.kind === FrameKind.end) {
          ended = true;
        }
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof StrataError) throw error;
      throw new StrataError('io', 'RPC_STREAM_TRUNCATED', `the stream from node ${node} broke: ${(error as Error).message}`, { node });
    }
    if (!ended) throw new StrataError('io', 'RPC_STREAM_TRUNCATED', `the stream from node ${node} ended early`, { node });
  }
}

/** The read counts a worker appends as JSON after the partition index of a PartitionDone frame (older workers send none). */
function doneCounts(payload: Uint8Array): FragmentScanCounts | undefined {
  if (payload.length <= 4) return undefined;
  try {
    const counts = JSON.parse(new TextDecoder().decode(payload.subarray(4))) as FragmentScanCounts;
    // spilledBytes is optional (workers before it send none): keep it only as a usable count.
    const spilled = counts.spilledBytes;
    if (spilled === undefined || (Number.isFinite(spilled) && spilled >= 0)) return counts;
    const { spilledBytes: _dropped, ...rest } = counts;
    return rest;
  } catch {
    return undefined;
  }
}
