/**
 * Drops loaded records whose key the table already holds or an earlier record of the same load
 * had (record-key.ts). Per partition to be written: the keys of its rows are checked against
 * each existing partition's Bloom filter; only partitions whose filter may hold one of them (or
 * that have no filter) have their key columns read, one at a time, to confirm. Each written
 * partition then gets its own filter.
 */
import {
  StrataError, stringVector, utf8StringVector, type Batch, type NumericVector, type PartitionMeta, type Snapshot, type Store, type Vector,
} from '../storage/index.js';
import { KeyFilter, keyFilterPath, keyHash1, keyHash2, keyText, readKeyFilter, recordKeyProperty } from './record-key.js';

/** What de-duplication needs of the table beyond IngestTarget (storage's Table provides it). */
export interface KeyedTarget {
  readonly store: Store;
  readonly directory: string;
  properties(): Promise<Readonly<Record<string, unknown>>>;
  readPartition(meta: PartitionMeta, columns: readonly number[], signal?: AbortSignal): AsyncIterable<Batch>;
}

/** The key columns (schema indexes) a table declares, or null when it declares none. */
export function recordKeyColumns(snapshot: Snapshot, properties: Readonly<Record<string, unknown>>): number[] | null {
  const names = properties[recordKeyProperty];
  if (!Array.isArray(names) || names.length === 0) return null;
  return names.map((name) => {
    const index = snapshot.schema.fields.findIndex((field) => field.name === name);
    if (index < 0) {
      throw new StrataError('input', 'RECORD_KEY_INVALID', `table ${snapshot.table} declares record key column '${String(name)}', which it does not have; ` +
        `declare the key again with 'strata table key'`, { table: snapshot.table });
    }
    return index;
  });
}

/** The de-duplicator of a load into `target`, or null when the table declares no key (or the target cannot read its partitions). */
export async function deduplicatorFor(target: object, snapshot: Snapshot, signal?: AbortSignal): Promise<RecordDeduplicator | null> {
  const keyed = target as Partial<KeyedTarget>;
  if (typeof keyed.properties !== 'function' || typeof keyed.readPartition !== 'function' || keyed.store === undefined || keyed.directory === undefined) return null;
  const keyColumns = recordKeyColumns(snapshot, await keyed.properties());
  return keyColumns === null ? null : new RecordDeduplicator(keyed as KeyedTarget, snapshot, keyColumns, signal);
}

/** De-duplication state of one load. */
export class RecordDeduplicator {
  /** Keys this load has kept so far: a load's own duplicates never need the store. */
  private readonly loadKeys = new Set<string>();
  private readonly filters = new Map<string, KeyFilter | null>();
  /** Records dropped as duplicates. */
  dropped = 0;

  constructor(private readonly target: KeyedTarget, private readonly snapshot: Snapshot, private readonly keyColumns: readonly number[],
    private readonly signal?: AbortSignal) {}

  /** The batches without duplicate records, and the keys of the rows kept (for the partition's filter). */
  async filter(batches: readonly Batch[]): Promise<{ batches: Batch[]; keys: string[] }> {
    const keys = batches.map((batch) => {
      const batchKeys = new Array<string>(batch.length);
      for (let row = 0; row < batch.length; row++) batchKeys[row] = keyText(batch, this.keyColumns, row);
      return batchKeys;
    });
    const drop = batches.map((batch) => new Uint8Array(batch.length));
    for (let b = 0; b < batches.length; b++) {
      for (let row = 0; row < batches[b].length; row++) {
        if (this.loadKeys.has(keys[b][row])) drop[b][row] = 1;
        else this.loadKeys.add(keys[b][row]);
      }
    }
    // Hashed once, checked against every partition's filter.
    const hashes = keys.map((batchKeys) => [Uint32Array.from(batchKeys, keyHash1), Uint32Array.from(batchKeys, keyHash2)] as const);
    const pending: PendingRows = { batches, keys, hashes, drop };
    for (const meta of this.snapshot.partitions) await this.dropExisting(meta, pending);
    const kept: Batch[] = [];
    const keptKeys: string[] = [];
    for (let b = 0; b < batches.length; b++) {
      const before = keptKeys.length;
      for (let row = 0; row < batches[b].length; row++) if (drop[b][row] === 0) keptKeys.push(keys[b][row]);
      this.dropped += batches[b].length - (keptKeys.length - before);
      if (keptKeys.length - before === batches[b].length) kept.push(batches[b]);
      else if (keptKeys.length > before) kept.push(keepRows(batches[b], drop[b], keptKeys.length - before));
    }
    return { batches: kept, keys: keptKeys };
  }

  /** Marks the rows whose key partition `meta` holds; reads its keys only when its filter may hold one. */
  private async dropExisting(meta: PartitionMeta, pending: PendingRows): Promise<void> {
    const { keys, drop } = pending;
    const filter = await this.filterOf(meta);
    if (!mayHoldAny(meta, this.keyColumns, filter, pending)) return;
    const existing = new Set<string>();
    for await (const batch of this.target.readPartition(meta, this.keyColumns, this.signal)) {
      const columns = this.keyColumns.map((_, i) => i);
      for (let row = 0; row < batch.length; row++) existing.add(keyText(batch, columns, row));
    }
    // A partition met without a filter gets one, so the next load skips reading it; a failure here only costs speed.
    if (filter === null) await this.writeFilter(meta.id, [...existing]).catch(() => undefined);
    for (let b = 0; b < keys.length; b++) {
      for (let row = 0; row < keys[b].length; row++) if (existing.has(keys[b][row])) drop[b][row] = 1;
    }
  }

  private async filterOf(meta: PartitionMeta): Promise<KeyFilter | null> {
    if (!this.filters.has(meta.id)) this.filters.set(meta.id, await readKeyFilter(this.target.store, this.target.directory, meta.id));
    return this.filters.get(meta.id)!;
  }

  /** Writes the key filter of a partition (a new one, or an old one met without a filter). */
  async writeFilter(partitionId: string, keys: readonly string[]): Promise<void> {
    const filter = KeyFilter.forKeys(keys.length);
    for (const key of keys) filter.add(key);
    await this.target.store.write(keyFilterPath(this.target.directory, partitionId), filter.encode());
    this.filters.set(partitionId, filter);
  }
}

/** The rows of a partition about to be written, with their keys, key hashes and drop flags. */
interface PendingRows {
  readonly batches: readonly Batch[];
  readonly keys: readonly string[][];
  readonly hashes: readonly (readonly [Uint32Array, Uint32Array])[];
  readonly drop: readonly Uint8Array[];
}

/**
 * True when partition `meta` may hold the key of a row not dropped yet: the row's value lies
 * within the partition's min/max on every numeric key column (keys that grow with time, such as
 * ids and timestamps, skip old partitions this way), and the partition's filter (if any) may hold it.
 */
function mayHoldAny(meta: PartitionMeta, keyColumns: readonly number[], filter: KeyFilter | null, pending: PendingRows): boolean {
  for (let b = 0; b < pending.batches.length; b++) {
    const dropped = pending.drop[b];
    const candidate = new Uint8Array(dropped.length);
    for (let row = 0; row < dropped.length; row++) candidate[row] = 1 - dropped[row];
    for (const column of keyColumns) outsideZone(pending.batches[b].columns[column], meta, column, candidate);
    const [h1, h2] = pending.hashes[b];
    for (let row = 0; row < candidate.length; row++) {
      if (candidate[row] === 1 && (filter === null || filter.mayContainHashes(h1[row], h2[row]))) return true;
    }
  }
  return false;
}

/** Clears the candidate flag of rows whose value of a numeric key column the partition's min/max (and NULL count) rule out. */
function outsideZone(vector: Vector, meta: PartitionMeta, column: number, candidate: Uint8Array): void {
  const stats = meta.columns[column];
  if (vector.kind !== 'numeric' || vector.type.id === 'float64' || vector.type.id === 'boolean') return;
  const hasValues = typeof stats.min === 'number' && typeof stats.max === 'number';
  if (!hasValues && stats.min !== null) return;
  const min = hasValues ? stats.min as number : Infinity;
  const max = hasValues ? stats.max as number : -Infinity;
  const values = vector.values;
  const nulls = vector.nulls;
  for (let row = 0; row < candidate.length; row++) {
    if (nulls !== null && nulls[row] === 1) {
      if (stats.nullCount === 0) candidate[row] = 0;
      continue;
    }
    const value = Number(values[row]);
    if (value < min || value > max) candidate[row] = 0;
  }
}

/** A batch of the rows whose `drop` flag is 0 (`kept` of them). */
function keepRows(batch: Batch, drop: Uint8Array, kept: number): Batch {
  return { length: kept, columns: batch.columns.map((vector) => keepVectorRows(vector, drop, kept)) };
}

function keepVectorRows(vector: Vector, drop: Uint8Array, kept: number): Vector {
  const nulls = vector.nulls === null ? null : new Uint8Array(kept);
  if (vector.kind === 'string') {
    const codes = new Int32Array(kept);
    for (let row = 0, out = 0; row < vector.length; row++) {
      if (drop[row] !== 0) continue;
      codes[out] = vector.codes[row];
      if (nulls !== null) nulls[out] = vector.nulls![row];
      out++;
    }
    // Built anew rather than spread: a spread would decode a UTF-8 dictionary through its getter.
    return vector.utf8 === undefined ? stringVector(vector.type, codes, vector.dictionary, nulls) : utf8StringVector(vector.type, codes, vector.utf8, nulls);
  }
  const source = vector.values;
  const values = new (source.constructor as new (length: number) => typeof source)(kept);
  for (let row = 0, out = 0; row < vector.length; row++) {
    if (drop[row] !== 0) continue;
    values[out] = source[row];
    if (nulls !== null) nulls[out] = vector.nulls![row];
    out++;
  }
  return { ...vector, length: kept, values, nulls } satisfies NumericVector;
}
