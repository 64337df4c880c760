/**
 * Acceptance (issue 6, single node): the eight TPC-H sf0.1 tables load through the real CLI
 * (small partitions, so scans, joins and pruning see many), and all 22 TPC-H queries give the
 * rows DuckDB gives on the same files: integers, strings and dates exactly, decimals exactly at
 * their scale, floating point to 1e-9 relative, in the order the query's ORDER BY fixes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, textRowsOf } from '../../service-manager/index.js';
import { runCliOk } from '../support/cli.js';
import { diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';

const tables = ['nation', 'region', 'part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem'];
/** Partitions of at most this many rows: lineitem becomes 31 of them. */
const partitionRows = '20000';

function ddlOf(table: string): string {
  const statements = readFileSync(join(tpchDirectory, 'schema.sql'), 'utf8').split(';');
  return statements.find((statement) => new RegExp(`create\\s+table\\s+${table}\\b`, 'i').test(statement))!.trim();
}

describe('TPC-H sf0.1: all 22 queries through the CLI-loaded store, against DuckDB', function () {
  this.timeout(600_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  let oracle: DuckDbOracle;
  let database: Database;

  before(async () => {
    for (const table of tables) {
      await runCliOk(['sql', '--store', store, ddlOf(table)]);
      await runCliOk(['ingest', '--store', store, '--table', table, '--delimiter', '|', '--no-header', '--partition-rows', partitionRows,
        join(tpchDirectory, 'sf0.1', `${table}.tbl.zst`)], { timeoutMs: 300_000 });
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

  for (let q = 1; q <= 22; q++) {
    it(`TPC-H Q${q} equals DuckDB`, async () => {
      const sql = readFileSync(join(tpchDirectory, 'queries', `q${q}.sql`), 'utf8');
      const expected = await oracle.query(sql);
      const result = await database.sql(sql);
      const floating = result.schema.fields.map((field, i) => field.type.id === 'float64' || /DOUBLE|FLOAT|REAL/.test(expected.types[i] ?? ''));
      const difference = diffRows(textRowsOf(result.batches), expected.rows, floating, true);
      assert.equal(difference, null, `Q${q}: ${difference}`);
      assert.ok(expected.rows.length > 0, `Q${q} returns rows at sf0.1`);
    });
  }

  it('prints a plan with hash joins and no cross product for every query', async () => {
    for (let q = 1; q <= 22; q++) {
      const sql = readFileSync(join(tpchDirectory, 'queries', `q${q}.sql`), 'utf8');
      const plan = textRowsOf((await database.sql(`EXPLAIN ${sql}`)).batches).map((row) => row[0]).join('\n');
      assert.doesNotMatch(plan, /CrossJoin/, `Q${q}:\n${plan}`);
    }
  });
});
