/** Acceptance: EXPLAIN of a selective query on a table of several partitions shows partitions pruned. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, textRowsOf } from '../../service-manager/index.js';
import { runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

describe('EXPLAIN shows partition pruning', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  after(() => temp.remove());

  before(async () => {
    await runCliOk(['sql', '--store', store, 'CREATE TABLE events (id INTEGER NOT NULL, day DATE NOT NULL, level VARCHAR)']);
    const lines = ['id,day,level'];
    // 40,000 rows in day order, 10,000 rows per partition: each partition covers its own days.
    for (let i = 0; i < 40_000; i++) {
      const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 100) * 86_400_000).toISOString().slice(0, 10);
      lines.push(`${i},${day},${i % 10 === 0 ? 'ERROR' : 'INFO'}`);
    }
    const file = join(temp.path, 'events.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    await runCliOk(['ingest', '--store', store, '--table', 'events', '--partition-rows', '10000', file]);
  });

  it('scans 1 of 4 partitions for a one-day range, and says so', async () => {
    const sql = "SELECT count(*) FROM events WHERE day = DATE '2024-02-15'";
    const explain = await runCliOk(['sql', '--store', store, '--format', 'csv', `EXPLAIN ${sql}`]);
    assert.match(explain.stdout, /partitions[^\n]*\b1\s*(\/|of)\s*4\b/i, explain.stdout);
    assert.match(explain.stdout, /3 pruned/i, explain.stdout);
    const database = await Database.open(store);
    try {
      const result = await database.sql(sql);
      assert.deepEqual(textRowsOf(result.batches), [['100']]);
      assert.equal(result.stats.partitionsTotal, 4);
      assert.equal(result.stats.partitionsScanned, 1);
      assert.equal(result.stats.partitionsPruned, 3);
    } finally {
      await database.close();
    }
  });

  it('scans every partition when the filter cannot prune', async () => {
    const explain = await runCliOk(['sql', '--store', store, '--format', 'csv', "EXPLAIN SELECT count(*) FROM events WHERE level = 'ERROR'"]);
    assert.match(explain.stdout, /partitions[^\n]*\b4\s*(\/|of)\s*4\b/i, explain.stdout);
  });
});
