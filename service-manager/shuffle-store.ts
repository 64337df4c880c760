/**
 * A node's in-memory buckets of running shuffle joins: the map side's output, one list of Arrow
 * IPC streams per (shuffle, side, bucket), held until the coordinator drops the shuffle (query
 * end: success, error or cancel) or, if the coordinator died, until the shuffle expires.
 * Everything is bounded: bytes, shuffles, and lifetime.
 */
import { StrataError } from '../storage/index.js';
import { shuffleBucketsMax } from '../query/index.js';

/** Bytes of bucket data a node holds for all shuffles together: beyond it the query fails (RESOURCES), the node keeps serving. */
export const shuffleBytesMaxDefault = 512 * 1024 * 1024;
/** Shuffles a node holds at once: each is one running join of some coordinator. */
export const shufflesMax = 64;
/** Lifetime of a shuffle nobody dropped (a coordinator that died): its buckets are freed after it. */
export const shuffleTtlMs = 10 * 60 * 1000;

/** What the node did for shuffles, for /internal/v1/shuffle/stats. */
export interface ShuffleCounters {
  /** Partitions this node mapped into buckets. */
  mapPartitions: number;
  /** Buckets this node joined (reduce runs completed). */
  reduceBuckets: number;
  /** Bucket fetches this node answered for reducers. */
  bucketsServed: number;
  /** Shuffles freed because nobody dropped them in time. */
  shufflesExpired: number;
  /** Shuffle rounds this node, as coordinator, ran again because a node failed. */
  roundsRetried: number;
}

interface StoredShuffle {
  /** [side][bucket] → IPC streams. */
  readonly buckets: Uint8Array[][][];
  bytes: number;
  readonly expiresMs: number;
}

/** The buckets of the shuffles this node took part in. */
export class ShuffleStore {
  readonly counters: ShuffleCounters = { mapPartitions: 0, reduceBuckets: 0, bucketsServed: 0, shufflesExpired: 0, roundsRetried: 0 };
  private readonly shuffles = new Map<string, StoredShuffle>();
  private bytes = 0;

  private readonly bytesMax: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  /** Limits default to shuffleBytesMaxDefault and shuffleTtlMs; `now` is the clock (tests pass their own). */
  constructor(options: { bytesMax?: number; ttlMs?: number; now?: () => number } = {}) {
    this.bytesMax = options.bytesMax ?? shuffleBytesMaxDefault;
    this.ttlMs = options.ttlMs ?? shuffleTtlMs;
    this.now = options.now ?? Date.now;
  }

  /** Bytes held now. */
  bytesHeld(): number {
    return this.bytes;
  }

  /** Adds one mapped partition's bucket data ([bucket] → IPC streams) to a shuffle's side. */
  put(shuffleId: string, side: number, buckets: number, parts: ReadonlyMap<number, Uint8Array[]>): void {
    this.expire();
    let bytes = 0;
    for (const list of parts.values()) for (const ipc of list) bytes += ipc.byteLength;
    if (this.bytes + bytes > this.bytesMax) {
      throw new StrataError('resources', 'SHUFFLE_MEMORY_EXCEEDED',
        `a shuffle join needs more than this node's ${this.bytesMax} bytes of shuffle buckets (shuffle ${shuffleId}); filter the join's inputs, or run fewer big joins at once`,
        { shuffle: shuffleId, bytesMax: this.bytesMax });
    }
    const shuffle = this.open(shuffleId, buckets);
    // Checked before anything is added: a bad order leaves the shuffle as it was.
    for (const bucket of parts.keys()) {
      if (bucket < 0 || bucket >= shuffle.buckets[0].length || side < 0 || side > 1) throw new StrataError('input', 'BAD_MESSAGE', `shuffle ${shuffleId}: no side ${side} bucket ${bucket}`);
    }
    for (const [bucket, list] of parts) shuffle.buckets[side][bucket].push(...list);
    shuffle.bytes += bytes;
    this.bytes += bytes;
  }

  /** A bucket's IPC streams (none when this node mapped no rows into it). */
  get(shuffleId: string, side: number, bucket: number): readonly Uint8Array[] {
    this.expire();
    return this.shuffles.get(shuffleId)?.buckets[side]?.[bucket] ?? [];
  }

  /** Frees a shuffle's buckets. */
  drop(shuffleId: string): void {
    const shuffle = this.shuffles.get(shuffleId);
    if (shuffle === undefined) return;
    this.bytes -= shuffle.bytes;
    this.shuffles.delete(shuffleId);
  }

  private open(shuffleId: string, buckets: number): StoredShuffle {
    const existing = this.shuffles.get(shuffleId);
    if (existing !== undefined) return existing;
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > shuffleBucketsMax) {
      throw new StrataError('input', 'BAD_MESSAGE', `shuffle ${shuffleId} asks for ${buckets} buckets; 1 to ${shuffleBucketsMax} are allowed`, { shuffle: shuffleId });
    }
    if (this.shuffles.size >= shufflesMax) {
      throw new StrataError('resources', 'SHUFFLE_MEMORY_EXCEEDED', `this node already holds ${shufflesMax} shuffles; retry when running joins finish`, { shuffle: shuffleId });
    }
    const shuffle: StoredShuffle = {
      buckets: [0, 1].map(() => Array.from({ length: buckets }, () => [] as Uint8Array[])), bytes: 0, expiresMs: this.now() + this.ttlMs,
    };
    this.shuffles.set(shuffleId, shuffle);
    return shuffle;
  }

  /** Frees the shuffles past their lifetime (checked on every use: no timer to leak). */
  private expire(): void {
    const now = this.now();
    for (const [id, shuffle] of this.shuffles) {
      if (shuffle.expiresMs > now) continue;
      this.drop(id);
      this.counters.shufflesExpired += 1;
    }
  }
}
