/** Helpers of the backup, scrub and replication tests: small tables, loads, and fingerprints of a table version. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { loadPartitionLayout, sha256Checksum, Table, Types, type PartitionMeta, type Schema, type Store } from '../../storage/index.js';
import { batchOf, collect, columnsOf } from './storage-fixtures.js';

/** Schema of the test tables: an id and a low-cardinality tag (dictionary-encoded on disk). */
export const eventSchema: Schema = { fields: [
  { name: 'id', type: Types.int64, nullable: false },
  { name: 'tag', type: Types.string, nullable: true },
] };

/** Commits one partition holding `ids` (tag = 'tag<id mod 3>') on top of the latest version; returns the new version. */
export async function load(table: Table, ids: readonly number[]): Promise<number> {
  const meta = await table.writePartition([batchOf(eventSchema, [ids, ids.map((id) => `tag${id % 3}`)])]);
  const snapshot = await table.snapshot();
  return table.commit(snapshot.version, { add: [meta], remove: [], info: { operation: 'load', rows: ids.length } });
}

/** Replaces every partition of the table by one holding the same rows (a compaction): one commit. */
export async function compact(table: Table): Promise<number> {
  const snapshot = await table.snapshot();
  const rows = await rowsOf(table, snapshot.version);
  const meta = await table.writePartition([batchOf(eventSchema, [rows.map((row) => row[0]), rows.map((row) => row[1])])]);
  return table.commit(snapshot.version, { add: [meta], remove: snapshot.partitions.map((p) => p.id), info: { operation: 'compact' } });
}

/** Ids from `from` (inclusive), `count` of them. */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Every row [id, tag] of a version, sorted by id: the result of SELECT * ORDER BY id through storage reads. */
export async function rowsOf(table: Table, version?: number): Promise<[number, string][]> {
  const snapshot = await table.snapshot(version);
  const rows: [number, string][] = [];
  for (const meta of snapshot.partitions) {
    const [ids, tags] = columnsOf(await collect(table.readPartition(meta, [0, 1])), 2);
    for (let i = 0; i < ids.length; i++) rows.push([ids[i] as number, tags[i] as string]);
  }
  return rows.sort((a, b) => a[0] - b[0]);
}

/** What must be equal between a table version and its restored copy: rows, log bytes, partition files. */
export interface TableFingerprint {
  readonly version: number;
  readonly rows: [number, string][];
  readonly log: string[];
  readonly partitions: string[];
}

/** The fingerprint of table `name` in `store` at `version` (latest by default). */
export async function fingerprint(store: Store, name: string, version?: number): Promise<TableFingerprint> {
  const table = await Table.open(store, name);
  const snapshot = await table.snapshot(version);
  const log: string[] = [];
  for (let v = 0; v <= snapshot.version; v++) log.push(sha256Checksum(await store.read(table.logEntryPath(v))));
  const partitions: string[] = [];
  for (const meta of snapshot.partitions) {
    const checksum = sha256Checksum(await store.read(`${table.directory}/${meta.path}`));
    partitions.push(`${meta.path} ${checksum} ${meta.checksum}`);
  }
  return { version: snapshot.version, rows: await rowsOf(table, snapshot.version), log, partitions: partitions.sort() };
}

/** Flips one bit of a file (by default in the middle), as a failing disk would. */
export async function flipByte(file: string, offset?: number): Promise<void> {
  const bytes = await fs.readFile(file);
  bytes[offset ?? Math.floor(bytes.length / 2)] ^= 0x40;
  await fs.chmod(file, 0o644);
  await fs.writeFile(file, bytes);
}

/** Flips a bit inside the first column's data of a committed partition, where every read of that column notices it. */
export async function flipDataByte(root: string, table: Table, meta: PartitionMeta): Promise<void> {
  const storePath = `${table.directory}/${meta.path}`;
  const layout = await loadPartitionLayout(table.store, { ...meta, path: storePath });
  const batch = layout.batches[0];
  await flipByte(onDisk(root, storePath), batch.bodyOffset + batch.columnRanges[0].start + 9);
}

/** Absolute path of a store path in a LocalStore rooted at `root`. */
export function onDisk(root: string, storePath: string): string {
  return path.join(root, ...storePath.split('/'));
}
