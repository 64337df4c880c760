/**
 * A load-only bench: one '|' text file loaded by strata and by DuckDB (read_csv INSERT) in the
 * same run, for profiling the ingest path. Not a test.
 *
 *   node dist/bench/load.js --file /tmp/lineitem.tbl [--threads 2 (DuckDB)] [--ingest-threads 1,2] [--skip-duckdb]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../service-manager/index.js';

const lineitemColumns = `l_orderkey INTEGER NOT NULL, l_partkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL,
  l_linenumber INTEGER NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL,
  l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag CHAR(1) NOT NULL, l_linestatus CHAR(1) NOT NULL,
  l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL, l_shipinstruct CHAR(25) NOT NULL,
  l_shipmode CHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL`;

function directoryBytes(path: string): number {
  let total = 0;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    const status = statSync(child);
    total += status.isDirectory() ? directoryBytes(child) : status.size;
  }
  return total;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    file: { type: 'string' }, threads: { type: 'string', default: '2' }, 'skip-duckdb': { type: 'boolean', default: false },
    'ingest-threads': { type: 'string' },
  } });
  const text = values.file;
  if (text === undefined) throw new Error('--file <lineitem text> is required');
  const work = mkdtempSync(join(tmpdir(), 'strata-load-'));
  try {
    let duckMs = NaN;
    if (values['skip-duckdb'] !== true) {
      const duck = await DuckDBInstance.create(':memory:', { threads: values.threads ?? '2' });
      const connection = await duck.connect();
      await connection.run(`CREATE TABLE lineitem (${lineitemColumns})`);
      const columnSpec = lineitemColumns.split(/,(?![^()]*\))/).map((c) => c.trim().split(/\s+/)).map(([name, type]) => `'${name}': '${type}'`).join(', ');
      const start = performance.now();
      await connection.run(`INSERT INTO lineitem SELECT * EXCLUDE (extra) FROM read_csv('${text}', delim='|', header=false, columns={${columnSpec}, 'extra': 'VARCHAR'})`);
      duckMs = performance.now() - start;
      connection.closeSync();
    }
    // Each thread count given (--ingest-threads 1,2) loads into a fresh store, in the same run.
    const counts = values['ingest-threads'] === undefined ? [undefined] : values['ingest-threads'].split(',').map(Number);
    for (const threads of counts) {
      const storeDirectory = join(work, `store-${threads ?? 'default'}`);
      const database = await Database.open(storeDirectory);
      await database.sql(`CREATE TABLE lineitem (${lineitemColumns})`);
      const start = performance.now();
      const cpuBefore = process.cpuUsage();
      const summary = await database.ingest('lineitem', [text], { delimiter: '|', header: false, ...(threads === undefined ? {} : { threads }) });
      const strataMs = performance.now() - start;
      const cpu = process.cpuUsage(cpuBefore);
      const bytes = directoryBytes(join(storeDirectory, 'tables', 'lineitem', 'data'));
      await database.close();
      process.stdout.write(`threads ${threads ?? 'default'}: rows ${summary.rowsLoaded}, partitions ${summary.partitions}, stored ${bytes} bytes, ` +
        `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (all threads), strata ${(strataMs / 1000).toFixed(2)} s, DuckDB ${(duckMs / 1000).toFixed(2)} s, ` +
        `ratio ${(strataMs / duckMs).toFixed(2)}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
