/**
 * `strata demo`: the embedded default. Creates a local store with sample data (a generated web
 * access log, and the TPC-H sf0.1 tables when ../shared/data/tpch is beside the repository), then
 * opens the REPL on a terminal or prints how to query it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../service-manager/index.js';
import { summaryText } from './ingest-command.js';
import { renderResult } from './output.js';
import { runRepl } from './repl.js';
import { accessLogDdl, writeAccessLogCsv } from './sample-data.js';

/** Rows of the generated access log: enough to show partitions and pruning, quick to make. */
const accessLogRows = 200_000;

/** Where the TPC-H test data sits relative to the compiled file (dist/cli/). */
const defaultTpchDirectory = fileURLToPath(new URL('../../../shared/data/tpch/', import.meta.url));

/** Options of `strata demo`. */
export interface DemoCommandOptions {
  readonly store?: string;
  readonly tpch?: string;
}

async function loadAccessLog(database: Database): Promise<void> {
  await database.sql(accessLogDdl);
  const directory = mkdtempSync(join(tmpdir(), 'strata-demo-'));
  try {
    const file = join(directory, 'access_log.csv');
    await writeAccessLogCsv(file, accessLogRows);
    process.stdout.write(summaryText(await database.ingest('access_log', [file], { partitionRowsTarget: 50_000 })));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function loadTpch(database: Database, directory: string): Promise<void> {
  const existing = new Set(await database.tables());
  const ddl = readFileSync(join(directory, 'schema.sql'), 'utf8').split(';').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const statement of ddl) {
    const name = /create\s+table\s+(\w+)/i.exec(statement)?.[1]?.toLowerCase();
    if (name === undefined) continue;
    if (!existing.has(name)) await database.sql(statement);
    const file = join(directory, 'sf0.1', `${name}.tbl.zst`);
    if (existsSync(file)) process.stdout.write(summaryText(await database.ingest(name, [file], { delimiter: '|', header: false })));
  }
}

/** Runs `strata demo`. */
export async function demoCommand(options: DemoCommandOptions): Promise<void> {
  const store = options.store ?? '.strata/demo';
  const tpch = options.tpch ?? defaultTpchDirectory;
  const database = await Database.open(store);
  try {
    if (!(await database.tables()).includes('access_log')) await loadAccessLog(database);
    if (existsSync(join(tpch, 'schema.sql'))) await loadTpch(database, tpch);
    process.stdout.write(`\nstrata is ready: store ${store}, tables ${(await database.tables()).join(', ')}.\n` +
      `Query it with:  ./bin/strata sql --store ${store} "SELECT status, count(*) FROM access_log GROUP BY 1 ORDER BY 1"\n`);
    if (process.stdin.isTTY) {
      process.stdout.write('Opening the interactive prompt (.help for commands, .quit to leave).\n');
      await runRepl(async (sql, format) => renderResult(await database.sql(sql), format), 'table');
    }
  } finally {
    await database.close();
  }
}
