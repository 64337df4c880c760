/**
 * Compression bench (a script, not a test): bytes strata stores for TPC-H SF1 lineitem and for
 * generated machine logs, beside DuckDB's Parquet-zstd written in the same run and the raw text,
 * plus load time against DuckDB's CSV load and the size after re-encoding at the archive zstd
 * level. Prints a markdown report (and writes it to --out when given).
 *
 *   npm run build && node dist/bench/compression.js                  lineitem SF1 and 10 M log lines
 *   node dist/bench/compression.js --log-lines 1000000 --skip-lineitem
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Database } from '../service-manager/index.js';
import { LocalStore, Table, writePartition, type Batch, type PartitionMeta } from '../storage/index.js';
import { logTableColumns, writeLog } from './log-generator.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const lineitemDefault = join(repoRoot, '..', 'shared', 'data', 'tpch', 'sf1', 'lineitem.tbl.zst');

const lineitemColumns = `l_orderkey INTEGER NOT NULL, l_partkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL,
  l_linenumber INTEGER NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL,
  l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag CHAR(1) NOT NULL, l_linestatus CHAR(1) NOT NULL,
  l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL, l_shipinstruct CHAR(25) NOT NULL,
  l_shipmode CHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL`;

/** zstd level of the archive tier that compaction re-encodes partitions at. */
const archiveZstdLevel = 19;

/** One data set's outcome. */
interface Measured {
  readonly name: string;
  readonly rows: number;
  readonly textBytes: number;
  readonly parquetBytes: number;
  readonly parquetColumns: Map<string, number>;
  readonly duckLoadMs: number;
  readonly strataLoadMs: number;
  readonly strataBytes: number;
  readonly archiveBytes: number;
  readonly archiveMs: number;
  readonly columns: { name: string; bytes: number; archiveBytes: number; plainBytes: number; encoding: string }[];
}

async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function columnNames(columns: string): string[][] {
  return columns.split(/,(?![^()]*\))/).map((column) => column.trim().split(/\s+/));
}

/** DuckDB: CSV load time, then Parquet-zstd bytes in total and per column. `extra`: the file has a trailing empty column. */
async function duckReference(connection: DuckDBConnection, table: string, columns: string, csv: string, csvOptions: string, work: string, extra = false):
  Promise<{ loadMs: number; parquetBytes: number; parquetColumns: Map<string, number> }> {
  await connection.run(`CREATE TABLE ${table} (${columns})`);
  const spec = columnNames(columns).map(([name, type]) => `'${name}': '${type}'`).join(', ') + (extra ? ", 'extra': 'VARCHAR'" : '');
  const select = extra ? '* EXCLUDE (extra)' : '*';
  const loadMs = await timeMs(() => connection.run(`INSERT INTO ${table} SELECT ${select} FROM read_csv('${csv}', ${csvOptions}, columns={${spec}})`));
  const parquet = join(work, `${table}.parquet`);
  await connection.run(`COPY ${table} TO '${parquet}' (FORMAT parquet, COMPRESSION zstd)`);
  const reader = await connection.runAndReadAll(`SELECT path_in_schema, sum(total_compressed_size)::BIGINT FROM parquet_metadata('${parquet}') GROUP BY 1`);
  const parquetColumns = new Map(reader.getRows().map((row) => [String(row[0]), Number(row[1])]));
  await connection.run(`DROP TABLE ${table}`);
  return { loadMs, parquetBytes: statSync(parquet).size, parquetColumns };
}

/** Reads every column of a partition (all of it decoded) for re-encoding. */
async function readAll(table: Table, meta: PartitionMeta): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const batch of table.readPartition(meta, table.schema.fields.map((_, i) => i))) batches.push(batch);
  return batches;
}

/** Re-encodes every partition at the archive level (what compaction does to cold data); bytes and time. */
async function archiveTier(storeDirectory: string, tableName: string): Promise<{ bytes: number; ms: number; columns: number[] }> {
  const store = await LocalStore.open(storeDirectory);
  const table = await Table.open(store, tableName);
  const snapshot = await table.snapshot();
  let bytes = 0;
  let ms = 0;
  const columns = table.schema.fields.map(() => 0);
  for (const meta of snapshot.partitions) {
    const batches = await readAll(table, meta);
    const start = performance.now();
    const archived = await writePartition(store, `archive/${meta.id}.arrow`, table.schema, batches, { zstdLevel: archiveZstdLevel });
    ms += performance.now() - start;
    bytes += archived.bytes;
    archived.columns.forEach((column, i) => { columns[i] += column.bytes; });
  }
  await store.close();
  return { bytes, ms, columns };
}

function directoryBytes(path: string): number {
  let total = 0;
  for (const name of readdirSync(path)) {
    const status = statSync(join(path, name));
    total += status.isDirectory() ? directoryBytes(join(path, name)) : status.size;
  }
  return total;
}

/** strata: load time, bytes, per-column bytes and encodings, then the archive tier. */
async function strataMeasure(work: string, table: string, columns: string, csv: string, ingestOptions: Record<string, unknown>):
  Promise<Pick<Measured, 'rows' | 'strataLoadMs' | 'strataBytes' | 'archiveBytes' | 'archiveMs' | 'columns'>> {
  const storeDirectory = join(work, `store-${table}`);
  const database = await Database.open(storeDirectory);
  await database.sql(`CREATE TABLE ${table} (${columns})`);
  let rows = 0;
  const strataLoadMs = await timeMs(async () => { rows = (await database.ingest(table, [csv], ingestOptions)).rowsLoaded; });
  await database.close();
  const strataBytes = directoryBytes(join(storeDirectory, 'tables', table, 'data'));
  const store = await LocalStore.open(storeDirectory);
  const snapshot = await (await Table.open(store, table)).snapshot();
  await store.close();
  const archive = await archiveTier(storeDirectory, table);
  const perColumn = columnNames(columns).map(([name], i) => ({
    name,
    bytes: snapshot.partitions.reduce((sum, meta) => sum + meta.columns[i].bytes, 0),
    archiveBytes: archive.columns[i],
    plainBytes: snapshot.partitions.reduce((sum, meta) => sum + (meta.columns[i].plainBytes ?? 0), 0),
    encoding: [...new Set(snapshot.partitions.map((meta) => meta.columns[i].encoding ?? 'plain'))].join(', '),
  }));
  rmSync(storeDirectory, { recursive: true, force: true });
  return { rows, strataLoadMs, strataBytes, archiveBytes: archive.bytes, archiveMs: archive.ms, columns: perColumn };
}

async function measureLineitem(connection: DuckDBConnection, source: string, work: string): Promise<Measured> {
  const text = join(work, 'lineitem.tbl');
  process.stderr.write(`decompressing ${source}…\n`);
  execFileSync('zstd', ['-d', '-q', '--long=27', source, '-o', text]);
  // The .tbl lines end with a '|', which DuckDB reads as one more, empty column.
  const duck = await duckReference(connection, 'lineitem', lineitemColumns, text, "delim='|', header=false", work, true);
  process.stderr.write('loading lineitem into strata…\n');
  const strata = await strataMeasure(work, 'lineitem', lineitemColumns, text, { delimiter: '|', header: false });
  const textBytes = statSync(text).size;
  rmSync(text);
  return { name: 'TPC-H SF1 lineitem', textBytes, parquetBytes: duck.parquetBytes, parquetColumns: duck.parquetColumns, duckLoadMs: duck.loadMs, ...strata };
}

async function measureLogs(connection: DuckDBConnection, lines: number, seed: number, work: string): Promise<Measured> {
  const csv = join(work, 'access.csv');
  process.stderr.write(`generating ${lines.toLocaleString('en-US')} log lines…\n`);
  const fd = openSync(csv, 'w');
  try {
    writeLog(fd, { lines, seed });
  } finally {
    closeSync(fd);
  }
  const duck = await duckReference(connection, 'logs', logTableColumns, csv, "delim=',', header=true, quote='\"'", work);
  process.stderr.write('loading logs into strata…\n');
  const strata = await strataMeasure(work, 'logs', logTableColumns, csv, { delimiter: ',', header: true });
  const textBytes = statSync(csv).size;
  rmSync(csv);
  return { name: `${lines.toLocaleString('en-US')} generated access-log lines (seed ${seed})`, textBytes, parquetBytes: duck.parquetBytes, parquetColumns: duck.parquetColumns, duckLoadMs: duck.loadMs, ...strata };
}

function bytes(value: number): string {
  return value.toLocaleString('en-US');
}

function report(results: readonly Measured[]): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [`## Compression`, '', `Run ${new Date().toISOString().slice(0, 10)} on ${cpu}, ${cpus().length} vCPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version};`,
    'DuckDB with 2 threads, strata single-threaded. Fresh = as loaded (zstd 3); archive = every partition re-encoded at zstd ' + `${archiveZstdLevel}.`, ''];
  for (const result of results) {
    lines.push(`### ${result.name}`, '', '| measure | strata | reference | ratio |', '| --- | ---: | ---: | ---: |',
      `| bytes, fresh vs DuckDB Parquet-zstd | ${bytes(result.strataBytes)} | ${bytes(result.parquetBytes)} | ${(result.strataBytes / result.parquetBytes).toFixed(3)} |`,
      `| bytes, archive vs DuckDB Parquet-zstd | ${bytes(result.archiveBytes)} | ${bytes(result.parquetBytes)} | ${(result.archiveBytes / result.parquetBytes).toFixed(3)} |`,
      `| raw text / strata bytes (fresh, archive) | ${(result.textBytes / result.strataBytes).toFixed(1)}x, ${(result.textBytes / result.archiveBytes).toFixed(1)}x | ${bytes(result.textBytes)} bytes of text | |`,
      `| load ${bytes(result.rows)} rows, s, vs DuckDB CSV load | ${(result.strataLoadMs / 1000).toFixed(1)} | ${(result.duckLoadMs / 1000).toFixed(1)} | ${(result.strataLoadMs / result.duckLoadMs).toFixed(2)} |`,
      `| re-encode at archive level, s | ${(result.archiveMs / 1000).toFixed(1)} | | |`, '',
      '| column | encoding (fresh) | strata fresh | strata archive | plain Arrow, uncompressed | Parquet-zstd |', '| --- | --- | ---: | ---: | ---: | ---: |',
      ...result.columns.map((column) => `| ${column.name} | ${column.encoding} | ${bytes(column.bytes)} | ${bytes(column.archiveBytes)} | ${bytes(column.plainBytes)} | ${bytes(result.parquetColumns.get(column.name) ?? 0)} |`), '');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    lineitem: { type: 'string', default: lineitemDefault }, 'log-lines': { type: 'string', default: '10000000' }, seed: { type: 'string', default: '1' },
    'skip-lineitem': { type: 'boolean', default: false }, 'skip-logs': { type: 'boolean', default: false }, out: { type: 'string' },
  } });
  const work = mkdtempSync(join(tmpdir(), 'strata-compression-'));
  const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await duck.connect();
  const results: Measured[] = [];
  try {
    if (!values['skip-lineitem']) {
      if (!existsSync(values.lineitem!)) throw new Error(`no ${values.lineitem}: pass --lineitem or --skip-lineitem`);
      results.push(await measureLineitem(connection, values.lineitem!, work));
    }
    if (!values['skip-logs']) results.push(await measureLogs(connection, Number(values['log-lines']), Number(values.seed), work));
  } finally {
    connection.closeSync();
    rmSync(work, { recursive: true, force: true });
  }
  const text = report(results);
  process.stdout.write(`${text}\n`);
  if (values.out !== undefined) writeFileSync(values.out, `${text}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
