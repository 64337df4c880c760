/** Helpers of the storage tests: temporary stores, batches from plain values, values from vectors. */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  allocateValues, LocalStore, numericVector, stringVectorFromValues, StrataError,
  type Batch, type Schema, type Store, type StoreFileStatus, type Vector,
} from '../../storage/index.js';

/** A plain value of a row: numbers in in-memory units, strings, booleans as 0/1 numbers, or null. */
export type PlainValue = number | string | null;

/** A LocalStore in a fresh temporary directory. */
export async function temporaryStore(prefix: string): Promise<{ store: LocalStore; directory: string; cleanup: () => Promise<void> }> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), `strata-${prefix}-`));
  const store = await LocalStore.open(directory);
  return { store, directory, cleanup: () => fs.rm(directory, { recursive: true, force: true }) };
}

/** A batch of `schema` from one array of plain values per column. */
export function batchOf(schema: Schema, columns: readonly (readonly PlainValue[])[]): Batch {
  const vectors = schema.fields.map((field, index): Vector => {
    const values = columns[index];
    if (field.type.id === 'string') return stringVectorFromValues(field.type, values as (string | null)[]);
    const array = allocateValues(field.type, values.length) as Float64Array;
    let nulls: Uint8Array | null = null;
    values.forEach((value, row) => {
      if (value === null) {
        nulls ??= new Uint8Array(values.length);
        nulls[row] = 1;
      } else {
        array[row] = value as number;
      }
    });
    return numericVector(field.type, array, nulls);
  });
  return { length: columns[0]?.length ?? 0, columns: vectors };
}

/** Plain values of a vector, NULL rows as null. */
export function valuesOf(vector: Vector): PlainValue[] {
  const out: PlainValue[] = [];
  for (let i = 0; i < vector.length; i++) {
    if (vector.nulls !== null && vector.nulls[i] === 1) out.push(null);
    else if (vector.kind === 'string') out.push(vector.dictionary[vector.codes[i]]);
    else out.push(Number(vector.values[i]));
  }
  return out;
}

/** Every batch of an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Plain values per column of batches, concatenated over the batches. */
export function columnsOf(batches: readonly Batch[], columnCount: number): PlainValue[][] {
  return Array.from({ length: columnCount }, (_, column) => batches.flatMap((batch) => valuesOf(batch.columns[column])));
}

/** Asserts that `action` rejects with a StrataError of `code` and returns it. */
export async function rejection(action: Promise<unknown> | (() => Promise<unknown>), code: string): Promise<StrataError> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    if (error instanceof StrataError && error.code === code) return error;
    throw new Error(`expected StrataError ${code}, got ${error instanceof StrataError ? `${error.code}: ${error.message}` : String(error)}`);
  }
  throw new Error(`expected StrataError ${code}, but it resolved`);
}

/** A store that records every readRange and passes everything to the real store. */
export class RecordingStore implements Store {
  readonly ranges: { path: string; offset: number; length: number }[] = [];
  constructor(private readonly inner: Store) {}
  get url(): string { return this.inner.url; }
  /** Bytes returned by readRange since the last reset. */
  get bytesRead(): number { return this.ranges.reduce((sum, range) => sum + range.length, 0); }
  reset(): void { this.ranges.length = 0; }
  read(p: string): Promise<Uint8Array> { return this.inner.read(p); }
  async readRange(p: string, offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.inner.readRange(p, offset, length);
    this.ranges.push({ path: p, offset, length: bytes.length });
    return bytes;
  }
  stat(p: string): Promise<StoreFileStatus | null> { return this.inner.stat(p); }
  write(p: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> { return this.inner.write(p, data); }
  createIfAbsent(p: string, data: Uint8Array): Promise<boolean> { return this.inner.createIfAbsent(p, data); }
  rename(from: string, to: string): Promise<void> { return this.inner.rename(from, to); }
  list(directory: string): Promise<StoreFileStatus[]> { return this.inner.list(directory); }
  delete(p: string): Promise<void> { return this.inner.delete(p); }
  mkdirs(p: string): Promise<void> { return this.inner.mkdirs(p); }
  close(): Promise<void> { return this.inner.close(); }
}
