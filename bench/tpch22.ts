/**
 * All 22 TPC-H queries at sf0.1, strata beside DuckDB in the same run on the same machine: the
 * eight tables loaded into each, every query checked against DuckDB's rows, then timed warm
 * (median of several runs); the ratio per query and their geometric mean go to the
 * `<!-- bench:tpch22 -->` section of docs/benchmarks.md. Not a test.
 *
 *   node dist/bench/tpch22.js                 sf0.1, 5 runs per query
 *   node dist/bench/tpch22.js --runs 3
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Database, textRowsOf } from '../service-manager/index.js';
import { DuckDbOracle } from '../test/support/duckdb-oracle.js';
import { diffRows } from '../test/support/compare-results.js';
import { machine, median, repoRoot, writeBenchSection } from './bench-report.js';

const tpch = join(repoRoot, '..', 'shared', 'data', 'tpch');
const tables = ['nation', 'region', 'part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem'];
/** Rows per partition, as a store loaded in batches would have them (lineitem: 31 partitions). */
const partitionRows = 20_000;
/** DuckDB's worker threads: the machine's two vCPUs, as in the other benchmarks. */
const duckThreads = 2;

interface Timing {
  readonly query: number;
  readonly strataMs: number;
  readonly duckMs: number;
  readonly same: boolean;
}

async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function ddlOf(table: string): string {
  const statements = readFileSync(join(tpch, 'schema.sql'), 'utf8').split(';');
  return statements.find((statement) => new RegExp(`create\\s+table\\s+${table}\\b`, 'i').test(statement))!.trim();
}

async function load(database: Database): Promise<void> {
  for (const table of tables) {
    process.stderr.write(`loading ${table}…\n`);
    await database.sql(ddlOf(table));
    await database.ingest(table, [join(tpch, 'sf0.1', `${table}.tbl.zst`)], { delimiter: '|', header: false, partitionRowsTarget: partitionRows });
  }
}

async function measure(database: Database, oracle: DuckDbOracle, q: number, runs: number): Promise<Timing> {
  const sql = readFileSync(join(tpch, 'queries', `q${q}.sql`), 'utf8');
  const expected = await oracle.query(sql);
  const result = await database.sql(sql);
  const floating = result.schema.fields.map((field, i) => field.type.id === 'float64' || /DOUBLE|FLOAT|REAL/.test(expected.types[i] ?? ''));
  const same = diffRows(textRowsOf(result.batches), expected.rows, floating, true) === null;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await timeMs(() => database.sql(sql)));
    theirs.push(await timeMs(() => oracle.query(sql)));
  }
  return { query: q, strataMs: median(ours), duckMs: median(theirs), same };
}

function report(timings: readonly Timing[], runs: number): string {
  const ratios = timings.map((t) => t.strataMs / t.duckMs);
  const geometricMean = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
  const lines = [
    '## TPC-H sf0.1: all 22 queries, strata beside DuckDB',
    '',
    `Run ${new Date().toISOString().slice(0, 10)} on ${machine()}; DuckDB in memory with ${duckThreads} threads, strata`,
    `single-threaded in one process over a local store (partitions of ${partitionRows.toLocaleString('en-US')} rows).`,
    `Median of ${runs} warm runs in ms; ratio = strata / DuckDB (lower is better). "same rows" compares`,
    'with DuckDB as the acceptance tests do.',
    '',
    '| query | strata ms | DuckDB ms | ratio | same rows |',
    '| --- | ---: | ---: | ---: | --- |',
    ...timings.map((t, i) => `| Q${t.query} | ${t.strataMs.toFixed(1)} | ${t.duckMs.toFixed(1)} | ${ratios[i].toFixed(2)} | ${t.same ? 'yes' : 'NO'} |`),
    `| geometric mean | | | ${geometricMean.toFixed(2)} | |`,
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Math.max(1, Number(values.runs ?? '5'));
  const work = mkdtempSync(join(tmpdir(), 'strata-tpch22-'));
  try {
    const database = await Database.open(join(work, 'store'));
    await load(database);
    const oracle = await DuckDbOracle.open(duckThreads);
    await oracle.loadTpch(tpch, 'sf0.1', tables);
    const timings: Timing[] = [];
    for (let q = 1; q <= 22; q++) {
      process.stderr.write(`Q${q}…\n`);
      timings.push(await measure(database, oracle, q, runs));
    }
    await database.close();
    oracle.close();
    const text = report(timings, runs);
    process.stdout.write(`${text}\n`);
    writeBenchSection('tpch22', text);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
