/**
 * `strata table key --store S TABLE --columns a,b` (declare the record key: later loads drop
 * records whose key the table already holds) and `strata table key --store S TABLE --off`.
 * Rows already in the table are not de-duplicated; docs/ingest.md.
 */
import { recordKeyProperty } from '../ingest/index.js';
import { openStore, StrataError, Table } from '../storage/index.js';
import { usageError } from './usage.js';

/** Options of `strata table key`. */
export interface KeyCommandOptions {
  readonly store?: string;
  readonly table?: string;
  /** Comma-separated key columns. */
  readonly columns?: string;
  /** Remove the key. */
  readonly off?: boolean;
}

/** Declares (or, with off, removes) a table's record key in one commit of its properties. */
export async function setRecordKey(table: Table, columns: readonly string[] | null): Promise<number> {
  for (const name of columns ?? []) {
    if (!table.schema.fields.some((field) => field.name === name)) {
      throw new StrataError('input', 'RECORD_KEY_INVALID',
        `table ${table.name} has no column '${name}' for its record key; its columns are ${table.schema.fields.map((field) => field.name).join(', ')}`, { table: table.name });
    }
  }
  const base = await table.snapshot();
  return table.commit(base.version, { add: [], remove: [], info: { operation: 'key', columns } }, { properties: { [recordKeyProperty]: columns } });
}

/** Runs `strata table key`. */
export async function keyCommand(options: KeyCommandOptions): Promise<void> {
  if (options.store === undefined || options.table === undefined) throw usageError('strata table key needs --store S and a TABLE');
  if ((options.columns === undefined) === (options.off !== true)) throw usageError('strata table key takes --columns C1,C2 or --off');
  const columns = options.off === true ? null : options.columns!.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  if (columns !== null && columns.length === 0) throw usageError('--columns needs at least one column name');
  const store = await openStore(options.store);
  try {
    const table = await Table.open(store, options.table);
    const version = await setRecordKey(table, columns);
    process.stdout.write(columns === null ? `${table.name}: record key removed (version ${version})\n`
      : `${table.name}: record key (${columns.join(', ')}); loads drop records whose key the table already holds (version ${version})\n`);
  } finally {
    await store.close();
  }
}
