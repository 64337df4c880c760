/**
 * A node's share of a load spread over a cluster: parse the given parts (whole files or byte
 * ranges), write their partitions, and hand them to the target's commit, which for a worker is a
 * RecordingTarget: the coordinator commits the partitions of all nodes at once.
 */
import type { Batch, CommitActions, PartitionMeta, Snapshot } from '../storage/index.js';
import { fileSize } from './byte-source.js';
import { badOptionError } from './ingest-errors.js';
import { Load, type IngestPart } from './ingest-load.js';
import { deduplicatorFor } from './record-dedup.js';
import { loadSettings, type FreshPartitionOptions, type IngestOptions, type IngestSummary, type IngestTarget } from './ingest-options.js';

/**
 * Loads `parts` through `target` in one target.commit call, without load de-duplication (the
 * caller planned which files to load). The summary's `files` are the parts' files.
 */
export async function ingestParts(target: IngestTarget, parts: readonly IngestPart[], options: IngestOptions = {}): Promise<IngestSummary> {
  const startedMs = performance.now();
  const files = [...new Set(parts.map((part) => part.file))];
  const settings = loadSettings(files, options);
  let bytesTotal = 0;
  for (const part of parts) bytesTotal += part.range === undefined ? await fileSize(part.file) : checkedRange(part);
  const snapshot = await target.snapshot();
  const load = new Load(target, snapshot, settings, options, parts, bytesTotal, await deduplicatorFor(target, snapshot, options.signal));
  await load.run();
  return load.summary(files, [], (performance.now() - startedMs) / 1000);
}

function checkedRange(part: IngestPart): number {
  const { start, end } = part.range!;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) {
    throw badOptionError('range', `${part.file}: a byte range needs whole numbers 0 <= start < end, got [${start}, ${end})`);
  }
  return end - start;
}

/**
 * An IngestTarget that writes partitions through another target but only records the commit:
 * a worker's load leaves its partitions invisible and returns them to the coordinator.
 */
export class RecordingTarget implements IngestTarget {
  /** The actions of the load's commit, once it ran. */
  actions: CommitActions | null = null;

  /** `pinned` is the snapshot the coordinator planned against (its schema is the load's). */
  constructor(
    private readonly writer: { writePartition(batches: Batch[], options?: FreshPartitionOptions): Promise<PartitionMeta> },
    private readonly pinned: Snapshot,
  ) {}

  snapshot(): Promise<Snapshot> {
    return Promise.resolve(this.pinned);
  }

  writePartition(batches: Batch[], options?: FreshPartitionOptions): Promise<PartitionMeta> {
    return this.writer.writePartition(batches, options);
  }

  commit(baseVersion: number, actions: CommitActions): Promise<number> {
    this.actions = actions;
    return Promise.resolve(baseVersion);
  }
}
