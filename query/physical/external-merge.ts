/**
 * The k-way merge of an external sort: a binary heap of run numbers ordered by each run's current
 * row (ties by run number, so earlier input first), output rows recorded as run numbers in a typed
 * array and gathered column by column when a batch is full. No object is made per row.
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { SortKey } from '../plan/index.js';
import { compareAcross, prepareMergeKeys, scatterVectors, sliceBatch, type MergeKey } from '../exec/index.js';
import type { ExecutionContext, SpillArea, SpillRun } from './execution-plan.js';
import { batchBytes, checkCancelled, type MemoryReservation } from './execution-limits.js';

/** The current batch of every run, where each stands, and what was taken since the last output. */
class RunHeads {
  readonly iterators: AsyncIterator<Batch>[];
  readonly batches: (Batch | null)[];
  readonly keys: MergeKey[][];
  readonly positions: Int32Array;
  /** Where the rows not yet output start in the current batch. */
  readonly starts: Int32Array;
  /** Parts of earlier batches of each run taken but not yet output. */
  readonly pending: Batch[][];
  readonly bytes: Float64Array;

  constructor(readonly count: number, private readonly sortKeys: readonly SortKey[]) {
    this.iterators = [];
    this.batches = new Array<Batch | null>(count).fill(null);
    this.keys = new Array<MergeKey[]>(count);
    this.positions = new Int32Array(count);
    this.starts = new Int32Array(count);
    this.pending = Array.from({ length: count }, () => []);
    this.bytes = new Float64Array(count);
  }

  /** Moves run r to its next non-empty batch; false when the run is exhausted. */
  async advance(r: number): Promise<boolean> {
    for (;;) {
      const next = await this.iterators[r].next();
      if (next.done === true) {
        this.batches[r] = null;
        this.bytes[r] = 0;
        return false;
      }
      if (next.value.length === 0) continue;
      this.batches[r] = next.value;
      this.keys[r] = prepareMergeKeys(this.sortKeys, next.value);
      this.positions[r] = 0;
      this.starts[r] = 0;
      this.bytes[r] = batchBytes(next.value, new WeakSet<object>());
      return true;
    }
  }

  /** True when run a's current row goes before run b's. */
  before(a: number, b: number): boolean {
    const order = compareAcross(this.keys[a], this.positions[a], this.keys[b], this.positions[b]);
    return order < 0 || (order === 0 && a < b);
  }

  /** Keeps the not yet output rows of run r's current batch before it moves on. */
  keepTaken(r: number): void {
    const batch = this.batches[r] as Batch;
    if (this.positions[r] > this.starts[r]) this.pending[r].push(sliceBatch(batch, this.starts[r], this.positions[r]));
  }
}

/** Restores the heap property from slot i down. */
function siftDown(heap: Int32Array, size: number, i: number, heads: RunHeads): void {
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) return;
    const right = left + 1;
    const child = right < size && heads.before(heap[right], heap[left]) ? right : left;
    if (!heads.before(heap[child], heap[i])) return;
    const swap = heap[i];
    heap[i] = heap[child];
    heap[child] = swap;
    i = child;
  }
}

/** Streams the rows of sorted runs in one stable order, `outputRows` per batch. */
export async function* mergeSortedRuns(runs: readonly SpillRun[], keys: readonly SortKey[], schema: Schema, context: ExecutionContext,
  spill: SpillArea, reservation: MemoryReservation, outputRows: number): AsyncGenerator<Batch> {
  const heads = new RunHeads(runs.length, keys);
  const heap = new Int32Array(runs.length);
  let size = 0;
  try {
    for (let r = 0; r < runs.length; r++) {
      heads.iterators.push(spill.readRun(runs[r])[Symbol.asyncIterator]());
      if (await heads.advance(r)) heap[size++] = r;
    }
    for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(heap, size, i, heads);
    const taken = new Int32Array(outputRows);
    let count = 0;
    while (size > 0) {
      const r = heap[0];
      taken[count++] = r;
      heads.positions[r]++;
      if (heads.positions[r] === (heads.batches[r] as Batch).length) {
        heads.keepTaken(r);
        if (!(await heads.advance(r))) heap[0] = heap[--size];
        // The merge holds one batch per run; it cannot shrink, so it is counted, never refused.
        reservation.tryResize(heads.bytes.reduce((sum, b) => sum + b, 0), true);
      }
      siftDown(heap, size, 0, heads);
      if (count === outputRows || size === 0) {
        checkCancelled(context);
        yield gatherTaken(heads, taken, count, schema);
        count = 0;
      }
    }
  } finally {
    for (const iterator of heads.iterators) await iterator.return?.();
  }
}

/** The taken rows as one batch: each run's rows (a stretch of its input) scattered to their output positions. */
function gatherTaken(heads: RunHeads, taken: Int32Array, count: number, schema: Schema): Batch {
  const counts = new Int32Array(heads.count + 1);
  for (let i = 0; i < count; i++) counts[taken[i] + 1]++;
  for (let r = 0; r < heads.count; r++) counts[r + 1] += counts[r];
  const byRun = new Int32Array(count);
  const fill = counts.slice(0, heads.count);
  for (let i = 0; i < count; i++) byRun[fill[taken[i]]++] = i;
  const parts: Batch[] = [];
  const positions: Int32Array[] = [];
  for (let r = 0; r < heads.count; r++) {
    let offset = counts[r];
    const batch = heads.batches[r];
    if (batch !== null && heads.positions[r] > heads.starts[r]) heads.pending[r].push(sliceBatch(batch, heads.starts[r], heads.positions[r]));
    if (batch !== null) heads.starts[r] = heads.positions[r];
    for (const part of heads.pending[r]) {
      parts.push(part);
      positions.push(byRun.subarray(offset, offset + part.length));
      offset += part.length;
    }
    heads.pending[r] = [];
  }
  const columns = schema.fields.map((field, c) => scatterVectors(field.type, count, parts.map((p) => p.columns[c]), positions));
  return { length: count, columns };
}
