/**
 * Zone maps made visible: a table with a sorted time column in 4 partitions of 10 record batches
 * each; a one-range query prunes partitions AND skips batches, and EXPLAIN ANALYZE, the result's
 * stats and the CLI's summary line all say how many batches were read and skipped. The answer
 * equals the same rows filtered out of a full scan.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, querySummaryText, textRowsOf } from '../../service-manager/index.js';
import { runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

const rowsTotal = 40_000;
const startMs = Date.UTC(2025, 0, 1);
/** Row i happened i seconds after the start, so rows 12,500..13,499 are the range below. */
const rangeSql = "SELECT id, level FROM events WHERE ts >= TIMESTAMP '2025-01-01 03:28:20' AND ts < TIMESTAMP '2025-01-01 03:45:00' ORDER BY id";

function timestampText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

describe('zone-map pruning shown in EXPLAIN ANALYZE and query summaries', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  after(() => temp.remove());

  before(async () => {
    const lines = ['id,ts,level'];
    for (let i = 0; i < rowsTotal; i++) lines.push(`${i},${timestampText(startMs + i * 1000)},${i % 7 === 0 ? 'ERROR' : 'INFO'}`);
    const file = join(temp.path, 'events.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const database = await Database.open(store);
    try {
      await database.sql('CREATE TABLE events (id INTEGER NOT NULL, ts TIMESTAMP NOT NULL, level VARCHAR)');
      // 4 partitions of 10,000 rows, each in 10 record batches of 1,000 rows with their own zone maps.
      await database.ingest('events', [file], { partitionRowsTarget: 10_000, batchRowsMax: 1_000 });
    } finally {
      await database.close();
    }
  });

  it('skips the batches outside the range, and answers as a full scan filtered by hand', async () => {
    const database = await Database.open(store);
    try {
      const result = await database.sql(rangeSql);
      const full = await database.sql('SELECT id, ts, level FROM events ORDER BY id');
      const expected = textRowsOf(full.batches).filter(([, ts]) => ts! >= '2025-01-01 03:28:20' && ts! < '2025-01-01 03:45:00').map(([id, , level]) => [id, level]);
      assert.equal(expected.length, 1_000);
      assert.deepEqual(textRowsOf(result.batches), expected);
      assert.equal(full.stats.batchesRead, 40);
      assert.equal(full.stats.batchesSkipped, 0);
      // One partition is left after pruning; in it rows 12,500..13,499 lie in batches 2 and 3.
      assert.equal(result.stats.partitionsTotal, 4);
      assert.equal(result.stats.partitionsScanned, 1);
      assert.equal(result.stats.batchesRead, 2);
      assert.equal(result.stats.batchesSkipped, 8);
      assert.equal(result.stats.rowsScanned, 2_000);
      assert.match(querySummaryText(result)!, /^1,000 rows in \d+\.\d\d s; partitions 1\/4, batches 2\/10 read$/);
    } finally {
      await database.close();
    }
  });

  it('EXPLAIN ANALYZE runs the query and shows partitions and batches read per scan', async () => {
    const database = await Database.open(store);
    try {
      const result = await database.sql(`EXPLAIN ANALYZE ${rangeSql}`);
      assert.equal(result.command, 'EXPLAIN');
      const text = textRowsOf(result.batches).map(([line]) => line).join('\n');
      assert.match(text, /Scan: events .*partitions=1\/4 \(3 pruned\) actual: partitions read=1\/4, batches read=2 skipped=8, rows read=2000 out=1000/, text);
      assert.match(text, /^Actual: 1,000 rows in \d+\.\d\d s; partitions 1\/4, batches 2\/10 read$/m, text);
      assert.equal(result.stats.batchesSkipped, 8);
      // A filter zone maps cannot judge reads every batch of every partition.
      const opaque = await database.sql("EXPLAIN ANALYZE SELECT count(*) FROM events WHERE level = 'ERROR'");
      const opaqueText = textRowsOf(opaque.batches).map(([line]) => line).join('\n');
      assert.match(opaqueText, /actual: partitions read=4\/4, batches read=40 skipped=0, rows read=40000 out=40000 \(filters applied above\)/, opaqueText);
    } finally {
      await database.close();
    }
  });

  it('the CLI prints the summary line after the rows, and EXPLAIN ANALYZE', async () => {
    const run = await runCliOk(['sql', '--store', store, '--format', 'csv', rangeSql]);
    assert.equal(run.stdout.trim().split('\n').length, 1_001);
    assert.match(run.stderr, /^1,000 rows in \d+\.\d\d s; partitions 1\/4, batches 2\/10 read\n$/);
    const explain = await runCliOk(['sql', '--store', store, '--format', 'csv', `EXPLAIN ANALYZE ${rangeSql}`]);
    assert.match(explain.stdout, /batches read=2 skipped=8/);
  });
});
