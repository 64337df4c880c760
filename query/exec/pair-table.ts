/**
 * An open-addressing hash table that numbers distinct (parent id, key) pairs densely: 0, 1, 2 …
 * in order of first appearance. Chained once per GROUP BY key it turns a multi-column key into a
 * group id (the parent is the id of the key prefix); with the group id as parent it finds the
 * first occurrence of a value per group (count(DISTINCT x)). Keys are doubles with a flag for
 * NULL and NaN, so one table serves every type (strings are interned to numbers first).
 */

/** Flag of a key: an ordinary value, NULL, or NaN (NaN equals NaN in grouping, as in DuckDB). */
export const keyValue = 0;
/** Flag of a NULL key. */
export const keyNull = 1;
/** Flag of a NaN key. */
export const keyNaN = 2;

const initialSlots = 1024;
const initialEntries = 256;
/** Largest fraction of slots in use before the slot array doubles (keeps probe chains short). */
const loadFactorMax = 0.5;

// Hashing reads a double's two 32-bit halves through a shared buffer: no allocation per row.
const hashScratch = new Float64Array(1);
const hashWords = new Int32Array(hashScratch.buffer);

function hashOf(parent: number, key: number, flag: number): number {
  hashScratch[0] = key;
  let h = Math.imul(hashWords[0] ^ Math.imul(hashWords[1], 0x9e3779b1), 0x85ebca6b);
  h ^= Math.imul(parent + flag * 0x27d4eb2d, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

/** Dense numbering of (parent, key, flag) triples. */
export class PairTable {
  /** Number of distinct pairs seen; ids are 0 … size-1. */
  size = 0;
  private parents = new Int32Array(initialEntries);
  private keys = new Float64Array(initialEntries);
  private flags = new Uint8Array(initialEntries);
  private slots = new Int32Array(initialSlots).fill(-1);
  private mask = initialSlots - 1;

  /** Bytes the table holds. */
  bytes(): number {
    return this.slots.byteLength + this.parents.byteLength + this.keys.byteLength + this.flags.byteLength;
  }

  /** Parent of an id. */
  parentOf(id: number): number {
    return this.parents[id];
  }

  /** The id of one triple, inserting it when new. key must be 0 unless flag is keyValue. */
  find(parent: number, key: number, flag: number): number {
    let slot = hashOf(parent, key, flag) & this.mask;
    const slots = this.slots;
    for (;;) {
      const id = slots[slot];
      if (id === -1) return this.insert(slot, parent, key, flag);
      if (this.keys[id] === key && this.parents[id] === parent && this.flags[id] === flag) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The id of one triple, or -1 when it is absent (nothing is inserted). */
  lookup(parent: number, key: number, flag: number): number {
    let slot = hashOf(parent, key, flag) & this.mask;
    const slots = this.slots;
    for (;;) {
      const id = slots[slot];
      if (id === -1) return -1;
      if (this.keys[id] === key && this.parents[id] === parent && this.flags[id] === flag) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * Ids for n rows: out[i] = id of (parents?.[i] ?? 0, values[i]), NULL rows (nulls[i] = 1) keyed
   * as NULL, NaN as NaN, -0 as 0. When isNew is given, isNew[i] = 1 for a row that created its id.
   */
  mapRows(parents: Int32Array | null, values: ArrayLike<number>, nulls: Uint8Array | null, n: number, out: Int32Array, isNew: Uint8Array | null): void {
    for (let i = 0; i < n; i++) {
      let key = values[i] + 0;
      let flag = nulls === null ? keyValue : nulls[i];
      if (flag === keyNull) key = 0;
      else if (key !== key) { key = 0; flag = keyNaN; }
      const parent = parents === null ? 0 : parents[i];
      const before = this.size;
      const id = this.find(parent, key, flag);
      out[i] = id;
      if (isNew !== null) isNew[i] = id === before ? 1 : 0;
    }
  }

  private insert(slot: number, parent: number, key: number, flag: number): number {
    const id = this.size++;
    if (id >= this.keys.length) this.growEntries();
    this.parents[id] = parent;
    this.keys[id] = key;
    this.flags[id] = flag;
    this.slots[slot] = id;
    if (this.size > this.slots.length * loadFactorMax) this.growSlots();
    return id;
  }

  private growEntries(): void {
    const capacity = this.keys.length * 2;
    const parents = new Int32Array(capacity);
    parents.set(this.parents);
    const keys = new Float64Array(capacity);
    keys.set(this.keys);
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.parents = parents;
    this.keys = keys;
    this.flags = flags;
  }

  private growSlots(): void {
    const capacity = this.slots.length * 2;
    const slots = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = hashOf(this.parents[id], this.keys[id], this.flags[id]) & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
