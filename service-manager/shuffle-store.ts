/**
 * A node's in-memory buckets of running shuffle joins: the map side's output, one list of Arrow
 * IPC streams per (shuffle, side, bucket), held until the coordinator drops the shuffle (query
 * end: success, error or cancel) or, if the coordinator died, until it sits idle past its
 * lifetime. A read of a shuffle no longer held fails (SHUFFLE_EXPIRED / SHUFFLE_NOT_FOUND) so the
 * coordinator reruns the round: answering "no rows" would silently lose the bucket. Everything is bounded: bytes, shuffles, and lifetime.
 */
import { StrataError } from '../storage/index.js';
import { shuffleBucketsMax } from '../query/index.js';

/** Bytes of bucket data a node holds for all shuffles together: beyond it the query fails (RESOURCES), the node keeps serving. */
export const shuffleBytesMaxDefault = 512 * 1024 * 1024;
/** Shuffles a node holds at once: each is one running join of some coordinator. */
export const shufflesMax = 64;
/** Idle lifetime of a shuffle nobody dropped (a coordinator that died): freed once unused this long; every use extends it. */
export const shuffleTtlMs = 10 * 60 * 1000;
/** Ids of expired or dropped shuffles remembered, so a late read fails clearly instead of reading nothing. */
export const shuffleTombstonesMax = 4096;
/** How long a tombstone is kept: longer than any reader of the shuffle can be late. */
export const shuffleTombstoneTtlMs = 60 * 60 * 1000;

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
  /** Extended on every use: a shuffle expires only when idle, never while a join still reads it. */
  expiresMs: number;
}

/** Why a shuffle's buckets are gone, and until when that is remembered. */
interface Tombstone {
  readonly reason: 'expired' | 'dropped';
  readonly untilMs: number;
}

/** The buckets of the shuffles this node took part in. */
export class ShuffleStore {
  readonly counters: ShuffleCounters = { mapPartitions: 0, reduceBuckets: 0, bucketsServed: 0, shufflesExpired: 0, roundsRetried: 0 };
  private readonly shuffles = new Map<string, StoredShuffle>();
  /** Insertion-ordered: the oldest tombstone is evicted first past shuffleTombstonesMax. */
  private readonly tombstones = new Map<string, Tombstone>();
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
    shuffle.expiresMs = this.now() + this.ttlMs;
    // Checked before anything is added: a bad order leaves the shuffle as it was.
    for (const bucket of parts.keys()) {
      if (bucket < 0 || bucket >= shuffle.buckets[0].length || side < 0 || side > 1) throw new StrataError('input', 'BAD_MESSAGE', `shuffle ${shuffleId}: no side ${side} bucket ${bucket}`);
    }
    for (const [bucket, list] of parts) shuffle.buckets[side][bucket].push(...list);
    shuffle.bytes += bytes;
    this.bytes += bytes;
  }

  /** Opens a shuffle before any data arrives (a map order starts), so readers find it even when it stays empty. */
  begin(shuffleId: string, buckets: number): void {
    this.expire();
    this.open(shuffleId, buckets).expiresMs = this.now() + this.ttlMs;
  }

  /**
   * A bucket's IPC streams (none when this node mapped no rows into it). A shuffle this node does
   * not hold fails (io, SHUFFLE_EXPIRED or SHUFFLE_NOT_FOUND): reading nothing would lose rows.
   */
  get(shuffleId: string, side: number, bucket: number): readonly Uint8Array[] {
    this.expire();
    const shuffle = this.shuffles.get(shuffleId);
    if (shuffle === undefined) throw this.missing(shuffleId);
    shuffle.expiresMs = this.now() + this.ttlMs;
    return shuffle.buckets[side]?.[bucket] ?? [];
  }

  /** Frees a shuffle's buckets; later reads of it fail with SHUFFLE_EXPIRED. */
  drop(shuffleId: string): void {
    this.remove(shuffleId, 'dropped');
  }

  private remove(shuffleId: string, reason: Tombstone['reason']): void {
    const shuffle = this.shuffles.get(shuffleId);
    if (shuffle === undefined) return;
    this.bytes -= shuffle.bytes;
    this.shuffles.delete(shuffleId);
    this.tombstones.delete(shuffleId);
    this.tombstones.set(shuffleId, { reason, untilMs: this.now() + shuffleTombstoneTtlMs });
    if (this.tombstones.size > shuffleTombstonesMax) this.tombstones.delete(this.tombstones.keys().next().value as string);
  }

  private missing(shuffleId: string): StrataError {
    const tombstone = this.tombstones.get(shuffleId);
    if (tombstone !== undefined) {
      return new StrataError('io', 'SHUFFLE_EXPIRED',
        `shuffle ${shuffleId} was ${tombstone.reason === 'expired' ? `idle longer than ${this.ttlMs} ms and freed` : 'dropped'} on this node; the join's coordinator must run the round again`,
        { shuffle: shuffleId, reason: tombstone.reason });
    }
    return new StrataError('io', 'SHUFFLE_NOT_FOUND',
      `this node holds no shuffle ${shuffleId} (never mapped here, or the node restarted); the join's coordinator must run the round again`,
      { shuffle: shuffleId });
  }

  private open(shuffleId: string, buckets: number): StoredShuffle {
    const existing = this.shuffles.get(shuffleId);
    if (existing !== undefined) return existing;
    // Ids are never reused: data for a freed shuffle is a late map of a round already over.
    if (this.tombstones.has(shuffleId)) throw this.missing(shuffleId);
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
      this.remove(id, 'expired');
      this.counters.shufflesExpired += 1;
    }
    // Oldest first: stop at the first tombstone still live.
    for (const [id, tombstone] of this.tombstones) {
      if (tombstone.untilMs > now) break;
      this.tombstones.delete(id);
    }
  }
}
