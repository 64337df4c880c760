/** Helpers of the encoding tests: a seeded random source and writing/reading one partition with requested encodings. */
import {
  loadPartitionLayout, readPartition, writePartition,
  type ColumnEncoding, type LocalStore, type PartitionMeta, type Schema,
} from '../../storage/index.js';
import { batchOf, collect, columnsOf, type PlainValue } from './storage-fixtures.js';

/** A seeded pseudo-random source in [0, 1) (mulberry32), so failures reproduce. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What one encoded round trip gives back. */
export interface EncodedRoundTrip {
  readonly meta: PartitionMeta;
  readonly read: PlainValue[][];
  /** The encoding each column got (undefined: plain Arrow). */
  readonly encodings: (ColumnEncoding | undefined)[];
}

let written = 0;

/** Writes `columns` of `schema` with `requests` (column name → encoding name) and reads every column back. */
export async function encodedRoundTrip(store: LocalStore, schema: Schema, columns: readonly PlainValue[][],
  requests: Record<string, string>, batchRowsMax = 1000): Promise<EncodedRoundTrip> {
  const meta = await writePartition(store, `encoded-${written++}.arrow`, schema, [batchOf(schema, columns)], { batchRowsMax, encodingRequests: requests });
  const read = columnsOf(await collect(readPartition(store, meta, schema, schema.fields.map((_, i) => i))), schema.fields.length);
  const layout = await loadPartitionLayout(store, meta);
  return { meta, read, encodings: layout.columns.map((column) => column.encoding) };
}
