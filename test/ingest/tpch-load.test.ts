import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { ingestFiles } from '../../ingest/index.js';
import { Types, type Table } from '../../storage/index.js';
import { newTable, schema, tableRows, TempDir } from './load-helpers.js';
import { tpchDirectory } from '../support/paths.js';

const tpch = join(tpchDirectory, 'sf0.1');

describe('ingest/TPC-H sf0.1 loads', () => {
  let dir: TempDir;
  before(async () => { dir = await TempDir.create(); });
  after(async () => { await dir.remove(); });

  const nation = schema(
    ['n_nationkey', Types.int32, false], ['n_name', { id: 'string', length: 25 }, false],
    ['n_regionkey', Types.int32, false], ['n_comment', { id: 'string', length: 152 }],
  );
  const orders = schema(
    ['o_orderkey', Types.int32, false], ['o_custkey', Types.int32, false], ['o_orderstatus', Types.string, false],
    ['o_totalprice', Types.decimal(15, 2), false], ['o_orderdate', Types.date, false], ['o_orderpriority', Types.string, false],
    ['o_clerk', Types.string, false], ['o_shippriority', Types.int32, false], ['o_comment', Types.string, false],
  );

  it('loads nation.tbl.zst', async () => {
    const table = await newTable(dir, nation, 'nation');
    const summary = await ingestFiles(table, [join(tpch, 'nation.tbl.zst')], {});
    assert.equal(summary.rowsLoaded, 25);
    assert.equal(summary.version, 1);
    // bytesIn counts the text as decompressed; bytesRead the .zst file as stored.
    assert.equal(summary.bytesIn, 2224);
    assert.equal(summary.bytesRead, 963);
    const rows = await tableRows(table);
    assert.deepEqual(rows[0], [0, 'ALGERIA', 0, ' haggle. carefully final deposits detect slyly agai']);
    assert.deepEqual(rows[24].slice(0, 3), [24, 'UNITED STATES', 1]);
  });

  it('loads orders.tbl.zst into partitions with exact values', async () => {
    const table: Table = await newTable(dir, orders, 'orders');
    const summary = await ingestFiles(table, [join(tpch, 'orders.tbl.zst')], { partitionRowsTarget: 100_000 });
    assert.equal(summary.rowsLoaded, 150_000);
    assert.equal(summary.partitions, 2);
    assert.ok(summary.bytesStored > 0);
    const snapshot = await table.snapshot();
    assert.deepEqual(snapshot.partitions.map((p) => p.rows), [100_000, 50_000]);
    assert.equal(snapshot.loadHashes.size, 1);
    const rows = await tableRows(table);
    assert.equal(rows.length, 150_000);
    assert.deepEqual(rows[0], [1, 3691, 'O', '194029.55', '1996-01-02', '5-LOW', 'Clerk#000000951', 0, 'nstructions sleep furiously among ']);
    assert.deepEqual(rows[1].slice(0, 5), [2, 7801, 'O', '60951.63', '1996-12-01']);
    assert.deepEqual(rows[149_999], [600_000, 2422, 'O', '10279.02', '1998-03-03', '3-MEDIUM', 'Clerk#000000025', 0, 'ic instructions boost final reques']);
    assert.deepEqual(ordersAggregates(rows), await duckdbOrdersAggregates());
  });
});

/** Count, exact price sum, distinct clerks, date range and comment length of loaded orders rows. */
function ordersAggregates(rows: unknown[][]): unknown[] {
  let cents = 0;
  let commentChars = 0;
  const clerks = new Set<unknown>();
  const dates = rows.map((row) => row[4] as string).sort();
  for (const row of rows) {
    cents += Number((row[3] as string).replace('.', ''));
    clerks.add(row[6]);
    commentChars += (row[8] as string).length;
  }
  return [rows.length, (cents / 100).toFixed(2), clerks.size, dates[0], dates[dates.length - 1], commentChars];
}

/** The same aggregates computed by DuckDB (the oracle) from the same file. */
async function duckdbOrdersAggregates(): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const columns = "{'k': 'INTEGER', 'c': 'INTEGER', 's': 'VARCHAR', 'price': 'DECIMAL(15,2)', 'day': 'DATE', 'p': 'VARCHAR', 'clerk': 'VARCHAR', 'sp': 'INTEGER', 'comment': 'VARCHAR', 'trailing': 'VARCHAR'}";
  const result = await connection.runAndReadAll(`SELECT count(*)::INTEGER, sum(price)::VARCHAR, count(DISTINCT clerk)::INTEGER, min(day)::VARCHAR, max(day)::VARCHAR,
    sum(length(comment))::INTEGER FROM read_csv('${join(tpch, 'orders.tbl.zst')}', delim = '|', header = false, columns = ${columns})`);
  const row = result.getRows()[0];
  connection.closeSync();
  instance.closeSync();
  return [...row];
}
