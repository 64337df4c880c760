/**
 * Compression bench (a script, not a test): bytes strata stores for TPC-H SF1 lineitem and for
 * generated machine logs, beside DuckDB's Parquet-zstd written in the same run and the raw text,
 * plus load time against DuckDB's CSV load, and bytes and query times before and after
 * compaction to the archive tier, each query beside DuckDB's time for it in the same run. Prints a
 * markdown report, writes it into docs/benchmarks.md between the `bench:compression` markers
 * (unless --no-doc) and to --out when given.
 *
 *   npm run build && node dist/bench/compression.js                  lineitem SF1 and 10 M log lines
 *   node dist/bench/compression.js --log-lines 1000000 --skip-lineitem --no-doc   (a quick look, docs untouched)
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Database } from '../service-manager/index.js';
import { archiveZstdLevelDefault, compactTable, LocalStore, Table, type Snapshot } from '../storage/index.js';
import { machine, median, writeBenchSection } from './bench-report.js';
import { logTableColumns, writeLog } from './log-generator.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const lineitemDefault = join(repoRoot, '..', 'shared', 'data', 'tpch', 'sf1', 'lineitem.tbl.zst');

const lineitemColumns = `l_orderkey INTEGER NOT NULL, l_partkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL,
  l_linenumber INTEGER NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL,
  l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag CHAR(1) NOT NULL, l_linestatus CHAR(1) NOT NULL,
  l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL, l_shipinstruct CHAR(25) NOT NULL,
  l_shipmode CHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL`;

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
  readonly queries: { name: string; freshMs: number; archiveMs: number; duckMs: number }[];
}

/** A query timed before and after compaction. */
interface Query {
  readonly name: string;
  readonly sql: string;
}

const tpchQueries = join(repoRoot, '..', 'shared', 'data', 'tpch', 'queries');
const lineitemQueries: Query[] = [
  { name: 'Q1', sql: readFileSync(join(tpchQueries, 'q1.sql'), 'utf8') },
  { name: 'Q6', sql: readFileSync(join(tpchQueries, 'q6.sql'), 'utf8') },
  { name: 'week range count', sql: "SELECT count(*) FROM lineitem WHERE l_shipdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-07'" },
  { name: 'distinct orders per ship mode', sql: 'SELECT l_shipmode, count(DISTINCT l_orderkey) FROM lineitem GROUP BY 1 ORDER BY 1' },
];
const logQueries: Query[] = [
  { name: 'errors per status', sql: 'SELECT status, count(*) FROM logs WHERE status >= 500 GROUP BY 1 ORDER BY 1' },
  { name: 'one hour, top paths', sql: "SELECT path, count(*) AS n FROM logs WHERE ts >= TIMESTAMP '2024-06-01 18:00:00' AND ts < TIMESTAMP '2024-06-01 19:00:00' GROUP BY 1 ORDER BY n DESC LIMIT 10" },
  { name: 'messages LIKE', sql: "SELECT count(*) FROM logs WHERE message LIKE '%timed out%'" },
];

async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function columnNames(columns: string): string[][] {
  return columns.split(/,(?![^()]*\))/).map((column) => column.trim().split(/\s+/));
}

/** What DuckDB did with the same data in the same run. */
interface DuckReference {
  readonly loadMs: number;
  readonly parquetBytes: number;
  readonly parquetColumns: Map<string, number>;
  /** Median ms of each query over DuckDB's own table, in the order given. */
  readonly queryMs: number[];
}

/**
 * DuckDB: CSV load time, the queries' times over its native table, then Parquet-zstd bytes in
 * total and per column. `extra`: the file has a trailing empty column.
 */
async function duckReference(connection: DuckDBConnection, table: string, columns: string, csv: string, csvOptions: string, work: string,
  queries: readonly Query[], extra = false): Promise<DuckReference> {
  await connection.run(`CREATE TABLE ${table} (${columns})`);
  const spec = columnNames(columns).map(([name, type]) => `'${name}': '${type}'`).join(', ') + (extra ? ", 'extra': 'VARCHAR'" : '');
  const select = extra ? '* EXCLUDE (extra)' : '*';
  const loadMs = await timeMs(() => connection.run(`INSERT INTO ${table} SELECT ${select} FROM read_csv('${csv}', ${csvOptions}, columns={${spec}})`));
  const queryMs = await medianTimes(queries, (sql) => connection.runAndReadAll(sql));
  const parquet = join(work, `${table}.parquet`);
  await connection.run(`COPY ${table} TO '${parquet}' (FORMAT parquet, COMPRESSION zstd)`);
  const reader = await connection.runAndReadAll(`SELECT path_in_schema, sum(total_compressed_size)::BIGINT FROM parquet_metadata('${parquet}') GROUP BY 1`);
  const parquetColumns = new Map(reader.getRows().map((row) => [String(row[0]), Number(row[1])]));
  await connection.run(`DROP TABLE ${table}`);
  return { loadMs, parquetBytes: statSync(parquet).size, parquetColumns, queryMs };
}

/** Warm runs per query; the median is reported (these machines are noisy). */
const runsPerQuery = 3;

/** Median milliseconds of each query run by `run`, after one warm-up run. */
async function medianTimes(queries: readonly Query[], run: (sql: string) => Promise<unknown>): Promise<number[]> {
  const medians: number[] = [];
  for (const query of queries) {
    await run(query.sql);
    const times: number[] = [];
    for (let i = 0; i < runsPerQuery; i++) times.push(await timeMs(() => run(query.sql)));
    medians.push(median(times));
  }
  return medians;
}

/** Median milliseconds of each query through strata. */
function timeQueries(database: Database, queries: readonly Query[]): Promise<number[]> {
  return medianTimes(queries, (sql) => database.sql(sql));
}

function columnsOfSnapshot(snapshot: Snapshot, index: number): { bytes: number; plainBytes: number; encoding: string } {
  return {
    bytes: snapshot.partitions.reduce((sum, meta) => sum + meta.columns[index].bytes, 0),
    plainBytes: snapshot.partitions.reduce((sum, meta) => sum + (meta.columns[index].plainBytes ?? 0), 0),
    encoding: [...new Set(snapshot.partitions.map((meta) => meta.columns[index].encoding ?? 'plain'))].join(', '),
  };
}

/** strata: load time, bytes, per-column bytes and encodings, query times; then compaction to the archive tier and the same again. */
async function strataMeasure(work: string, table: string, columns: string, csv: string, ingestOptions: Record<string, unknown>, queries: readonly Query[]):
  Promise<Pick<Measured, 'rows' | 'strataLoadMs' | 'strataBytes' | 'archiveBytes' | 'archiveMs' | 'columns'> & { queries: { name: string; freshMs: number; archiveMs: number }[] }> {
  const storeDirectory = join(work, `store-${table}`);
  const database = await Database.open(storeDirectory);
  await database.sql(`CREATE TABLE ${table} (${columns})`);
  let rows = 0;
  const strataLoadMs = await timeMs(async () => { rows = (await database.ingest(table, [csv], ingestOptions)).rowsLoaded; });
  const store = await LocalStore.open(storeDirectory);
  const target = await Table.open(store, table);
  const fresh = await target.snapshot();
  const freshTimes = await timeQueries(database, queries);
  process.stderr.write(`compacting ${table} (zstd ${archiveZstdLevelDefault})…\n`);
  const archiveMs = await timeMs(() => compactTable(target));
  const archived = await target.snapshot();
  const archiveTimes = await timeQueries(database, queries);
  await database.close();
  await store.close();
  const perColumn = columnNames(columns).map(([name], i) => {
    const before = columnsOfSnapshot(fresh, i);
    return { name, ...before, archiveBytes: columnsOfSnapshot(archived, i).bytes };
  });
  const bytesOf = (snapshot: Snapshot): number => snapshot.partitions.reduce((sum, meta) => sum + meta.bytes, 0);
  rmSync(storeDirectory, { recursive: true, force: true });
  return {
    rows, strataLoadMs, strataBytes: bytesOf(fresh), archiveBytes: bytesOf(archived), archiveMs, columns: perColumn,
    queries: queries.map((query, i) => ({ name: query.name, freshMs: freshTimes[i], archiveMs: archiveTimes[i] })),
  };
}

async function measureLineitem(connection: DuckDBConnection, source: string, work: string): Promise<Measured> {
  const text = join(work, 'lineitem.tbl');
  process.stderr.write(`decompressing ${source}…\n`);
  execFileSync('zstd', ['-d', '-q', '--long=27', source, '-o', text]);
  // The .tbl lines end with a '|', which DuckDB reads as one more, empty column.
  const duck = await duckReference(connection, 'lineitem', lineitemColumns, text, "delim='|', header=false", work, lineitemQueries, true);
  process.stderr.write('loading lineitem into strata…\n');
  const strata = await strataMeasure(work, 'lineitem', lineitemColumns, text, { delimiter: '|', header: false }, lineitemQueries);
  const textBytes = statSync(text).size;
  rmSync(text);
  return { name: 'TPC-H SF1 lineitem', textBytes, parquetBytes: duck.parquetBytes, parquetColumns: duck.parquetColumns, duckLoadMs: duck.loadMs, ...withDuckTimes(strata, duck) };
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
  const duck = await duckReference(connection, 'logs', logTableColumns, csv, "delim=',', header=true, quote='\"'", work, logQueries);
  process.stderr.write('loading logs into strata…\n');
  const strata = await strataMeasure(work, 'logs', logTableColumns, csv, { delimiter: ',', header: true }, logQueries);
  const textBytes = statSync(csv).size;
  rmSync(csv);
  return { name: `${lines.toLocaleString('en-US')} generated access-log lines (seed ${seed})`, textBytes, parquetBytes: duck.parquetBytes, parquetColumns: duck.parquetColumns, duckLoadMs: duck.loadMs, ...withDuckTimes(strata, duck) };
}

/** strata's measures with DuckDB's time for each query set beside strata's. */
function withDuckTimes<T extends { queries: { name: string; freshMs: number; archiveMs: number }[] }>(strata: T, duck: DuckReference): T & { queries: Measured['queries'] } {
  return { ...strata, queries: strata.queries.map((query, i) => ({ ...query, duckMs: duck.queryMs[i] })) };
}

function bytes(value: number): string {
  return value.toLocaleString('en-US');
}

function ratio(value: number, reference: number): string {
  return (value / reference).toFixed(2);
}

/** One data set's tables: bytes and load beside the references, queries beside DuckDB, bytes per column. */
function dataSetReport(result: Measured): string[] {
  return [`### ${result.name}`, '', '| measure | strata | reference | ratio |', '| --- | ---: | ---: | ---: |',
    `| bytes, fresh vs DuckDB Parquet-zstd | ${bytes(result.strataBytes)} | ${bytes(result.parquetBytes)} | ${(result.strataBytes / result.parquetBytes).toFixed(3)} |`,
    `| bytes, after compaction vs DuckDB Parquet-zstd | ${bytes(result.archiveBytes)} | ${bytes(result.parquetBytes)} | ${(result.archiveBytes / result.parquetBytes).toFixed(3)} |`,
    `| raw text / strata bytes (fresh, after compaction) | ${(result.textBytes / result.strataBytes).toFixed(1)}x, ${(result.textBytes / result.archiveBytes).toFixed(1)}x | ${bytes(result.textBytes)} bytes of text | |`,
    `| load ${bytes(result.rows)} rows, s, vs DuckDB CSV load | ${(result.strataLoadMs / 1000).toFixed(1)} | ${(result.duckLoadMs / 1000).toFixed(1)} | ${ratio(result.strataLoadMs, result.duckLoadMs)} |`,
    `| compaction to the archive tier, s | ${(result.archiveMs / 1000).toFixed(1)} | | |`, '',
    `Queries, ms (median of ${runsPerQuery} warm runs); DuckDB over its own native table loaded from the same text; ratio = strata / DuckDB.`, '',
    '| query | strata fresh | strata after compaction | DuckDB | fresh / DuckDB | after compaction / DuckDB |', '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...result.queries.map((query) => `| ${query.name} | ${query.freshMs.toFixed(1)} | ${query.archiveMs.toFixed(1)} | ${query.duckMs.toFixed(1)} | ${ratio(query.freshMs, query.duckMs)} | ${ratio(query.archiveMs, query.duckMs)} |`), '',
    '| column | encoding (fresh) | strata fresh | strata after compaction | plain Arrow, uncompressed | Parquet-zstd |', '| --- | --- | ---: | ---: | ---: | ---: |',
    ...result.columns.map((column) => `| ${column.name} | ${column.encoding} | ${bytes(column.bytes)} | ${bytes(column.archiveBytes)} | ${bytes(column.plainBytes)} | ${bytes(result.parquetColumns.get(column.name) ?? 0)} |`), ''];
}

/** The markdown of the bench:compression section of docs/benchmarks.md. */
function report(results: readonly Measured[], command: string): string {
  const lines = ['## Compression: bytes, load and queries before and after compaction (issue 7)', '',
    `Run ${new Date().toISOString().slice(0, 10)} on ${machine()}, with \`${command}\` (DuckDB in the same process`,
    'with 2 threads; strata loads on worker threads and queries on one thread; the machine is shared with other jobs, so times are noisy). Fresh = as loaded;',
    `after compaction = the archive tier (\`compactTable\`, as \`strata compact\`: per-column encodings at zstd ${archiveZstdLevelDefault}).`, ''];
  for (const result of results) lines.push(...dataSetReport(result));
  lines.push(...goalsReport(results));
  return lines.join('\n');
}

/** Issue 7's goals against this run's figures: size vs Parquet-zstd on lineitem, vs raw text on logs, load time vs DuckDB. */
function goalsReport(results: readonly Measured[]): string[] {
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  const goals: string[] = [];
  const lineitem = results.find((result) => result.name.startsWith('TPC-H'));
  const logs = results.find((result) => result !== lineitem);
  if (lineitem !== undefined) {
    const ratioArchive = lineitem.archiveBytes / lineitem.parquetBytes;
    goals.push(`size ≤ 0.8x Parquet-zstd on lineitem: ${ratioArchive.toFixed(2)}x after compaction (${(lineitem.strataBytes / lineitem.parquetBytes).toFixed(2)}x fresh) — ${met(ratioArchive <= 0.8)}`);
  }
  if (logs !== undefined) {
    const smaller = logs.textBytes / logs.archiveBytes;
    goals.push(`≥ 20x smaller than raw text on machine logs: ${smaller.toFixed(1)}x after compaction (${(logs.textBytes / logs.strataBytes).toFixed(1)}x fresh) — ${met(smaller >= 20)}`);
  }
  const loads = results.map((result) => result.strataLoadMs / result.duckLoadMs);
  if (loads.length > 0) goals.push(`load ≤ 0.8x DuckDB's CSV load time: ${loads.map((value) => `${value.toFixed(2)}x`).join(', ')} — ${met(loads.every((value) => value <= 0.8))}`);
  return goals.length === 0 ? [] : ['Goals of issue 7, from this run:', '', ...goals.map((goal) => `- ${goal}`), ''];
}

/** The command line as the report shows it (without --out, whose path is this machine's). */
function commandLine(): string {
  const args = process.argv.slice(2);
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') i++;
    else if (!args[i].startsWith('--out=')) shown.push(args[i]);
  }
  return ['node dist/bench/compression.js', ...shown].join(' ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    lineitem: { type: 'string', default: lineitemDefault }, 'log-lines': { type: 'string', default: '10000000' }, seed: { type: 'string', default: '1' },
    'skip-lineitem': { type: 'boolean', default: false }, 'skip-logs': { type: 'boolean', default: false }, out: { type: 'string' },
    'no-doc': { type: 'boolean', default: false },
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
  const text = report(results, commandLine());
  process.stdout.write(`${text}\n`);
  if (values.out !== undefined) writeFileSync(values.out, `${text}\n`);
  if (!values['no-doc']) writeBenchSection('compression', text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
