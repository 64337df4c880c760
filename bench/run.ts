/**
 * `npm run bench`: TPC-H lineitem (SF1 by default) loaded and queried by strata and by DuckDB in
 * the same run, on the same machine; ratios are written to docs/benchmarks.md. Not a test.
 *
 *   npm run bench                 SF1 lineitem (../shared/data/tpch/sf1/lineitem.tbl.zst)
 *   npm run bench -- --scale sf0.1   the small file, for a quick look
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../service-manager/index.js';
import { machine, median, repoRoot, writeBenchSection } from './bench-report.js';

const tpch = join(repoRoot, '..', 'shared', 'data', 'tpch');
/** Warm runs per query; the median is reported (these machines are noisy). */
const runsPerQuery = 5;

const lineitemColumns = `l_orderkey INTEGER NOT NULL, l_partkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL,
  l_linenumber INTEGER NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL,
  l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag CHAR(1) NOT NULL, l_linestatus CHAR(1) NOT NULL,
  l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL, l_shipinstruct CHAR(25) NOT NULL,
  l_shipmode CHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL`;

const queries: { name: string; sql: string }[] = [
  { name: 'Q1', sql: readFileSync(join(tpch, 'queries', 'q1.sql'), 'utf8') },
  { name: 'Q6', sql: readFileSync(join(tpch, 'queries', 'q6.sql'), 'utf8') },
  { name: 'week range count', sql: "SELECT count(*) FROM lineitem WHERE l_shipdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-07'" },
  { name: 'distinct orders per ship mode', sql: 'SELECT l_shipmode, count(DISTINCT l_orderkey) FROM lineitem GROUP BY 1 ORDER BY 1' },
];


async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function directoryBytes(path: string): number {
  let total = 0;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    const status = statSync(child);
    total += status.isDirectory() ? directoryBytes(child) : status.size;
  }
  return total;
}


interface Row { what: string; strata: number; reference: number; unit: string; referenceName: string }

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'sf1' }, threads: { type: 'string', default: '2' } } });
  const scale = values.scale ?? 'sf1';
  const source = join(tpch, scale, 'lineitem.tbl.zst');
  if (!existsSync(source)) throw new Error(`no ${source}: the bench needs the TPC-H data beside the repository`);
  const work = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  const rows: Row[] = [];
  try {
    const text = join(work, 'lineitem.tbl');
    process.stderr.write(`decompressing ${source}…\n`);
    execFileSync('zstd', ['-d', '-q', '--long=27', source, '-o', text]);
    const textBytes = statSync(text).size;

    const duck = await DuckDBInstance.create(':memory:', { threads: values.threads ?? '2' });
    const connection = await duck.connect();
    await connection.run(`CREATE TABLE lineitem (${lineitemColumns})`);
    const columnSpec = lineitemColumns.split(/,(?![^()]*\))/).map((c) => c.trim().split(/\s+/)).map(([name, type]) => `'${name}': '${type}'`).join(', ');
    const duckLoadMs = await timeMs(() => connection.run(`INSERT INTO lineitem SELECT * EXCLUDE (extra) FROM read_csv('${text}', delim='|', header=false, columns={${columnSpec}, 'extra': 'VARCHAR'})`));
    const parquet = join(work, 'lineitem.parquet');
    await connection.run(`COPY lineitem TO '${parquet}' (FORMAT parquet, COMPRESSION zstd)`);
    const parquetBytes = statSync(parquet).size;

    const storeDirectory = join(work, 'store');
    const database = await Database.open(storeDirectory);
    await database.sql(`CREATE TABLE lineitem (${lineitemColumns})`);
    process.stderr.write('loading into strata…\n');
    const strataLoadMs = await timeMs(() => database.ingest('lineitem', [text], { delimiter: '|', header: false }));
    const strataBytes = directoryBytes(join(storeDirectory, 'tables', 'lineitem', 'data'));
    const lineCount = Number((await connection.runAndReadAll('SELECT count(*) FROM lineitem')).getRows()[0][0]);
    rows.push({ what: `load ${lineCount.toLocaleString('en-US')} rows (${(textBytes / 1e6).toFixed(0)} MB text), seconds`, strata: strataLoadMs / 1000, reference: duckLoadMs / 1000, unit: 's', referenceName: 'DuckDB CSV load' });
    rows.push({ what: 'load rows/s', strata: lineCount / (strataLoadMs / 1000), reference: lineCount / (duckLoadMs / 1000), unit: 'rows/s', referenceName: 'DuckDB' });
    rows.push({ what: 'bytes on disk', strata: strataBytes, reference: parquetBytes, unit: 'bytes', referenceName: 'DuckDB Parquet-zstd' });

    for (const query of queries) {
      await database.sql(query.sql);
      await connection.run(query.sql);
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < runsPerQuery; i++) {
        ours.push(await timeMs(() => database.sql(query.sql)));
        theirs.push(await timeMs(() => connection.runAndReadAll(query.sql)));
      }
      rows.push({ what: `${query.name}, ms (median of ${runsPerQuery}, warm)`, strata: median(ours), reference: median(theirs), unit: 'ms', referenceName: 'DuckDB native' });
    }
    await database.close();
    connection.closeSync();
    report(scale, rows, values.threads ?? '2');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function format(value: number, unit: string): string {
  if (unit === 'bytes') return value.toLocaleString('en-US');
  if (unit === 'rows/s') return Math.round(value).toLocaleString('en-US');
  return value.toFixed(unit === 's' ? 2 : 1);
}

function report(scale: string, rows: Row[], threads: string): void {
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    `## TPC-H ${scale} lineitem: load, size and single-table queries`,
    '',
    `Run ${date} on ${machine()}; DuckDB with ${threads} threads, strata in one process: loads on worker threads (2 here, the threads option), queries on one thread.`,
    'Ratio = strata / reference (lower is better, except rows/s where higher is better).',
    '',
    '| measure | strata | reference | reference figure | ratio |',
    '| --- | ---: | --- | ---: | ---: |',
    ...rows.map((row) => `| ${row.what} | ${format(row.strata, row.unit)} | ${row.referenceName} | ${format(row.reference, row.unit)} | ${(row.strata / row.reference).toFixed(2)} |`),
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  writeBenchSection(scale, text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
