/** `strata stats`: per-column encodings and bytes, fresh vs archive partitions, before and after compaction. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableStorageStats } from '../../cli/stats-command.js';
import { runCli, runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

describe('strata stats', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  after(() => temp.remove());

  async function stats(): Promise<TableStorageStats> {
    return JSON.parse((await runCliOk(['stats', '--store', store, 'logs', '--format', 'json'])).stdout) as TableStorageStats;
  }

  before(async () => {
    await runCliOk(['sql', '--store', store, 'CREATE TABLE logs (id BIGINT NOT NULL, level VARCHAR, msg VARCHAR)']);
    const lines = ['id,level,msg'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${['INFO', 'WARN', 'ERROR'][i % 3]},request ${i % 97} served in ${i % 41} ms`);
    writeFileSync(join(temp.path, 'logs.csv'), `${lines.join('\n')}\n`);
    await runCliOk(['ingest', '--store', store, '--table', 'logs', '--partition-rows', '10000', join(temp.path, 'logs.csv')]);
  });

  it('reports fresh partitions, then archive partitions and their encodings after compaction', async () => {
    const fresh = await stats();
    assert.equal(fresh.partitions, 3);
    assert.equal(fresh.rows, 30_000);
    assert.equal(fresh.freshPartitions, 3);
    assert.equal(fresh.archivePartitions, 0);
    assert.deepEqual(fresh.columns.map((column) => [column.name, column.type]), [['id', 'BIGINT'], ['level', 'VARCHAR'], ['msg', 'VARCHAR']]);
    for (const column of fresh.columns) {
      assert.ok(column.storedBytes > 0 && column.storedBytes < fresh.bytes, `${column.name} stored bytes`);
      assert.equal(column.encodings.reduce((sum, entry) => sum + entry.partitions, 0), 3);
      assert.ok(column.ratio > 1, `${column.name} compresses: ${column.ratio}`);
    }
    await runCliOk(['compact', '--store', store, '--table', 'logs']);
    const archived = await stats();
    assert.equal(archived.partitions, 1);
    assert.equal(archived.rows, 30_000);
    assert.equal(archived.freshPartitions, 0);
    assert.equal(archived.archivePartitions, 1);
    assert.ok(archived.bytes < fresh.bytes, `compaction shrinks the table: ${archived.bytes} < ${fresh.bytes}`);
    // The archive tier re-encodes: the integer column is no longer stored as plain Arrow.
    assert.notEqual(archived.columns[0].encodings[0].encoding, 'plain');
    const text = (await runCliOk(['stats', '--store', store, 'logs'])).stdout;
    assert.match(text, /^logs \(version \d+\): 1 partition\(s\) — 0 fresh, 1 archive — 30,000 rows/);
    assert.match(text, /\nid\s+BIGINT\s+\S+/);
  });

  it('names a missing table', async () => {
    const run = await runCli(['stats', '--store', store, 'nope']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /TABLE_NOT_FOUND/);
  });
});
