/**
 * Limits every operator honours: the output batch size, cancellation between batches, and the
 * per-query memory budget shared by all operators of one execution.
 */
import { StrataError, type Batch, type DataType, type Vector } from '../../storage/index.js';
import { concatBatches, sliceBatch } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';

/** Rows per output batch: large enough to amortise per-batch work, small enough to stream (64 Ki). */
export const batchRowsMax = 65_536;

/** Throws QUERY_CANCELLED when the execution's signal has fired. */
export function checkCancelled(context: ExecutionContext): void {
  if (context.signal?.aborted === true) throw cancelledError(context);
}

/** The error of a cancelled query. */
export function cancelledError(context: ExecutionContext): StrataError {
  const reason = context.signal?.reason;
  const why = reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : '';
  return new StrataError('cancelled', 'QUERY_CANCELLED', `query cancelled${why}`);
}

/** Rethrows an error raised while the signal fired as QUERY_CANCELLED (sources throw AbortError). */
export function asCancelled(context: ExecutionContext, error: unknown): unknown {
  if (context.signal?.aborted === true && !(error instanceof StrataError && error.code !== 'QUERY_CANCELLED')) return cancelledError(context);
  return error;
}

/** A batch cut into slices of at most batchRowsMax rows. */
export function* boundedBatches(batch: Batch): Generator<Batch> {
  if (batch.length <= batchRowsMax) {
    yield batch;
    return;
  }
  for (let start = 0; start < batch.length; start += batchRowsMax) yield sliceBatch(batch, start, Math.min(start + batchRowsMax, batch.length));
}

/** Memory used per execution, shared by its operators. */
const usedBytes = new WeakMap<ExecutionContext, { bytes: number }>();

/** An operator's share of the execution's memory budget. */
export class MemoryReservation {
  private bytes = 0;
  private readonly pool: { bytes: number };

  constructor(private readonly context: ExecutionContext, private readonly operator: string) {
    let pool = usedBytes.get(context);
    if (pool === undefined) {
      pool = { bytes: 0 };
      usedBytes.set(context, pool);
    }
    this.pool = pool;
  }

  /** Sets the bytes this operator holds; throws RESOURCES_MEMORY_EXCEEDED past the query's limit. */
  resize(bytes: number): void {
    this.pool.bytes += bytes - this.bytes;
    this.bytes = bytes;
    if (this.pool.bytes > this.context.memoryBytesMax) {
      const used = this.pool.bytes;
      this.release();
      throw new StrataError('resources', 'RESOURCES_MEMORY_EXCEEDED',
        `${this.operator} needs more memory than the query may use: ${Math.ceil(used / 1048576)} MiB of ` +
        `${Math.floor(this.context.memoryBytesMax / 1048576)} MiB; raise the query memory limit, add filters, ` +
        'or group by fewer distinct values', { operator: this.operator, bytes: used, bytesMax: this.context.memoryBytesMax });
    }
  }

  /**
   * Sets the bytes this operator holds when they fit the query's limit and returns true; else
   * changes nothing and returns false (the caller spills), unless `force`, which takes them anyway
   * (a spilling operator's one batch that cannot shrink further).
   */
  tryResize(bytes: number, force = false): boolean {
    if (!force && this.pool.bytes + bytes - this.bytes > this.context.memoryBytesMax) return false;
    this.pool.bytes += bytes - this.bytes;
    this.bytes = bytes;
    return true;
  }

  /** Returns this operator's bytes to the pool. */
  release(): void {
    this.pool.bytes -= this.bytes;
    this.bytes = 0;
  }
}

/**
 * Bytes of a vector's buffers; string dictionaries count two bytes per character, once per
 * dictionary in `seen` (slices of one batch share theirs).
 */
export function vectorBytes(vector: Vector, seen: WeakSet<object>): number {
  const nulls = vector.nulls === null ? 0 : vector.nulls.byteLength;
  if (vector.kind === 'numeric') return vector.values.byteLength + nulls;
  let text = 0;
  if (!seen.has(vector.dictionary)) {
    seen.add(vector.dictionary);
    for (const s of vector.dictionary) text += 2 * s.length + 16;
  }
  return vector.codes.byteLength + nulls + text;
}

/** Bytes of a batch's buffers (dictionaries already in `seen` not counted again). */
export function batchBytes(batch: Batch, seen: WeakSet<object>): number {
  let total = 0;
  for (const column of batch.columns) total += vectorBytes(column, seen);
  return total;
}

/**
 * Buffers an operator's whole input as one batch (null when it has no rows), growing the
 * reservation as batches arrive so the memory limit trips while reading, not after. Returns the
 * bytes the input took, for the operator's own estimate of its working memory.
 */
export async function bufferInput(input: ExecutionPlan, types: readonly DataType[], context: ExecutionContext,
  reservation: MemoryReservation): Promise<{ batch: Batch; bytes: number } | null> {
  const batches: Batch[] = [];
  const seen = new WeakSet<object>();
  let bytes = 0;
  for await (const batch of input.execute(context)) {
    checkCancelled(context);
    if (batch.length === 0) continue;
    batches.push(batch);
    bytes += batchBytes(batch, seen);
    reservation.resize(bytes);
  }
  if (batches.length === 0) return null;
  return { batch: concatBatches(types, batches), bytes };
}
