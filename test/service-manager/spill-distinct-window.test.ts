/**
 * SELECT DISTINCT and window functions over TPC-H sf0.1 lineitem at a 4 MiB query memory limit:
 * both spill to disk (instead of failing) and give DuckDB's answer; spill files are gone after.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, textRowsOf } from '../../service-manager/index.js';
import { diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';

const queryMemoryBytes = 4 * 1024 * 1024;

describe('spilling DISTINCT and window functions on a database (TPC-H sf0.1 lineitem, 4 MiB per query)', function () {
  this.timeout(600_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  const spillDirectory = join(temp.path, 'spill');
  let oracle: DuckDbOracle;
  let database: Database;

  before(async () => {
    database = await Database.open(store, { queryMemoryBytesMax: queryMemoryBytes, spill: { directory: spillDirectory } });
    const statements = readFileSync(join(tpchDirectory, 'schema.sql'), 'utf8').split(';');
    await database.sql(statements.find((s) => /create\s+table\s+lineitem\b/i.test(s))!);
    await database.ingest('lineitem', [join(tpchDirectory, 'sf0.1', 'lineitem.tbl.zst')], { delimiter: '|', header: false });
    oracle = await DuckDbOracle.open();
    await oracle.loadTpch(tpchDirectory, 'sf0.1', ['lineitem']);
  });

  after(async () => {
    await database?.close();
    oracle?.close();
    temp.remove();
  });

  const spillFiles = (): string[] => readdirSync(spillDirectory, { recursive: true }) as string[];

  it('SELECT DISTINCT over lineitem columns spills and gives DuckDB rows', async () => {
    const sql = 'SELECT DISTINCT l_orderkey, l_suppkey, l_returnflag FROM lineitem';
    const result = await database.sql(sql);
    assert.ok((result.stats.spilledBytes ?? 0) > 0, `spilled ${result.stats.spilledBytes}`);
    const expected = await oracle.query(sql);
    assert.equal(diffRows(textRowsOf(result.batches), expected.rows, [false, false, false], false), null);
    assert.deepEqual(spillFiles(), []);
  });

  it('row_number and a running sum OVER (PARTITION BY l_orderkey ORDER BY l_linenumber) spill and give DuckDB rows', async () => {
    const sql = 'SELECT l_orderkey, l_linenumber, row_number() OVER (PARTITION BY l_orderkey ORDER BY l_linenumber), ' +
      'sum(l_quantity) OVER (PARTITION BY l_orderkey ORDER BY l_linenumber) FROM lineitem';
    const result = await database.sql(sql);
    assert.ok((result.stats.spilledBytes ?? 0) > 0, `spilled ${result.stats.spilledBytes}`);
    const actual = textRowsOf(result.batches);
    assert.equal(actual.length, 600_572);
    const expected = await oracle.query(sql);
    assert.equal(diffRows(actual, expected.rows, [false, false, false, false], false), null);
    assert.deepEqual(spillFiles(), []);
  });
});
