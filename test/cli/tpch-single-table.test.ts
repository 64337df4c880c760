/**
 * Acceptance: the TPC-H sf0.1 tables load through the real CLI; Q1, Q6 and our own single-table
 * queries give results identical to DuckDB on the same data.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, textRowsOf } from '../../service-manager/index.js';
import { runCliOk } from '../support/cli.js';
import { diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';
import { singleTableQueries, type OracleQuery } from './single-table-queries.js';

const tables = ['nation', 'region', 'part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem'];

function tpchDdl(): Map<string, string> {
  const statements = readFileSync(join(tpchDirectory, 'schema.sql'), 'utf8').split(';').map((s) => s.trim()).filter((s) => s.length > 0);
  return new Map(statements.map((statement) => [/create\s+table\s+(\w+)/i.exec(statement)![1].toLowerCase(), statement]));
}

describe('TPC-H sf0.1 single-table queries through the CLI, against DuckDB', function () {
  this.timeout(600_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  let oracle: DuckDbOracle;
  let database: Database;

  before(async () => {
    const ddl = tpchDdl();
    for (const table of tables) {
      await runCliOk(['sql', '--store', store, ddl.get(table)!]);
      const run = await runCliOk(['ingest', '--store', store, '--table', table, '--delimiter', '|', '--no-header',
        join(tpchDirectory, 'sf0.1', `${table}.tbl.zst`)], { timeoutMs: 300_000 });
      assert.match(run.stdout, new RegExp(`${table}: loaded [\\d,]+ rows`));
    }
    oracle = await DuckDbOracle.open();
    await oracle.loadTpch(tpchDirectory, 'sf0.1', tables);
    database = await Database.open(store);
  });

  after(async () => {
    await database?.close();
    oracle?.close();
    temp.remove();
  });

  it('loads every row of every table', async () => {
    for (const table of tables) {
      const expected = await oracle.query(`SELECT count(*) FROM ${table}`);
      const actual = textRowsOf((await database.sql(`SELECT count(*) FROM ${table}`)).batches);
      assert.deepEqual(actual, expected.rows, table);
    }
  });

  async function check(query: OracleQuery): Promise<void> {
    const expected = await oracle.query(query.sql);
    const result = await database.sql(query.sql);
    const floating = result.schema.fields.map((field, i) => field.type.id === 'float64' || /DOUBLE|FLOAT|REAL/.test(expected.types[i] ?? ''));
    const difference = diffRows(textRowsOf(result.batches), expected.rows, floating, query.ordered);
    assert.equal(difference, null, `${query.name}: ${difference}\n${query.sql}`);
  }

  for (const q of ['q1', 'q6']) {
    it(`TPC-H ${q.toUpperCase()} equals DuckDB`, async () => {
      await check({ name: q, ordered: true, sql: readFileSync(join(tpchDirectory, 'queries', `${q}.sql`), 'utf8') });
    });
  }

  for (const query of singleTableQueries) {
    it(`${query.name} equals DuckDB`, async () => { await check(query); });
  }

  it('prints Q1 as JSON through the CLI', async () => {
    const sql = readFileSync(join(tpchDirectory, 'queries', 'q1.sql'), 'utf8');
    const run = await runCliOk(['sql', '--store', store, '--format', 'json', sql]);
    const output = JSON.parse(run.stdout) as { columns: string[]; rows: unknown[][] };
    assert.deepEqual(output.columns.slice(0, 3), ['l_returnflag', 'l_linestatus', 'sum_qty']);
    assert.equal(output.rows.length, 4);
    const expected = await oracle.query(sql);
    assert.deepEqual(output.rows.map((row) => row[9]), expected.rows.map((row) => Number(row[9])));
    assert.equal(String(output.rows[0][2]), String(Number(expected.rows[0][2])));
  });
});
