/**
 * Acceptance (issue 6 point 6): with a 4 MiB query memory limit, ORDER BY over TPC-H sf0.1
 * lineitem, GROUP BY l_orderkey and a join of orders with lineitem spill to disk and finish with
 * DuckDB's answer (and the unspilled one); spill files are gone after success, cancel and failure; the node spill limit
 * gives SPILL_LIMIT_EXCEEDED and the database keeps serving; a dead process's leftovers go on open.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Types, type Batch, type Schema } from '../../storage/index.js';
import { sliceBatch } from '../../query/exec/index.js';
import { Database, textRowsOf } from '../../service-manager/index.js';
import { SpillDirectory } from '../../service-manager/spill-area.js';
import { diffRows } from '../support/compare-results.js';
import { DuckDbOracle } from '../support/duckdb-oracle.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';
import { batchFromRows, rowsOf, type TestValue } from '../query/support/memory-table.js';

const queryMemoryBytes = 4 * 1024 * 1024;
const sortSql = 'SELECT l_orderkey, l_linenumber, l_comment FROM lineitem ORDER BY l_comment DESC, l_orderkey, l_linenumber';
const groupSql = 'SELECT l_orderkey, count(*), sum(l_quantity), min(l_shipdate), count(DISTINCT l_suppkey) FROM lineitem GROUP BY l_orderkey';

describe('spilling sorts, aggregations and joins on a database (TPC-H sf0.1, 4 MiB per query)', function () {
  this.timeout(600_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  const spillDirectory = join(temp.path, 'spill');
  let oracle: DuckDbOracle;
  let database: Database;
  let unspilled: Database;

  before(async () => {
    database = await Database.open(store, { queryMemoryBytesMax: queryMemoryBytes, spill: { directory: spillDirectory } });
    unspilled = await Database.open(store, { spill: false });
    const statements = readFileSync(join(tpchDirectory, 'schema.sql'), 'utf8').split(';');
    for (const table of ['lineitem', 'orders']) {
      await database.sql(statements.find((s) => new RegExp(`create\\s+table\\s+${table}\\b`, 'i').test(s))!);
      await database.ingest(table, [join(tpchDirectory, 'sf0.1', `${table}.tbl.zst`)], { delimiter: '|', header: false });
    }
    oracle = await DuckDbOracle.open();
    await oracle.loadTpch(tpchDirectory, 'sf0.1', ['lineitem', 'orders']);
  });

  after(async () => {
    await database?.close();
    await unspilled?.close();
    oracle?.close();
    temp.remove();
  });

  const spillFiles = (): string[] => readdirSync(spillDirectory, { recursive: true }) as string[];

  it('sorts all of lineitem through disk, in the order of DuckDB and of the in-memory sort', async () => {
    const result = await database.sql(sortSql);
    assert.ok((result.stats.spilledBytes ?? 0) > queryMemoryBytes, `spilled ${result.stats.spilledBytes}`);
    const actual = textRowsOf(result.batches);
    assert.equal(actual.length, 600_572);
    assert.deepEqual(actual, textRowsOf((await unspilled.sql(sortSql)).batches));
    const expected = await oracle.query(sortSql);
    assert.equal(diffRows(actual, expected.rows, [false, false, false], true), null);
    assert.deepEqual(spillFiles(), []);
    assert.equal(database.spill?.usedBytes, 0);
  });

  it('groups lineitem by l_orderkey through disk, as DuckDB and the in-memory aggregation', async () => {
    const result = await database.sql(groupSql);
    assert.ok((result.stats.spilledBytes ?? 0) > 0);
    const actual = textRowsOf(result.batches);
    assert.equal(diffRows(actual, textRowsOf((await unspilled.sql(groupSql)).batches), [false, false, false, false, false], false), null);
    const expected = await oracle.query(groupSql);
    assert.equal(diffRows(actual, expected.rows, [false, false, false, false, false], false), null);
    assert.deepEqual(spillFiles(), []);
  });

  it('joins orders with lineitem through disk (grace hash join), as DuckDB', async () => {
    const sql = 'SELECT o_orderpriority, count(*), sum(l_quantity), max(o_clerk) FROM orders LEFT JOIN lineitem ON o_orderkey = l_orderkey ' +
      'AND l_comment <> o_comment GROUP BY o_orderpriority ORDER BY o_orderpriority';
    const result = await database.sql(sql);
    assert.ok((result.stats.spilledBytes ?? 0) > 0);
    const expected = await oracle.query(sql);
    assert.equal(diffRows(textRowsOf(result.batches), expected.rows, [false, false, false, false], true), null);
    assert.deepEqual(spillFiles(), []);
  });

  it('leaves no spill files when a query is cancelled mid-spill', async () => {
    const controller = new AbortController();
    const running = database.sql(sortSql, { signal: controller.signal });
    // Cancel once the sort has written its first run (an event, not a delay).
    while (database.spill!.usedBytes === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await assert.rejects(running, { kind: 'cancelled' });
    assert.deepEqual(spillFiles(), []);
    assert.equal(database.spill!.usedBytes, 0);
  });

  it('fails with SPILL_LIMIT_EXCEEDED past the node spill limit, cleans up and keeps serving', async () => {
    const small = await Database.open(store, { queryMemoryBytesMax: queryMemoryBytes, spill: { directory: spillDirectory, bytesMax: 1024 * 1024 } });
    try {
      await assert.rejects(small.sql(sortSql), (error: Error & { code?: string; kind?: string }) =>
        error.code === 'SPILL_LIMIT_EXCEEDED' && error.kind === 'resources' && error.message.includes(spillDirectory));
      assert.deepEqual(spillFiles(), []);
      assert.deepEqual(textRowsOf((await small.sql('SELECT count(*) FROM lineitem')).batches), [['600572']]);
    } finally {
      await small.close();
    }
  });

  it('deletes the spill directories of dead processes when a node opens its spill directory', async () => {
    // Directory names carry the host, so only this host's dead processes are cleaned.
    const host = hostname().replace(/[^A-Za-z0-9]/g, '_');
    const leftover = join(spillDirectory, `q-${host}-4194305-1-deadbeef`);
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'run-1.arrow'), 'x');
    const mine = join(spillDirectory, `q-${host}-${process.pid}-999-live`);
    mkdirSync(mine);
    await SpillDirectory.open({ directory: spillDirectory });
    assert.equal(existsSync(leftover), false);
    assert.equal(existsSync(mine), true, 'a live process keeps its directory');
    rmSync(mine, { recursive: true });
  });
});

describe('spill area files', () => {
  it('round-trip every column type with NULLs, compacting shared dictionaries', async () => {
    const temp = makeTempDirectory();
    try {
      const directory = await SpillDirectory.open({ directory: temp.path });
      const area = directory.createArea();
      const schema: Schema = {
        fields: [
          { name: 'i', type: Types.int32, nullable: true }, { name: 'b', type: Types.int64, nullable: true },
          { name: 'f', type: Types.float64, nullable: true }, { name: 's', type: Types.string, nullable: true },
          { name: 't', type: Types.boolean, nullable: true }, { name: 'd', type: Types.date, nullable: true },
        ],
      };
      const rows: TestValue[][] = Array.from({ length: 3000 }, (_, i) => [
        i % 7 === 0 ? null : i - 1500, i % 5 === 0 ? null : BigInt(i) * 3_000_000_000n, i % 11 === 0 ? null : i % 13 === 0 ? Number.NaN : i / 7,
        i % 3 === 0 ? null : `text-${i % 100}`, i % 4 === 0 ? null : i % 2 === 0, i % 9 === 0 ? null : 19_000 + i,
      ]);
      const whole = batchFromRows(schema, rows);
      // Slices share the whole batch's dictionary; each file frame keeps only the entries it uses.
      const run = await area.writeRun(schema, [sliceBatch(whole, 0, 1000), sliceBatch(whole, 1000, 3000)]);
      assert.equal(run.rows, 3000);
      assert.equal(directory.usedBytes, run.bytes);
      const back: Batch[] = [];
      for await (const batch of area.readRun(run)) back.push(batch);
      assert.deepEqual(rowsOf(back), rowsOf([whole]));
      await area.close();
      assert.equal(directory.usedBytes, 0);
      assert.deepEqual(readdirSync(temp.path), []);
    } finally {
      temp.remove();
    }
  });
});
