/**
 * Acceptance (issue 5): the eight TPC-H sf0.1 tables created and loaded through the real CLI into
 * a store on a real HDFS (minicluster: one NameNode, three DataNodes, replication 2), then Q1,
 * Q6 and the single-table queries of test/cli answered from HDFS, identical to DuckDB on the
 * same files — the comparison of test/cli/tpch-single-table.test.ts, on the HDFS store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, textRowsOf, type QueryResult } from '../../service-manager/index.js';
import { HdfsStore } from '../../storage/index.js';
import { singleTableQueries, type OracleQuery } from '../cli/single-table-queries.js';
import { runCliOk } from '../support/cli.js';
import { diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { startMiniHdfs, type MiniHdfs } from '../support/hdfs/minicluster.js';
import { tpchDirectory } from '../support/paths.js';
import { tpchCreateTable } from '../support/tpch-schema.js';

const tables = ['nation', 'region', 'part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem'];
/** Rows per partition for the loads: lineitem (600,572 rows) and orders (150,000) span several files. */
const partitionRows = 250_000;

describe('TPC-H sf0.1 on HDFS through the CLI, against DuckDB', function () {
  this.timeout(120_000);
  let hdfs: MiniHdfs | undefined;
  let storeUrl: string;
  let oracle: DuckDbOracle | undefined;
  let database: Database | undefined;

  before(async function () {
    // The first run on a machine builds the HDFS launcher with Maven and may download Hadoop's jars.
    this.timeout(900_000);
    hdfs = await startMiniHdfs();
    storeUrl = `hdfs://${hdfs.superuser}@${new URL(hdfs.namenodeUrl).host}/strata/tpch-${randomBytes(4).toString('hex')}`;
    for (const table of tables) {
      await runCliOk(['sql', '--store', storeUrl, tpchCreateTable(table)]);
      const run = await runCliOk(['ingest', '--store', storeUrl, '--table', table, '--delimiter', '|', '--no-header',
        '--partition-rows', String(partitionRows), join(tpchDirectory, 'sf0.1', `${table}.tbl.zst`)], { timeoutMs: 300_000 });
      assert.match(run.stdout, new RegExp(`${table}: loaded [\\d,]+ rows`));
    }
    oracle = await DuckDbOracle.open();
    await oracle.loadTpch(tpchDirectory, 'sf0.1', tables);
    // The same URL the CLI was given; Database.open goes through openStore as the CLI does.
    database = await Database.open(storeUrl);
  });

  after(async () => {
    await database?.close();
    oracle?.close();
    await hdfs?.stop();
  });

  const ready = (): { database: Database; oracle: DuckDbOracle } => {
    assert.ok(database && oracle, 'the load did not finish (see the before hook)');
    return { database, oracle };
  };

  it('keeps the tables in HDFS: partitions are HDFS files with two replicas each', async () => {
    assert.ok(ready().database.store instanceof HdfsStore);
    const store = ready().database.store as HdfsStore;
    const partitions = (await store.list('tables/lineitem/data')).filter((entry) => entry.path.endsWith('.arrow'));
    assert.equal(partitions.length, Math.ceil(600_572 / partitionRows));
    for (const partition of partitions) {
      const blocks = await store.blockLocations(partition.path);
      assert.ok(blocks.length >= 1, partition.path);
      for (const block of blocks) assert.equal(new Set(block.names).size, 2, `${partition.path}: replicas ${block.names.join(', ')}`);
    }
    assert.deepEqual((await ready().database.tables()).sort(), [...tables].sort());
  });

  it('loads every row of every table', async () => {
    for (const table of tables) {
      const expected = await ready().oracle.query(`SELECT count(*) FROM ${table}`);
      const actual = textRowsOf((await ready().database.sql(`SELECT count(*) FROM ${table}`)).batches);
      assert.deepEqual(actual, expected.rows, table);
    }
  });

  for (const q of ['q1', 'q6']) {
    it(`TPC-H ${q.toUpperCase()} through the CLI (--format csv) equals DuckDB`, async () => {
      const sql = readFileSync(join(tpchDirectory, 'queries', `${q}.sql`), 'utf8');
      const run = await runCliOk(['sql', '--store', storeUrl, '--format', 'csv', sql]);
      // Q1 and Q6 print no quotes, commas or NULLs, so a plain split reads the CSV.
      assert.doesNotMatch(run.stdout, /"/);
      const [, ...lines] = run.stdout.trimEnd().split('\n');
      const expected = await ready().oracle.query(sql);
      const floating = expected.types.map((type) => /DOUBLE|FLOAT|REAL/.test(type));
      const difference = diffRows(lines.map((line) => line.split(',')), expected.rows, floating, true);
      assert.equal(difference, null, `${q}: ${difference}`);
    });
  }

  for (const query of [...tpchQueries(), ...singleTableQueries]) {
    it(`${query.name} equals DuckDB`, async () => {
      const expected = await ready().oracle.query(query.sql);
      const result = await ready().database.sql(query.sql);
      const difference = diffRows(textRowsOf(result.batches), expected.rows, floatingColumns(result, expected.types), query.ordered);
      assert.equal(difference, null, `${query.name}: ${difference}\n${query.sql}`);
    });
  }
});

/** Q1 and Q6 as oracle queries, for the in-process run beside the CLI one. */
function tpchQueries(): OracleQuery[] {
  return ['q1', 'q6'].map((q) => ({ name: `TPC-H ${q.toUpperCase()} (API)`, ordered: true, sql: readFileSync(join(tpchDirectory, 'queries', `${q}.sql`), 'utf8') }));
}

/** Which result columns are floating point (compared to a relative tolerance), as test/cli decides it. */
function floatingColumns(result: QueryResult, duckTypes: readonly string[]): boolean[] {
  return result.schema.fields.map((field, i) => field.type.id === 'float64' || /DOUBLE|FLOAT|REAL/.test(duckTypes[i] ?? ''));
}
