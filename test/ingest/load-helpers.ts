/** Shared helpers of the ingest tests: temp directories, real tables in a LocalStore, reading rows back. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatDate, formatDecimal, formatTimestamp, LocalStore, Table,
  type DataType, type Field, type Schema, type Vector,
} from '../../storage/index.js';

/** A temporary directory removed by `remove()`. */
export class TempDir {
  private constructor(readonly path: string) {}

  /** Creates a fresh directory under the OS temp directory. */
  static async create(): Promise<TempDir> {
    return new TempDir(await mkdtemp(join(tmpdir(), 'strata-ingest-')));
  }

  /** Writes a file in the directory and returns its path. */
  async file(name: string, content: string | Uint8Array): Promise<string> {
    const path = join(this.path, name);
    await writeFile(path, content);
    return path;
  }

  /** Deletes the directory and everything in it. */
  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}

/** A schema from [name, type, nullable] triples (nullable by default). */
export function schema(...columns: [string, DataType, boolean?][]): Schema {
  return { fields: columns.map(([name, type, nullable]): Field => ({ name, type, nullable: nullable ?? true })) };
}

/** Creates table `name` in a LocalStore rooted at `<dir>/store`. */
export async function newTable(dir: TempDir, tableSchema: Schema, name = 't'): Promise<Table> {
  const store = await LocalStore.open(join(dir.path, 'store'));
  return Table.create(store, name, tableSchema);
}

function valueAt(vector: Vector, i: number): unknown {
  if (vector.nulls !== null && vector.nulls[i] === 1) return null;
  if (vector.kind === 'string') return vector.dictionary[vector.codes[i]];
  const value = Number(vector.values[i]);
  switch (vector.type.id) {
    case 'boolean': return value === 1;
    case 'date': return formatDate(value);
    case 'timestamp': return formatTimestamp(value);
    case 'decimal': return formatDecimal(value, vector.type.scale ?? 0);
    default: return value;
  }
}

/**
 * Every row of the table's latest snapshot, partitions in commit order, values readable:
 * dates, timestamps and decimals as text, booleans as true/false, NULL as null.
 */
export async function tableRows(table: Table): Promise<unknown[][]> {
  const snapshot = await table.snapshot();
  const columns = snapshot.schema.fields.map((_, i) => i);
  const rows: unknown[][] = [];
  for (const partition of snapshot.partitions) {
    for await (const batch of table.readPartition(partition, columns)) {
      for (let i = 0; i < batch.length; i++) rows.push(batch.columns.map((vector) => valueAt(vector, i)));
    }
  }
  return rows;
}

/** The StrataError a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ kind: string; code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { kind: string; code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected the promise to reject');
}
