/**
 * The hash table of a join's build side. Build rows are grouped by key: each distinct key gets
 * a dense group id, and the rows of group g are rows[starts[g] … starts[g+1]) in build order.
 * Probing maps each probe row to its group (or -1) without inserting anything, so a probe
 * batch costs one lookup per row and key column, over typed arrays.
 *
 * Keys are compared as doubles: strings through an interner of the build side's strings (a
 * probe string the build side never had cannot match), NaN equal to NaN and -0 to 0 (as DuckDB
 * joins them). A NULL in any key column never matches. A single integer key whose values span a
 * small range is addressed directly (group = value - min): no hashing at all.
 */
import type { Vector } from '../../storage/index.js';

/**
 * Largest span of a direct-addressed integer key: relative to the build rows (a sparse key of a
 * filtered table, such as order keys, still qualifies), at least directSpanMin, and at most
 * directSpanMax slots (4 bytes each: 16 MiB), so a wide key range falls back to hashing.
 */
const directSpanPerRowMax = 16;
const directSpanMin = 1024;
const directSpanMax = 1 << 22;

const initialSlots = 1024;
/** Largest fraction of slots in use before the slot array doubles. */
const loadFactorMax = 0.5;

const flagValue = 0;
const flagNaN = 2;

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

/** Dense ids of (parent, key) pairs: insert while building, look up while probing. */
class KeyTable {
  size = 0;
  private parents = new Int32Array(256);
  private keys = new Float64Array(256);
  private flags = new Uint8Array(256);
  private slots = new Int32Array(initialSlots).fill(-1);
  private mask = initialSlots - 1;

  bytes(): number {
    return this.slots.byteLength + this.parents.byteLength + this.keys.byteLength + this.flags.byteLength;
  }

  /** The slot holding (parent, key, flag), or the empty slot where it would go. */
  private slotOf(parent: number, key: number, flag: number): number {
    let slot = hashOf(parent, key, flag) & this.mask;
    for (;;) {
      const id = this.slots[slot];
      if (id === -1 || (this.keys[id] === key && this.parents[id] === parent && this.flags[id] === flag)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  insert(parent: number, key: number, flag: number): number {
    const slot = this.slotOf(parent, key, flag);
    const found = this.slots[slot];
    if (found !== -1) return found;
    const id = this.size++;
    if (id >= this.keys.length) this.growEntries();
    this.parents[id] = parent;
    this.keys[id] = key;
    this.flags[id] = flag;
    this.slots[slot] = id;
    if (this.size > this.slots.length * loadFactorMax) this.growSlots();
    return id;
  }

  get(parent: number, key: number, flag: number): number {
    return this.slots[this.slotOf(parent, key, flag)];
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

/** Key values of one column as doubles with a NULL mask; `missing` rows (a probe string the build never had) cannot match. */
interface KeyDoubles {
  readonly values: Float64Array;
  readonly nulls: Uint8Array | null;
  readonly missing: Uint8Array | null;
}

function numericDoubles(vector: Vector, n: number): Float64Array {
  if (vector.kind === 'string') throw new Error('numericDoubles: string vector');
  const source = vector.values;
  if (source instanceof Float64Array) return source;
  const values = new Float64Array(n);
  if (source instanceof BigInt64Array) for (let i = 0; i < n; i++) values[i] = Number(source[i]);
  else for (let i = 0; i < n; i++) values[i] = source[i];
  return values;
}

/** Interns the build side's strings; probe strings are only looked up. */
class BuildStrings {
  private readonly ids = new Map<string, number>();
  bytes = 0;

  /** Ids of a build column's strings (every string inserted). */
  intern(vector: Vector, n: number): KeyDoubles {
    if (vector.kind !== 'string') throw new Error('BuildStrings.intern: numeric vector');
    const perEntry = new Float64Array(vector.dictionary.length);
    for (let d = 0; d < vector.dictionary.length; d++) {
      const text = vector.dictionary[d];
      let id = this.ids.get(text);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(text, id);
        this.bytes += 2 * text.length + 64;
      }
      perEntry[d] = id;
    }
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = perEntry[vector.codes[i]] ?? 0;
    return { values, nulls: vector.nulls, missing: null };
  }

  /** Ids of a probe column's strings; rows whose string the build side lacks are flagged missing. */
  lookup(vector: Vector, n: number): KeyDoubles {
    if (vector.kind !== 'string') throw new Error('BuildStrings.lookup: numeric vector');
    const { codes, dictionary, nulls } = vector;
    const values = new Float64Array(n);
    let missing: Uint8Array | null = null;
    const perEntry = new Float64Array(dictionary.length).fill(-1);
    const lookedUp = new Uint8Array(dictionary.length);
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const code = codes[i];
      if (lookedUp[code] === 0) {
        lookedUp[code] = 1;
        perEntry[code] = this.ids.get(dictionary[code]) ?? -1;
      }
      const id = perEntry[code];
      if (id < 0) {
        missing ??= new Uint8Array(n);
        missing[i] = 1;
      }
      values[i] = id;
    }
    return { values, nulls, missing };
  }
}

/** Direct addressing of a single integer key: group = value - min. */
interface DirectKey {
  readonly min: number;
  readonly span: number;
}

function directKeyOf(key: KeyDoubles, n: number): DirectKey | null {
  let min = Infinity;
  let max = -Infinity;
  const { values, nulls } = key;
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const v = values[i];
    if (!Number.isInteger(v)) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return null;
  const span = max - min + 1;
  return span <= Math.min(directSpanMax, Math.max(directSpanMin, n * directSpanPerRowMax)) ? { min, span } : null;
}

/** The build side of a hash join, grouped by key. */
export class JoinHashTable {
  /** Number of groups; group g holds rows[starts[g] … starts[g+1]). */
  readonly groupCount: number;
  readonly starts: Int32Array;
  readonly rows: Int32Array;
  /** True when some build row has a NULL key (NOT IN needs to know). */
  readonly hasNullKey: boolean;
  private readonly tables: KeyTable[];
  private readonly strings: BuildStrings[];
  private readonly direct: DirectKey | null;
  private readonly stringKeys: readonly boolean[];

  /** Builds over n rows of the key vectors (no keys: one group of every row, a cross join). */
  constructor(keys: readonly Vector[], n: number) {
    this.stringKeys = keys.map((k) => k.kind === 'string');
    this.strings = keys.map(() => new BuildStrings());
    this.tables = keys.map(() => new KeyTable());
    const columns = keys.map((k, c) => (k.kind === 'string' ? this.strings[c].intern(k, n) : { values: numericDoubles(k, n), nulls: k.nulls, missing: null }));
    this.direct = columns.length === 1 && !this.stringKeys[0] ? directKeyOf(columns[0], n) : null;
    const groupOfRow = new Int32Array(n);
    this.hasNullKey = this.assignBuildGroups(columns, n, groupOfRow);
    this.groupCount = columns.length === 0 ? (n > 0 ? 1 : 0) : this.direct !== null ? this.direct.span : this.tables[this.tables.length - 1].size;
    this.starts = new Int32Array(this.groupCount + 1);
    this.rows = new Int32Array(n);
    groupRows(groupOfRow, n, this.starts, this.rows);
  }

  /** Bytes of the table's arrays and interned strings. */
  bytes(): number {
    let total = this.starts.byteLength + this.rows.byteLength * 2;
    for (const table of this.tables) total += table.bytes();
    for (const strings of this.strings) total += strings.bytes;
    return total;
  }

  /** Group of each build row (-1 for a NULL key); returns whether any key was NULL. */
  private assignBuildGroups(columns: readonly KeyDoubles[], n: number, out: Int32Array): boolean {
    if (columns.length === 0) return false;
    let parents: Int32Array | null = null;
    let anyNull = false;
    if (this.direct !== null) {
      const { values, nulls } = columns[0];
      const min = this.direct.min;
      for (let i = 0; i < n; i++) {
        const isNull = nulls !== null && nulls[i] === 1;
        anyNull ||= isNull;
        out[i] = isNull ? -1 : values[i] - min;
      }
      return anyNull;
    }
    for (let k = 0; k < columns.length; k++) {
      const { values, nulls } = columns[k];
      const table = this.tables[k];
      const ids: Int32Array = k === columns.length - 1 ? out : new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const parent = parents === null ? 0 : parents[i];
        if (parent < 0 || (nulls !== null && nulls[i] === 1)) {
          anyNull ||= parent >= 0;
          ids[i] = -1;
          continue;
        }
        const v = values[i] + 0;
        ids[i] = v !== v ? table.insert(parent, 0, flagNaN) : table.insert(parent, v, flagValue);
      }
      parents = ids;
    }
    return anyNull;
  }

  /** Group of each of n probe rows (-1: NULL key, no such key, or an empty group); writes to `out`. */
  probe(keys: readonly Vector[], n: number, out: Int32Array): void {
    if (this.groupCount === 0) {
      out.fill(-1, 0, n);
      return;
    }
    if (keys.length === 0) {
      out.fill(this.groupCount > 0 ? 0 : -1, 0, n);
      return;
    }
    const columns = keys.map((k, c) => (this.stringKeys[c] ? this.strings[c].lookup(k, n) : { values: numericDoubles(k, n), nulls: k.nulls, missing: null }));
    if (this.direct !== null) {
      this.probeDirect(columns[0], n, out);
      return;
    }
    for (let k = 0; k < columns.length; k++) {
      const { values, nulls, missing } = columns[k];
      const table = this.tables[k];
      for (let i = 0; i < n; i++) {
        const parent = k === 0 ? 0 : out[i];
        if (parent < 0 || (nulls !== null && nulls[i] === 1) || (missing !== null && missing[i] === 1)) {
          out[i] = -1;
          continue;
        }
        const v = values[i] + 0;
        out[i] = v !== v ? table.get(parent, 0, flagNaN) : table.get(parent, v, flagValue);
      }
    }
  }

  private probeDirect(column: KeyDoubles, n: number, out: Int32Array): void {
    const { values, nulls } = column;
    const { min, span } = this.direct as DirectKey;
    const starts = this.starts;
    for (let i = 0; i < n; i++) {
      const g = values[i] - min;
      // Out of range, fractional, NaN or NULL: no group; an in-range value may still have no rows.
      const inRange = g >= 0 && g < span && Number.isInteger(g) && (nulls === null || nulls[i] === 0);
      out[i] = inRange && starts[g + 1] > starts[g] ? g : -1;
    }
  }
}

/** Counting sort of rows by group: starts[g] is where group g's rows begin in `rows`. */
function groupRows(groupOfRow: Int32Array, n: number, starts: Int32Array, rows: Int32Array): void {
  const groups = starts.length - 1;
  for (let i = 0; i < n; i++) {
    const g = groupOfRow[i];
    if (g >= 0) starts[g + 1]++;
  }
  for (let g = 0; g < groups; g++) starts[g + 1] += starts[g];
  const cursor = starts.slice(0, groups);
  for (let i = 0; i < n; i++) {
    const g = groupOfRow[i];
    if (g >= 0) rows[cursor[g]++] = i;
  }
}

/** Where pair generation stopped: the probe row and how many of its matches were already emitted. */
export interface PairCursor {
  row: number;
  offset: number;
}

/**
 * Writes (probe row, build row) pairs for probe rows from cursor.row on, at most `max` of them,
 * and advances the cursor; returns how many were written (0 once every row is done).
 */
export function fillPairs(
  table: JoinHashTable, groups: Int32Array, n: number, cursor: PairCursor,
  probeOut: Int32Array, buildOut: Int32Array, max: number,
): number {
  const { starts, rows } = table;
  let count = 0;
  let i = cursor.row;
  let offset = cursor.offset;
  while (i < n && count < max) {
    const g = groups[i];
    if (g < 0) { i++; continue; }
    const begin = starts[g] + offset;
    const end = starts[g + 1];
    const take = Math.min(end - begin, max - count);
    for (let r = 0; r < take; r++) {
      probeOut[count + r] = i;
      buildOut[count + r] = rows[begin + r];
    }
    count += take;
    if (begin + take < end) offset += take;
    else { i++; offset = 0; }
  }
  cursor.row = i;
  cursor.offset = offset;
  return count;
}
