/**
 * Rows spread over spill partitions by a hash of key expressions (a spilling aggregation's group
 * keys, a grace hash join's join keys): equal keys always land in the same partition, for every
 * seed, whatever the key's numeric type, so each partition can be processed on its own.
 */
import type { Batch, Schema, Vector } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { evaluateExpr, takeBatch } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan, SpillArea, SpillRun } from './execution-plan.js';
import { batchBytes, checkCancelled } from './execution-limits.js';

/** Partitions rows are spread over: each should fit where the whole did not. */
export const spillPartitionsCount = 16;

// Hashing reads a double's halves through a shared buffer: no allocation per row.
const hashScratch = new Float64Array(1);
const hashWords = new Int32Array(hashScratch.buffer);

function mix(h: number, word: number): number {
  h = Math.imul(h ^ word, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** FNV-1a of a string's UTF-16 units. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** Folds one key column into the rows' hashes; equal group keys (NULL, NaN, -0 as GROUP BY sees them) hash alike. */
function hashKeyColumn(vector: Vector, n: number, hashes: Int32Array): void {
  const nulls = vector.nulls;
  if (vector.kind === 'string') {
    const perEntry = Int32Array.from(vector.dictionary, hashText);
    for (let i = 0; i < n; i++) hashes[i] = mix(hashes[i], nulls !== null && nulls[i] === 1 ? 0x5bd1e995 : perEntry[vector.codes[i]]);
    return;
  }
  const values = vector.values;
  const wide = values instanceof BigInt64Array;
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) { hashes[i] = mix(hashes[i], 0x5bd1e995); continue; }
    let v = (wide ? Number(values[i]) : (values[i] as number)) + 0;
    if (v !== v) v = Number.NaN;
    hashScratch[0] = v;
    hashes[i] = mix(mix(hashes[i], hashWords[0]), hashWords[1]);
  }
}

/** Rows waiting for their partition's next run, and the runs written (a partition's runs are read in order). */
export class SpillPartitions {
  private readonly held: Batch[][] = Array.from({ length: spillPartitionsCount }, () => []);
  private heldBytes = 0;
  readonly runs: SpillRun[][] = Array.from({ length: spillPartitionsCount }, () => []);

  constructor(private readonly keys: readonly Expr[], private readonly schema: Schema, private readonly seed: number,
    private readonly flushBytes: number, private readonly context: ExecutionContext, private readonly spill: SpillArea) {}

  /** Adds the rows at positions[0..count) of a batch, writing runs once `flushBytes` are held. */
  async add(batch: Batch, positions: Int32Array, count: number): Promise<void> {
    const rows = takeBatch(batch, positions, count);
    const hashes = new Int32Array(count).fill(this.seed);
    for (const e of this.keys) hashKeyColumn(evaluateExpr(e, rows), count, hashes);
    const sizes = new Int32Array(spillPartitionsCount + 1);
    for (let i = 0; i < count; i++) sizes[((hashes[i] >>> 0) % spillPartitionsCount) + 1]++;
    for (let p = 0; p < spillPartitionsCount; p++) sizes[p + 1] += sizes[p];
    const order = new Int32Array(count);
    // The parts share the batch's dictionaries: count each once.
    const seen = new WeakSet<object>();
    const fill = sizes.slice(0, spillPartitionsCount);
    for (let i = 0; i < count; i++) order[fill[(hashes[i] >>> 0) % spillPartitionsCount]++] = i;
    for (let p = 0; p < spillPartitionsCount; p++) {
      const size = sizes[p + 1] - sizes[p];
      if (size === 0) continue;
      const part = takeBatch(rows, order.subarray(sizes[p], sizes[p + 1]), size);
      this.held[p].push(part);
      this.heldBytes += batchBytes(part, seen);
    }
    if (this.heldBytes >= this.flushBytes) await this.flush();
  }

  /** Adds every row of a batch. */
  async addAll(batch: Batch): Promise<void> {
    if (batch.length === 0) return;
    const positions = new Int32Array(batch.length);
    for (let i = 0; i < batch.length; i++) positions[i] = i;
    await this.add(batch, positions, batch.length);
  }

  /** Writes every partition's held rows as one run each. */
  async flush(): Promise<void> {
    for (let p = 0; p < spillPartitionsCount; p++) {
      if (this.held[p].length === 0) continue;
      checkCancelled(this.context);
      const run = await this.spill.writeRun(this.schema, this.held[p]);
      this.context.metrics.spilledBytes = (this.context.metrics.spilledBytes ?? 0) + run.bytes;
      this.runs[p].push(run);
      this.held[p] = [];
    }
    this.heldBytes = 0;
  }
}

/** The batches of a partition's runs, in order. */
export async function* readRuns(runs: readonly SpillRun[], spill: SpillArea): AsyncGenerator<Batch> {
  for (const run of runs) yield* spill.readRun(run);
}

/** A leaf operator streaming spilled runs back (one partition of a grace hash join). */
export class SpilledRunsExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[] = [];

  constructor(readonly schema: Schema, private readonly runs: readonly SpillRun[], private readonly spill: SpillArea) {}

  execute(): AsyncIterable<Batch> {
    return readRuns(this.runs, this.spill);
  }
}
