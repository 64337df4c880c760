/**
 * `strata export --store S --table T --format arrow|csv --out FILE`: a table's rows at its latest
 * version in an open format, so no data is locked in strata's encodings. arrow writes one plain
 * Arrow IPC file (the fresh tier's format: standard types, dictionaries, zstd bodies); csv streams
 * a batch at a time, cells as the SQL result formatter writes them. Parquet needs a writer that is not
 * installed: it fails with EXPORT_FORMAT_UNSUPPORTED.
 */
import { open, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { cellText } from '../service-manager/index.js';
import { LocalStore, openStore, StrataError, Table, writePartition, type Batch, type Snapshot } from '../storage/index.js';
import { formatBytes } from './backup-command.js';
import { usageError } from './usage.js';

/** Formats `strata export` writes. */
const exportFormats = ['arrow', 'csv', 'parquet'] as const;

/** Options of `strata export`. */
export interface ExportCommandOptions {
  readonly store?: string;
  readonly table?: string;
  readonly format?: string;
  readonly out?: string;
}

/** Every row of a snapshot, partition after partition, decoded. */
async function* tableBatches(table: Table, snapshot: Snapshot): AsyncIterable<Batch> {
  const columns = snapshot.schema.fields.map((_, i) => i);
  for (const meta of snapshot.partitions) yield* table.readPartition(meta, columns);
}

/**
 * One CSV field (RFC 4180). NULL is an empty field and an empty string is `""`, so loading the
 * file back (empty unquoted field = NULL, strata's default) tells them apart.
 */
function csvField(text: string | null): string {
  if (text === null) return '';
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV lines of one batch, each ending in a newline. */
function csvLines(batch: Batch): string {
  let text = '';
  const cells = new Array<string>(batch.columns.length);
  for (let row = 0; row < batch.length; row++) {
    for (let column = 0; column < batch.columns.length; column++) cells[column] = csvField(cellText(batch.columns[column], row));
    text += `${cells.join(',')}\n`;
  }
  return text;
}

/** Writes the rows as CSV with a header line, a batch at a time; refuses to overwrite `out`. */
async function exportCsv(table: Table, snapshot: Snapshot, out: string): Promise<void> {
  const file = await open(out, 'wx');
  try {
    await file.write(`${snapshot.schema.fields.map((field) => csvField(field.name)).join(',')}\n`);
    for await (const batch of tableBatches(table, snapshot)) await file.write(csvLines(batch));
  } finally {
    await file.close();
  }
}

/** Writes the rows as one plain Arrow IPC file (held in memory while it is encoded, like a partition). */
async function exportArrow(table: Table, snapshot: Snapshot, out: string): Promise<void> {
  const local = await LocalStore.open(dirname(out));
  try {
    await writePartition(local, basename(out), snapshot.schema, tableBatches(table, snapshot), { encodings: 'plain' });
  } finally {
    await local.close();
  }
}

/** Runs `strata export`. */
export async function exportCommand(options: ExportCommandOptions): Promise<void> {
  if (options.store === undefined || options.table === undefined || options.out === undefined) {
    throw usageError('strata export needs --store S, --table T and --out FILE');
  }
  const format = options.format ?? 'arrow';
  if (!(exportFormats as readonly string[]).includes(format)) throw usageError(`strata export --format takes ${exportFormats.join(', ')}, not '${format}'`);
  if (format === 'parquet') {
    throw new StrataError('not_supported', 'EXPORT_FORMAT_UNSUPPORTED',
      'strata export cannot write Parquet yet (no Parquet writer is installed); export --format arrow (readable by pyarrow, DuckDB, Spark) or csv instead');
  }
  const out = resolve(options.out);
  const store = await openStore(options.store);
  try {
    const table = await Table.open(store, options.table);
    const snapshot = await table.snapshot();
    if (format === 'csv') await exportCsv(table, snapshot, out);
    else await exportArrow(table, snapshot, out);
    const rows = snapshot.partitions.reduce((sum, meta) => sum + meta.rows, 0);
    const { size } = await stat(out);
    process.stdout.write(`${table.name}: exported ${rows.toLocaleString('en-US')} rows (version ${snapshot.version}) as ${format} to ${out}, ${formatBytes(size)}\n`);
  } finally {
    await store.close();
  }
}
