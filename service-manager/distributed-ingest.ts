/**
 * The coordinator of a load spread over the cluster. It plans the load (files already loaded are
 * skipped; large plain files are cut into byte ranges on record boundaries, compressed files and
 * CSV with quotes stay whole), assigns the parts to the live active nodes balanced by bytes, and
 * lets each node parse its parts and write partitions without committing. Once every part is
 * done it makes ONE commit with all partitions and the files' content hashes. A node that dies
 * or stops answering has its parts re-run on the others; any other failure (a bad record under
 * onError 'abort', a cancel) stops every node and commits nothing. On a table with a record key,
 * workers drop records the table already holds and the coordinator drops records that two parts
 * of the load share (distributed-ingest-dedup.ts) before the commit.
 */
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { StrataError, Table, toStrataError, type PartitionMeta, type Snapshot } from '../storage/index.js';
import { checkFilesUnchanged, planParts, type IngestProgress, type IngestSummary, type PartPlan } from '../ingest/index.js';
import type { ClusterMembership } from './cluster-membership.js';
import type { IngestPathPolicy } from './distributed-ingest-paths.js';
import { runIngestPart, type IngestWorkerContext } from './distributed-ingest-worker.js';
import { dropCrossPartDuplicates } from './distributed-ingest-dedup.js';
import {
  errorFromJson, keepAliveIntervalMs, readEvents,
  type IngestPartRequest, type IngestPartResult, type IngestRequest, type WireIngestOptions,
} from './distributed-ingest-wire.js';

/** Rounds of re-assignment before a load gives up: each round loses at least one node. */
const assignmentRoundsMax = 8;
/** A worker silent this long (no progress, no keep-alive line) is hung: its parts go elsewhere. */
const workerSilenceMsMax = keepAliveIntervalMs * 12;

/** What a coordinator needs of its node. */
export interface IngestCoordinatorContext extends IngestWorkerContext {
  readonly token: string | null;
  readonly membership: ClusterMembership;
  readonly paths: IngestPathPolicy;
  readonly log: (entry: Record<string, unknown>) => void;
}

/** One node's share of a load. */
export interface IngestNodeShare {
  readonly node: string;
  readonly parts: number;
  readonly partitions: number;
  readonly rows: number;
  readonly bytesIn: number;
}

/** What a distributed load did: the summary of a local load plus each node's share. */
export interface DistributedIngestSummary extends IngestSummary {
  readonly nodes: IngestNodeShare[];
}

/** A load whose request passed the checks, ready to run. */
export interface PreparedIngest {
  run(signal: AbortSignal, onProgress: (progress: IngestProgress) => void): Promise<DistributedIngestSummary>;
}

/** A worker's finished run. */
interface PartRun {
  readonly parts: number[];
  readonly result: IngestPartResult;
}

/** Checks the request's paths and table before anything runs (their errors get proper HTTP statuses). */
export async function prepareIngest(context: IngestCoordinatorContext, request: IngestRequest): Promise<PreparedIngest> {
  const files: string[] = [];
  for (const file of request.files) files.push(await context.paths.readable(file));
  const rejectsPath = await context.paths.writable(request.options.rejectsPath ?? `${files[0]}.rejects`);
  const table = await Table.open(context.store, request.table);
  const options = { ...request.options, rejectsPath };
  return { run: (signal, onProgress) => runLoad(context, table, request.files, files, options, signal, onProgress) };
}

async function runLoad(context: IngestCoordinatorContext, table: Table, given: string[], files: string[], options: WireIngestOptions,
  signal: AbortSignal, onProgress: (progress: IngestProgress) => void): Promise<DistributedIngestSummary> {
  const startedMs = performance.now();
  const snapshot = await table.snapshot();
  const workers = context.membership.workers().length;
  if (workers === 0) throw unavailable('no live active node');
  const plan = await planParts(files, snapshot, { ...options, signal }, workers);
  const skipped = plan.skipped.map((file) => given[files.indexOf(file)]);
  if (plan.parts.length === 0) return summaryOf(snapshot.table, null, [], plan, given, skipped, null, startedMs);
  const scheduler = new PartScheduler(context, snapshot, plan, options, signal, onProgress);
  let runs: PartRun[];
  try {
    runs = await withoutCrossPartDuplicates(table, snapshot, await scheduler.run(), signal);
  } finally {
    await scheduler.settle();
  }
  await checkFilesUnchanged(plan);
  if (signal.aborted) throw cancelled(snapshot.table);
  const rejectsPath = await mergeRejects(runs, scheduler.pieces, options.rejectsPath!);
  const nodes = shares(runs);
  const version = await table.commit(snapshot.version, {
    add: runs.flatMap((run) => run.result.partitions),
    remove: [],
    loadHashes: plan.hashes,
    info: { operation: 'load', files: plan.files, rows: sum(runs, (run) => run.result.rowsLoaded), coordinator: context.node, nodes },
  });
  context.log({ level: 'info', msg: 'ingest committed', table: snapshot.table, version, nodes: nodes.map((share) => share.node) });
  return summaryOf(snapshot.table, version, runs, plan, given, skipped, rejectsPath, startedMs);
}

/**
 * The runs in part order, each with the records an earlier run of the load holds dropped (tables
 * with a record key): its partitions replaced, its rows and duplicates counted again.
 */
async function withoutCrossPartDuplicates(table: Table, snapshot: Snapshot, runs: PartRun[], signal: AbortSignal): Promise<PartRun[]> {
  const ordered = [...runs].sort((a, b) => a.parts[0] - b.parts[0]);
  const outcome = await dropCrossPartDuplicates(table, snapshot, ordered.map((run) => run.result), signal);
  return ordered.map((run, i) => outcome.dropped[i] === 0 ? run : {
    parts: run.parts,
    result: {
      ...run.result,
      partitions: outcome.partitions[i],
      rowsLoaded: run.result.rowsLoaded - outcome.dropped[i],
      rowsDuplicate: (run.result.rowsDuplicate ?? 0) + outcome.dropped[i],
      bytesStored: outcome.partitions[i].reduce((total, partition) => total + partition.bytes, 0),
    },
  });
}

/** Assigns parts to nodes, largest first to the least loaded node (balanced by bytes). */
export function assignByBytes(bytes: readonly number[], nodes: readonly string[]): Map<string, number[]> {
  const load = new Map(nodes.map((node) => [node, 0]));
  const assignment = new Map<string, number[]>(nodes.map((node) => [node, []]));
  const order = bytes.map((_, i) => i).sort((a, b) => bytes[b] - bytes[a] || a - b);
  for (const index of order) {
    let best = nodes[0];
    for (const node of nodes) if (load.get(node)! < load.get(best)!) best = node;
    assignment.get(best)!.push(index);
    load.set(best, load.get(best)! + bytes[index]);
  }
  for (const indexes of assignment.values()) indexes.sort((a, b) => a - b);
  return assignment;
}

/** True for failures that mean "this node could not do it", not "the load is wrong". */
function isNodeFailure(error: StrataError): boolean {
  return error.kind === 'io' || error.code === 'NODE_DORMANT' || error.code === 'NODE_NOT_FOUND';
}

/** Runs the parts of a plan on the cluster, round after round until every part is done. */
class PartScheduler {
  /** Rejects files the runs were told to write (some may not exist). */
  readonly pieces: string[] = [];
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<unknown>>();
  private readonly progress = new Map<number, IngestProgress>();
  private failure: StrataError | null = null;
  private runCount = 0;

  constructor(
    private readonly context: IngestCoordinatorContext,
    private readonly snapshot: Snapshot,
    private readonly plan: PartPlan,
    private readonly options: WireIngestOptions,
    private readonly signal: AbortSignal,
    private readonly onProgress: (progress: IngestProgress) => void,
  ) {
    signal.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true });
  }

  async run(): Promise<PartRun[]> {
    const runs: PartRun[] = [];
    let pending = this.plan.parts.map((_, i) => i);
    const failedNodes = new Map<string, StrataError>();
    for (let round = 0; pending.length > 0; round++) {
      const nodes = this.context.membership.workers().map((member) => member.id).filter((id) => !failedNodes.has(id));
      if (nodes.length === 0 || round >= assignmentRoundsMax) throw unavailable(describeFailures(failedNodes));
      const assignment = assignByBytes(pending.map((i) => this.plan.parts[i].bytes), nodes);
      const attempts = [...assignment].filter(([, indexes]) => indexes.length > 0)
        .map(([node, indexes]) => this.attempt(node, indexes.map((i) => pending[i]), failedNodes));
      const done = (await Promise.all(attempts)).filter((run): run is PartRun => run !== null);
      if (this.failure !== null) throw this.failure;
      if (this.signal.aborted) throw cancelled(this.snapshot.table);
      runs.push(...done);
      const completed = new Set(done.flatMap((run) => run.parts));
      pending = pending.filter((part) => !completed.has(part));
    }
    return runs;
  }

  /** Waits until no worker run is left (after a failure they stop at their next check). */
  async settle(): Promise<void> {
    this.controller.abort(new StrataError('cancelled', 'INGEST_CANCELLED', 'the load ended'));
    await Promise.allSettled([...this.running]);
  }

  /** One node's run of some parts; null when the node failed (its parts stay pending). */
  private async attempt(node: string, parts: number[], failedNodes: Map<string, StrataError>): Promise<PartRun | null> {
    const id = this.runCount++;
    const piece = `${this.options.rejectsPath}.part${id}`;
    this.pieces.push(piece);
    const request: IngestPartRequest = {
      table: this.snapshot.table, version: this.snapshot.version,
      parts: parts.map((i) => this.plan.parts[i]), options: { ...this.options, rejectsPath: piece },
    };
    const work = this.runOn(node, request, id);
    this.running.add(work);
    try {
      return { parts, result: await work };
    } catch (thrown) {
      this.progress.delete(id);
      const error = toStrataError(thrown);
      if (!this.controller.signal.aborted && isNodeFailure(error) && node !== this.context.node) {
        failedNodes.set(node, error);
        this.context.membership.markFailed(node);
        this.context.log({ level: 'warn', msg: 'ingest worker failed; its parts run elsewhere', worker: node, code: error.code, error: error.message });
        return null;
      }
      if (this.failure === null && !this.controller.signal.aborted) {
        this.failure = error;
        this.controller.abort(error);
      }
      return null;
    } finally {
      this.running.delete(work);
    }
  }

  private runOn(node: string, request: IngestPartRequest, id: number): Promise<IngestPartResult> {
    const onProgress = (progress: IngestProgress) => {
      this.progress.set(id, progress);
      this.report();
    };
    if (node === this.context.node) return runIngestPart(this.context, request, this.controller.signal, onProgress);
    return this.runRemote(node, request, onProgress);
  }

  private report(): void {
    let bytesRead = 0;
    let rows = 0;
    for (const progress of this.progress.values()) {
      bytesRead += progress.bytesRead;
      rows += progress.rows;
    }
    this.onProgress({ bytesRead, bytesTotal: this.plan.bytesTotal, rows });
  }

  private async runRemote(node: string, request: IngestPartRequest, onProgress: (progress: IngestProgress) => void): Promise<IngestPartResult> {
    const member = this.context.membership.members().find((candidate) => candidate.id === node);
    if (member === undefined) throw new StrataError('io', 'NODE_NOT_FOUND', `node ${node} left the cluster`, { node });
    const silence = new SilenceWatch(node);
    const signal = AbortSignal.any([this.controller.signal, silence.signal]);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.context.token !== null) headers.authorization = `Bearer ${this.context.token}`;
    try {
      const response = await fetch(`${member.url}/internal/v1/ingest-part`, { method: 'POST', headers, body: JSON.stringify(request), signal });
      if (!response.ok || response.body === null) {
        const payload = await response.json().catch(() => ({})) as { error?: unknown };
        if (payload.error === undefined) throw new StrataError('io', 'NODE_UNREACHABLE', `node ${node} answered HTTP ${response.status}`, { node });
        throw errorFromJson(payload.error, { node });
      }
      const result = await readEvents(response.body as unknown as AsyncIterable<Uint8Array>, `node ${node}`, (event) => {
        silence.heard();
        if (event.type === 'progress') onProgress(event as unknown as IngestProgress);
      });
      this.context.membership.markSeen(node);
      return result as IngestPartResult;
    } catch (error) {
      if (this.controller.signal.aborted) throw this.controller.signal.reason;
      if (silence.signal.aborted) throw silence.signal.reason;
      if (error instanceof StrataError) throw error.details.node === undefined ? errorFromJson(error.toJSON(), { node }) : error;
      throw new StrataError('io', 'NODE_UNREACHABLE', `node ${node} (${member.url}) did not answer: ${(error as Error).message}`, { node });
    } finally {
      silence.stop();
    }
  }
}

/** Aborts when a worker sends nothing for workerSilenceMsMax (a hung node; a dead one breaks the connection at once). */
class SilenceWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout;

  constructor(private readonly node: string) {
    this.timer = this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  heard(): void {
    clearTimeout(this.timer);
    this.timer = this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(): NodeJS.Timeout {
    const timer = setTimeout(() => this.controller.abort(new StrataError('io', 'NODE_UNREACHABLE',
      `node ${this.node} sent nothing for ${workerSilenceMsMax} ms during a load; treating it as hung`, { node: this.node })), workerSilenceMsMax);
    timer.unref();
    return timer;
  }
}

/** Concatenates the runs' rejects files into one (only when a record was rejected) and deletes the pieces. */
async function mergeRejects(runs: readonly PartRun[], pieces: readonly string[], rejectsPath: string): Promise<string | null> {
  const rejecting = runs.filter((run) => run.result.rejectsPath !== null).sort((a, b) => a.parts[0] - b.parts[0]);
  try {
    if (rejecting.length > 0) {
      const output = await open(rejectsPath, 'w');
      try {
        for (const run of rejecting) {
          for await (const chunk of createReadStream(run.result.rejectsPath!) as AsyncIterable<Buffer>) await output.write(chunk);
        }
        await output.sync();
      } finally {
        await output.close();
      }
    }
  } catch (error) {
    throw new StrataError('io', 'INGEST_WRITE_FAILED', `${rejectsPath}: cannot gather the rejected records: ${(error as Error).message}; nothing was committed, check the disk and load again`,
      { path: rejectsPath }, { cause: error });
  } finally {
    await Promise.all(pieces.map((piece) => rm(piece, { force: true }).catch(() => undefined)));
  }
  return rejecting.length > 0 ? rejectsPath : null;
}

function shares(runs: readonly PartRun[]): IngestNodeShare[] {
  const byNode = new Map<string, IngestNodeShare>();
  for (const { parts, result } of runs) {
    const share = byNode.get(result.node) ?? { node: result.node, parts: 0, partitions: 0, rows: 0, bytesIn: 0 };
    byNode.set(result.node, {
      node: result.node, parts: share.parts + parts.length, partitions: share.partitions + result.partitions.length,
      rows: share.rows + result.rowsLoaded, bytesIn: share.bytesIn + result.bytesIn,
    });
  }
  return [...byNode.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

function summaryOf(table: string, version: number | null, runs: readonly PartRun[], plan: PartPlan, given: string[], skipped: string[],
  rejectsPath: string | null, startedMs: number): DistributedIngestSummary {
  const partitions: PartitionMeta[] = runs.flatMap((run) => run.result.partitions);
  return {
    table, version,
    rowsLoaded: sum(runs, (run) => run.result.rowsLoaded),
    rowsRejected: sum(runs, (run) => run.result.rowsRejected),
    ...(runs.some((run) => run.result.rowsDuplicate !== undefined) ? { rowsDuplicate: sum(runs, (run) => run.result.rowsDuplicate ?? 0) } : {}),
    // As a local load: bytesIn is the text parsed, bytesRead the files as stored (absent when the same).
    ...bytesCounts(runs, plan.bytesTotal),
    bytesStored: partitions.reduce((total, partition) => total + partition.bytes, 0),
    partitions: partitions.length,
    seconds: (performance.now() - startedMs) / 1000,
    skipped: plan.parts.length === 0,
    rejectsPath,
    files: [...given],
    filesSkipped: skipped,
    rejectSamples: runs.flatMap((run) => run.result.rejectSamples).slice(0, 10),
    nodes: shares(runs),
  };
}

/**
 * bytesIn and bytesRead of the whole load. Each worker's bytesIn is the text it parsed: the
 * ranges of a split file tile it record by record and a .gz/.zst file is one part, so the sum is
 * every input's text once. (A range's own bytesRead also counts the bytes skipped and read past
 * its ends, so workers' bytesRead do not add up to the files; the planned sizes are the stored bytes.)
 */
function bytesCounts(runs: readonly PartRun[], bytesTotal: number): { bytesIn: number; bytesRead?: number } {
  const bytesIn = sum(runs, (run) => run.result.bytesIn);
  return bytesIn === bytesTotal ? { bytesIn } : { bytesIn, bytesRead: bytesTotal };
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}

function describeFailures(failed: ReadonlyMap<string, StrataError>): string {
  if (failed.size === 0) return 'no live active node';
  return [...failed].map(([node, error]) => `${node}: ${error.message}`).join('; ');
}

function unavailable(reason: string): StrataError {
  return new StrataError('io', 'CLUSTER_UNAVAILABLE', `no node is left to run the load (${reason}); nothing was committed, check 'strata cluster list' and load again`);
}

function cancelled(table: string): StrataError {
  return new StrataError('cancelled', 'INGEST_CANCELLED', `load into ${table} cancelled; nothing was committed, run the load again to retry`, {});
}
