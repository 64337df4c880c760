/**
 * A SpillArea that keeps runs in memory, for operator tests: a real implementation of the seam
 * (the service manager's writes files), counting live runs so tests can check each is released.
 */
import type { Batch, Schema } from '../../../storage/index.js';
import type { SpillArea, SpillRun } from '../../../query/physical/index.js';
import { batchBytes } from '../../../query/physical/execution-limits.js';

/** Runs held as arrays of batches. */
export class MemorySpillArea implements SpillArea {
  private readonly runs = new Map<SpillRun, Batch[]>();
  /** Runs written over the area's life. */
  written = 0;

  async writeRun(_schema: Schema, batches: Iterable<Batch> | AsyncIterable<Batch>): Promise<SpillRun> {
    const kept: Batch[] = [];
    let rows = 0;
    let bytes = 0;
    for await (const batch of batches) {
      kept.push(batch);
      rows += batch.length;
      bytes += batchBytes(batch, new WeakSet<object>());
    }
    const run: SpillRun = { rows, bytes };
    this.runs.set(run, kept);
    this.written++;
    return run;
  }

  async *readRun(run: SpillRun): AsyncIterable<Batch> {
    const batches = this.runs.get(run);
    if (batches === undefined) throw new Error('run read after release');
    yield* batches;
  }

  async release(run: SpillRun): Promise<void> {
    this.runs.delete(run);
  }

  /** Runs written and not yet released. */
  get live(): number {
    return this.runs.size;
  }
}
