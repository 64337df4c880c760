/**
 * Record keys for record-level de-duplication: a table may declare key columns (the table
 * property `recordKey`), and a loaded record whose key the table already holds is dropped. Each
 * partition gets a Bloom filter of its key hashes, stored beside the table's data under
 * `<table>/keys/<partition id>.bloom`, so a load reads only the key columns of partitions whose
 * filter says a key may be there; the filters, not the keys, are what a load keeps in memory.
 */
import { keyFilterPath, type Batch, type Store, type Vector } from '../storage/index.js';

/** Table property naming the key columns (an array of column names). */
export const recordKeyProperty = 'recordKey';

/**
 * Filter bits per key: 16 bits and 11 hash functions give ~0.05 % false positives, so a load of a
 * few thousand new keys usually passes a partition's filter without reading the partition (at
 * 1 %, a thousand keys would hit nearly every filter).
 */
const bloomBitsPerKey = 16;
const bloomHashes = 11;
/** Bytes of the filter file header: bit count and hash count, both uint32 little-endian. */
const bloomHeaderBytes = 8;

/** The canonical text of row `row`'s key: values joined by U+0001, NULL as U+0000 (no value text contains either alone). */
export function keyText(batch: Batch, keyColumns: readonly number[], row: number): string {
  let text = '';
  for (let k = 0; k < keyColumns.length; k++) {
    if (k > 0) text += '\u0001';
    text += valueText(batch.columns[keyColumns[k]], row);
  }
  return text;
}

function valueText(vector: Vector, row: number): string {
  if (vector.nulls !== null && vector.nulls[row] === 1) return '\u0000';
  if (vector.kind === 'string') return vector.dictionary[vector.codes[row]];
  return String(vector.values[row]);
}

/** FNV-1a over the UTF-16 code units of `text`, from `seed`. */
function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The first hash of a key text (the Bloom filter's base bit). */
export function keyHash1(key: string): number {
  return fnv1a(key, 0x811c9dc5);
}

/** The second hash of a key text (the Bloom filter's stride; odd, so strides never collapse). */
export function keyHash2(key: string): number {
  return (fnv1a(key, 0x9747b28c) | 1) >>> 0;
}

/** A Bloom filter of key texts (double hashing: bit i = h1 + i·h2). */
export class KeyFilter {
  private constructor(private readonly bits: Uint8Array, private readonly bitCount: number, private readonly hashes: number) {}

  /** An empty filter sized for `keys` keys. */
  static forKeys(keys: number): KeyFilter {
    const bitCount = Math.max(64, Math.ceil(keys * bloomBitsPerKey / 8) * 8);
    return new KeyFilter(new Uint8Array(bitCount / 8), bitCount, bloomHashes);
  }

  /** Reads a filter file's bytes. */
  static decode(bytes: Uint8Array): KeyFilter | null {
    if (bytes.length < bloomHeaderBytes) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bitCount = view.getUint32(0, true);
    const hashes = view.getUint32(4, true);
    if (bitCount === 0 || bitCount % 8 !== 0 || bytes.length !== bloomHeaderBytes + bitCount / 8 || hashes === 0 || hashes > 32) return null;
    return new KeyFilter(bytes.subarray(bloomHeaderBytes), bitCount, hashes);
  }

  /** The filter file's bytes. */
  encode(): Uint8Array {
    const bytes = new Uint8Array(bloomHeaderBytes + this.bits.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, this.bitCount, true);
    view.setUint32(4, this.hashes, true);
    bytes.set(this.bits, bloomHeaderBytes);
    return bytes;
  }

  /** Adds a key. */
  add(key: string): void {
    const h1 = keyHash1(key);
    const h2 = keyHash2(key);
    for (let i = 0; i < this.hashes; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.bitCount;
      this.bits[bit >>> 3] |= 1 << (bit & 7);
    }
  }

  /** False when the key is certainly absent; true when it may be present. */
  mayContain(key: string): boolean {
    return this.mayContainHashes(keyHash1(key), keyHash2(key));
  }

  /** mayContain for a key whose keyHash1/keyHash2 were computed once for checking many filters. */
  mayContainHashes(h1: number, h2: number): boolean {
    for (let i = 0; i < this.hashes; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.bitCount;
      if ((this.bits[bit >>> 3] & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }
}

/** Store path of a partition's key filter (the rule lives in storage/, which backups need). */
export { keyFilterPath };

/** Reads a partition's key filter; null when it has none (written before the key was declared, or by compaction). */
export async function readKeyFilter(store: Store, tableDirectory: string, partitionId: string): Promise<KeyFilter | null> {
  const path = keyFilterPath(tableDirectory, partitionId);
  if ((await store.stat(path)) === null) return null;
  return KeyFilter.decode(await store.read(path));
}

/**
 * Deletes the key filters of partitions no longer in the table (compacted or purged away) once
 * they are older than `retainMs`: loads only check the latest version, and the age spares the
 * filter of a partition a running load has written but not yet committed.
 */
export async function removeStaleKeyFilters(store: Store, tableDirectory: string, liveIds: ReadonlySet<string>, retainMs: number): Promise<number> {
  const cutoffMs = Date.now() - retainMs;
  let removed = 0;
  for (const file of await store.list(`${tableDirectory}/keys`)) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (file.isDirectory || !name.endsWith('.bloom') || liveIds.has(name.slice(0, -'.bloom'.length)) || file.modifiedMs > cutoffMs) continue;
    await store.delete(`${tableDirectory}/keys/${name}`);
    removed++;
  }
  return removed;
}
