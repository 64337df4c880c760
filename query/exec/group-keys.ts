/**
 * Assigns group ids to rows for GROUP BY and DISTINCT, column at a time.
 *
 * Each key column becomes doubles per row (strings interned to dense numbers, NULL and NaN
 * flagged); a chain of PairTables numbers the key prefixes, the last table's ids being group ids
 * in order of first appearance. When every key of a batch has a small domain (dictionary-encoded
 * strings, booleans), rows are first combined into a local code with integer arithmetic and only
 * each distinct combination goes through the hash tables: a GROUP BY on two low-cardinality
 * string columns costs two array reads per row.
 */
import {
  allocateValues, numericVector, stringVector,
  type DataType, type NumericVector, type StringVector, type Vector,
} from '../../storage/index.js';
import { keyNaN, keyNull, keyValue, PairTable } from './pair-table.js';
import { isWideDecimal } from './decimal.js';
import { sliceVector } from './vector-ops.js';

/** Largest number of local combinations for the small-domain path, relative to rows (fraction) and absolute. */
const localCombinationsPerRowMax = 0.25;
const localCombinationsMin = 64;

/** Interns strings as dense numbers, keeping the strings for output. */
export class StringInterner {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Approximate bytes of the interned strings (UTF-16 plus map entry overhead). */
  bytes = 0;

  /** The id of a string, inserting it when new. */
  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      this.ids.set(text, id);
      this.bytes += 2 * text.length + 64;
    }
    return id;
  }

  /** Ids of a string vector's rows as doubles, -1 for a string never interned (nothing is added). */
  knownIdsOf(vector: StringVector, n: number): Float64Array {
    const out = new Float64Array(n);
    const { codes, dictionary } = vector;
    const perEntry = new Float64Array(dictionary.length);
    for (let d = 0; d < dictionary.length; d++) perEntry[d] = this.ids.get(dictionary[d]) ?? -1;
    for (let i = 0; i < n; i++) out[i] = perEntry[codes[i]] ?? 0;
    return out;
  }

  /** Interned ids of a string vector's rows as doubles (rows under NULL are 0). */
  idsOf(vector: StringVector, n: number): Float64Array {
    const out = new Float64Array(n);
    const { codes, dictionary, nulls } = vector;
    if (dictionary.length <= 2 * n) {
      const perEntry = new Float64Array(dictionary.length);
      for (let d = 0; d < dictionary.length; d++) perEntry[d] = this.intern(dictionary[d]);
      for (let i = 0; i < n; i++) out[i] = perEntry[codes[i]] ?? 0;
    } else {
      for (let i = 0; i < n; i++) if (nulls === null || nulls[i] === 0) out[i] = this.intern(dictionary[codes[i]]);
    }
    return out;
  }
}

/** A key column of one batch as doubles plus its NULL mask. */
export interface KeyColumn {
  readonly values: Float64Array;
  readonly nulls: Uint8Array | null;
}

/** Numeric key values of a vector as doubles (strings through the interner). */
export function keyColumn(vector: Vector, interner: StringInterner | null, n: number): KeyColumn {
  if (vector.kind === 'string') return { values: (interner as StringInterner).idsOf(vector, n), nulls: vector.nulls };
  const source = vector.values;
  if (source instanceof Float64Array) return { values: source, nulls: vector.nulls };
  const values = new Float64Array(n);
  if (source instanceof BigInt64Array) for (let i = 0; i < n; i++) values[i] = Number(source[i]);
  else if (source instanceof Int32Array) for (let i = 0; i < n; i++) values[i] = source[i];
  else for (let i = 0; i < n; i++) values[i] = source[i];
  return { values, nulls: vector.nulls };
}

/** Local small-domain code of a key in one batch: code per row and the domain size (NULL is the last code). */
function localCodes(vector: Vector, n: number): { codes: Int32Array; domain: number } | null {
  if (vector.kind === 'string') {
    const d = vector.dictionary.length;
    if (vector.nulls === null && d <= n) return { codes: vector.codes, domain: Math.max(d, 1) };
    if (d > n) return null;
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) codes[i] = vector.nulls !== null && vector.nulls[i] === 1 ? d : vector.codes[i];
    return { codes, domain: d + 1 };
  }
  if (vector.type.id !== 'boolean') return null;
  const values = vector.values as Uint8Array;
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = vector.nulls !== null && vector.nulls[i] === 1 ? 2 : values[i];
  return { codes, domain: 3 };
}

/** ids[i] = groupOf[combined[i]] from `start` until a combination without a group; returns where it stopped. */
function mapKnownCombinations(combined: Int32Array, groupOf: Int32Array, ids: Int32Array, start: number, n: number): number {
  for (let i = start; i < n; i++) {
    const group = groupOf[combined[i]];
    if (group < 0) return i;
    ids[i] = group;
  }
  return n;
}

/** Growable per-group key values and NULL flags of one key column. */
class KeyStore {
  values = new Float64Array(256);
  flags = new Uint8Array(256);

  set(group: number, value: number, flag: number): void {
    if (group >= this.values.length) {
      const values = new Float64Array(this.values.length * 2);
      values.set(this.values);
      const flags = new Uint8Array(this.flags.length * 2);
      flags.set(this.flags);
      this.values = values;
      this.flags = flags;
    }
    this.values[group] = value;
    this.flags[group] = flag;
  }
}

/** Group numbering over one or more key columns of fixed types. */
export class GroupKeys {
  /** Number of groups so far; ids are 0 … groupCount-1 in order of first appearance. */
  groupCount = 0;
  private readonly tables: PairTable[];
  private readonly interners: (StringInterner | null)[];
  private readonly stores: KeyStore[];
  /** Reused per batch: group ids handed out by assign(), and the local combination codes. */
  private scratch = new Int32Array(0);
  private combined = new Int32Array(0);

  constructor(readonly types: readonly DataType[]) {
    this.tables = types.map(() => new PairTable());
    this.interners = types.map((t) => (t.id === 'string' ? new StringInterner() : null));
    this.stores = types.map(() => new KeyStore());
  }

  /** Bytes held by hash tables, interned strings and stored keys. */
  bytes(): number {
    let total = 0;
    for (let k = 0; k < this.types.length; k++) {
      total += this.tables[k].bytes() + (this.interners[k]?.bytes ?? 0) + this.stores[k].values.byteLength + this.stores[k].flags.byteLength;
    }
    return total;
  }

  /**
   * Group id of each of n rows of the key vectors; new groups are numbered as they appear. The
   * returned array is scratch space of this object, valid until the next call.
   */
  assign(keys: readonly Vector[], n: number): Int32Array {
    if (this.scratch.length < n) this.scratch = new Int32Array(Math.max(n, this.scratch.length * 2));
    const ids = this.scratch.subarray(0, n);
    if (n === 0) return ids;
    const local = keys.map((k) => localCodes(k, n));
    let combinations = 1;
    for (const l of local) combinations = l === null ? Infinity : combinations * l.domain;
    if (combinations <= Math.max(localCombinationsMin, n * localCombinationsPerRowMax)) {
      this.assignByLocalCodes(local as { codes: Int32Array; domain: number }[], combinations, keys, ids, n);
    } else {
      this.assignByChain(keys.map((k, c) => keyColumn(k, this.interners[c], n)), ids, n);
    }
    return ids;
  }

  private assignByLocalCodes(local: readonly { codes: Int32Array; domain: number }[], combinations: number, keys: readonly Vector[], ids: Int32Array, n: number): void {
    const combined = local.length === 1 ? local[0].codes : this.combineCodes(local, n);
    const groupOf = new Int32Array(combinations).fill(-1);
    let i = mapKnownCombinations(combined, groupOf, ids, 0, n);
    while (i < n) {
      // Only the first row of each combination reaches the hash tables.
      const row = i;
      groupOf[combined[i]] = this.resolveRow(keys.map((k, c) => keyColumn(sliceVector(k, row, row + 1), this.interners[c], 1)), 0);
      i = mapKnownCombinations(combined, groupOf, ids, i, n);
    }
  }

  /** Mixed-radix code of several small-domain keys per row. */
  private combineCodes(local: readonly { codes: Int32Array; domain: number }[], n: number): Int32Array {
    if (this.combined.length < n) this.combined = new Int32Array(Math.max(n, this.combined.length * 2));
    const combined = this.combined;
    const first = local[0].codes;
    for (let i = 0; i < n; i++) combined[i] = first[i];
    let stride = local[0].domain;
    for (let k = 1; k < local.length; k++) {
      const { codes, domain } = local[k];
      for (let i = 0; i < n; i++) combined[i] += codes[i] * stride;
      stride *= domain;
    }
    return combined;
  }

  /** The group of row i, through one lookup per key. */
  private resolveRow(columns: readonly KeyColumn[], i: number): number {
    let parent = 0;
    for (let k = 0; k < columns.length; k++) {
      const { values, nulls } = columns[k];
      let key = values[i] + 0;
      let flag = nulls === null ? keyValue : nulls[i];
      if (flag === keyNull) key = 0;
      else if (key !== key) { key = 0; flag = keyNaN; }
      parent = this.tables[k].find(parent, key, flag);
    }
    if (parent === this.groupCount) this.recordGroup(columns, i, parent);
    return parent;
  }

  private assignByChain(columns: readonly KeyColumn[], ids: Int32Array, n: number): void {
    const last = columns.length - 1;
    let parents: Int32Array | null = null;
    for (let k = 0; k < last; k++) {
      const out = new Int32Array(n);
      this.tables[k].mapRows(parents, columns[k].values, columns[k].nulls, n, out, null);
      parents = out;
    }
    const isNew = new Uint8Array(n);
    this.tables[last].mapRows(parents, columns[last].values, columns[last].nulls, n, ids, isNew);
    for (let i = 0; i < n; i++) if (isNew[i] === 1) this.recordGroup(columns, i, ids[i]);
  }

  private recordGroup(columns: readonly KeyColumn[], i: number, group: number): void {
    for (let k = 0; k < columns.length; k++) {
      const { values, nulls } = columns[k];
      const isNullKey = nulls !== null && nulls[i] === 1;
      this.stores[k].set(group, isNullKey ? 0 : values[i], isNullKey ? 1 : 0);
    }
    this.groupCount = group + 1;
  }

  /**
   * Group id of each of n rows whose keys already form a group, -1 for the others, into `out`;
   * adds nothing (a spilling aggregation sends the rows of new groups to disk).
   */
  lookup(keys: readonly Vector[], n: number, out: Int32Array): void {
    out.fill(0, 0, n);
    for (let k = 0; k < keys.length; k++) {
      const vector = keys[k];
      const isText = vector.kind === 'string';
      const values = isText ? (this.interners[k] as StringInterner).knownIdsOf(vector, n) : keyColumn(vector, null, n).values;
      const nulls = vector.nulls;
      const table = this.tables[k];
      for (let i = 0; i < n; i++) {
        if (out[i] < 0) continue;
        let key = values[i] + 0;
        let flag = nulls === null ? keyValue : nulls[i];
        if (flag === keyNull) key = 0;
        else if (isText && key < 0) { out[i] = -1; continue; }
        else if (key !== key) { key = 0; flag = keyNaN; }
        out[i] = table.lookup(out[i], key, flag);
      }
    }
  }

  /** Takes the next group id for the caller's own use (its keys read as NULL); no key maps to it. */
  reserveGroup(): number {
    // Group ids are the last table's ids: take one under a parent no row has (-1).
    const group = this.tables[this.tables.length - 1].find(-1, 0, keyNull);
    for (const store of this.stores) store.set(group, 0, 1);
    this.groupCount = group + 1;
    return group;
  }

  /** The key columns of all groups so far, in group id order. */
  keyVectors(): Vector[] {
    return this.types.map((type, k) => keyVector(type, this.stores[k], this.interners[k], this.groupCount));
  }
}

function keyVector(type: DataType, store: KeyStore, interner: StringInterner | null, count: number): Vector {
  let nulls: Uint8Array | null = null;
  for (let g = 0; g < count; g++) {
    if (store.flags[g] !== 1) continue;
    nulls ??= new Uint8Array(count);
    nulls[g] = 1;
  }
  if (type.id === 'string') {
    const codes = new Int32Array(count);
    for (let g = 0; g < count; g++) codes[g] = store.values[g];
    return stringVector(type, codes, (interner as StringInterner).strings, nulls);
  }
  if (isWideDecimal(type)) {
    const values = new BigInt64Array(count);
    for (let g = 0; g < count; g++) values[g] = BigInt(store.values[g]);
    return numericVector(type, values, nulls);
  }
  const values = allocateValues(type, count) as Float64Array;
  for (let g = 0; g < count; g++) values[g] = store.values[g];
  return numericVector(type, values, nulls) as NumericVector;
}
