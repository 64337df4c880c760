/**
 * Bucket of each row for a shuffle join: a hash of the join key values, the same on every node
 * and for both sides. Numbers hash by value (as a float64, so INTEGER 5 and BIGINT 5 agree;
 * decimals by their scaled value, which is why DistributePlan shuffles only keys of one scale),
 * strings by their text, never by dictionary codes, which differ from batch to batch.
 */
import type { Batch, NumericVector, StringVector, Vector } from '../../storage/index.js';
import type { Expr } from '../plan/expr.js';
import { evaluateExpr, takeBatch } from '../exec/index.js';
import type { FragmentOutput } from './fragment-executor.js';
import type { ShuffleMapOutput } from './shuffle-task.js';

/** Largest bucket count a shuffle may use: buckets are kept per node, per side, in memory. */
export const shuffleBucketsMax = 1024;

const seed = 0x9747b28c;
/** What a NULL key contributes: NULL keys never match, so any fixed bucket is right. */
const nullHash = 0x5bd1e995;

/** murmur3's 32-bit finalizer: spreads every input bit over the output. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** FNV-1a over the UTF-16 code units of a string. */
function textHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

function combineNumeric(hashes: Int32Array, vector: NumericVector): void {
  const { values, nulls, length } = vector;
  for (let i = 0; i < length; i++) {
    let key: number;
    if (nulls !== null && nulls[i] === 1) key = nullHash;
    else {
      const value = Number(values[i]);
      // -0 and 0 are equal keys: one bit pattern for both.
      scratch[0] = value === 0 ? 0 : value;
      key = mix(scratchWords[0] ^ Math.imul(scratchWords[1], 0x27d4eb2d));
    }
    hashes[i] = mix(Math.imul(hashes[i] ^ key, 0x9e3779b1));
  }
}

function combineString(hashes: Int32Array, vector: StringVector): void {
  const { codes, dictionary, nulls, length } = vector;
  // One hash per dictionary entry: a dictionary-encoded column hashes each distinct text once.
  const entryHashes = new Int32Array(dictionary.length);
  for (let d = 0; d < dictionary.length; d++) entryHashes[d] = textHash(dictionary[d]);
  for (let i = 0; i < length; i++) {
    const key = nulls !== null && nulls[i] === 1 ? nullHash : entryHashes[codes[i]];
    hashes[i] = mix(Math.imul(hashes[i] ^ key, 0x9e3779b1));
  }
}

/** The bucket (0 … buckets-1) of each row of `batch`, from the key expressions over its columns. */
export function bucketsOfRows(batch: Batch, keys: readonly Expr[], buckets: number): Int32Array {
  const hashes = new Int32Array(batch.length).fill(seed);
  for (const key of keys) {
    const vector: Vector = evaluateExpr(key, batch);
    if (vector.kind === 'string') combineString(hashes, vector);
    else combineNumeric(hashes, vector);
  }
  for (let i = 0; i < hashes.length; i++) hashes[i] = (hashes[i] >>> 0) % buckets;
  return hashes;
}

/** Splits a batch by bucket: entry b holds the rows of bucket b, or null when it has none. */
export function splitByBucket(batch: Batch, keys: readonly Expr[], buckets: number): (Batch | null)[] {
  const bucketOf = bucketsOfRows(batch, keys, buckets);
  const counts = new Int32Array(buckets);
  for (let i = 0; i < bucketOf.length; i++) counts[bucketOf[i]] += 1;
  const indices = Array.from(counts, (count) => (count === 0 ? null : new Int32Array(count)));
  const filled = new Int32Array(buckets);
  for (let i = 0; i < bucketOf.length; i++) {
    const bucket = bucketOf[i];
    indices[bucket]![filled[bucket]++] = i;
  }
  return indices.map((rows, bucket) => (rows === null ? null : counts[bucket] === batch.length ? batch : takeBatch(batch, rows, counts[bucket])));
}

/**
 * A worker's map side: the fragment's output (partition by partition) split into buckets by key.
 * Partition boundaries pass through, so a coordinator keeps only the partitions that completed.
 */
export async function* shuffleMapOutputs(outputs: AsyncIterable<FragmentOutput>, keys: readonly Expr[], buckets: number): AsyncIterable<ShuffleMapOutput> {
  for await (const output of outputs) {
    if (output.type === 'done') {
      yield { type: 'done', partition: output.partition, counts: output.counts };
      continue;
    }
    const parts = splitByBucket(output.batch, keys, buckets);
    for (let bucket = 0; bucket < parts.length; bucket++) {
      const batch = parts[bucket];
      if (batch !== null) yield { type: 'batch', partition: output.partition, bucket, batch };
    }
  }
}
