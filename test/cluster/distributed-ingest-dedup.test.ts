/**
 * Record de-duplication in a load spread over 3 real node processes: a table with a record key
 * loaded from 3 files (one part per node) that share keys with each other and hold duplicates
 * within one file keeps each key once, as a single-node load of the same files does (the earlier
 * file's record wins); loading again (forced past load de-duplication) adds nothing; an
 * overlapping file adds only its new keys. Row counts and checksums equal the single-node load's.
 * Then a range query on the cluster: the batches a worker skipped by their zone maps reach the
 * coordinator's summary and EXPLAIN ANALYZE.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, ingestRemote, StrataClient } from '../../service-manager/index.js';
import { runCliOk } from '../support/cli.js';
import { startNodeProcess, waitForLiveMembers, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory } from '../support/paths.js';

/** Lines of `id,v` for ids [from, to), v tied to the file so the kept copy of a key shows which file won. */
function csv(from: number, to: number, file: number, repeatFrom = to): string {
  const lines = ['id,v'];
  for (let id = from; id < to; id++) lines.push(`${id},${id * 10 + file}`);
  // Records repeated inside the file: a worker's own load drops them.
  for (let id = repeatFrom; id < to; id++) lines.push(`${id},${id * 10 + file}`);
  return `${lines.join('\n')}\n`;
}

describe('record de-dup in distributed ingest (3 nodes)', function () {
  this.timeout(300_000);
  const temp = makeTempDirectory('strata-dedup-');
  const store = join(temp.path, 'store');
  const files = ['a', 'b', 'c', 'd', 'e'].map((name) => join(temp.path, `${name}.csv`));
  const nodes: NodeProcess[] = [];
  let client: StrataClient;

  before(async () => {
    writeFileSync(files[0], csv(0, 3_000, 1));
    writeFileSync(files[1], csv(2_000, 5_000, 2));
    writeFileSync(files[2], csv(4_000, 7_000, 3, 6_990));
    writeFileSync(files[3], csv(6_500, 7_500, 4));
    writeFileSync(files[4], csv(8_000, 9_000, 5));
    const database = await Database.open(store);
    try {
      for (const name of ['events', 'events_ref']) await database.sql(`CREATE TABLE ${name} (id INTEGER NOT NULL, v BIGINT NOT NULL)`);
    } finally {
      await database.close();
    }
    for (const name of ['events', 'events_ref']) await runCliOk(['table', 'key', '--store', store, name, '--columns', 'id']);
    await Promise.all(['n1', 'n2', 'n3'].map(async (id, i) => { nodes[i] = await startNodeProcess(['--store', store, '--id', id]); }));
    await waitForLiveMembers(nodes[0], 3);
    client = await StrataClient.connect(nodes[0].wsUrl);
  });

  after(async () => {
    await client?.close();
    for (const node of nodes) await node?.kill();
    temp.remove();
  });

  async function contents(table: string): Promise<unknown[][]> {
    return (await client.query(`SELECT count(*), count(DISTINCT id), sum(id), sum(v), min(v), max(v) FROM ${table}`)).rows;
  }

  /** The same files loaded by one node (ingest's own record de-dup), in one load each time. */
  async function referenceLoad(paths: string[], force = false): Promise<number> {
    const database = await Database.open(store);
    try {
      return (await database.ingest('events_ref', paths, { force })).rowsLoaded;
    } finally {
      await database.close();
    }
  }

  it('keeps each key once across the parts of 3 nodes, as a single-node load does', async () => {
    // Record batches of 500 rows: the last test reads their zone maps.
    const summary = await ingestRemote(nodes[0].wsUrl, 'events', files.slice(0, 3), { batchRowsMax: 500 });
    assert.deepEqual(summary.nodes.map((share) => share.node), ['n1', 'n2', 'n3'], 'one file per node');
    assert.equal(summary.rowsLoaded, 7_000);
    // 1,000 keys of b are in a, 1,000 of c in b, and c repeats 10 of its own.
    assert.equal(summary.rowsDuplicate, 2_010);
    assert.equal(await referenceLoad(files.slice(0, 3)), 7_000);
    assert.deepEqual(await contents('events'), await contents('events_ref'));
    assert.deepEqual((await contents('events'))[0].slice(0, 2).map(Number), [7_000, 7_000]);
    // The earlier file's record won: ids 2000..2999 keep a's values (v ends in 1).
    const winners = await client.query('SELECT count(*) FROM events WHERE id BETWEEN 2000 AND 2999 AND v % 10 = 1');
    assert.equal(Number(winners.rows[0][0]), 1_000);
  });

  it('a second load of the same files adds nothing: skipped by load hash, and forced, every record dropped as a duplicate', async () => {
    const again = await ingestRemote(nodes[1].wsUrl, 'events', files.slice(0, 3), {});
    assert.equal(again.rowsLoaded, 0);
    assert.deepEqual(again.filesSkipped.length, 3);
    const forced = await ingestRemote(nodes[1].wsUrl, 'events', files.slice(0, 3), { force: true });
    assert.equal(forced.rowsLoaded, 0);
    assert.equal(forced.rowsDuplicate, 9_010);
    assert.equal(await referenceLoad(files.slice(0, 3), true), 0);
    assert.deepEqual(await contents('events'), await contents('events_ref'));
  });

  it('an overlapping file adds only its new keys (beside a file of new keys only)', async () => {
    const summary = await ingestRemote(nodes[2].wsUrl, 'events', files.slice(3), {});
    assert.equal(summary.nodes.length, 2, 'one file per node');
    assert.equal(summary.rowsLoaded, 1_500);
    assert.equal(summary.rowsDuplicate, 500);
    assert.equal(await referenceLoad(files.slice(3)), 1_500);
    assert.deepEqual(await contents('events'), await contents('events_ref'));
    assert.deepEqual((await contents('events'))[0].slice(0, 2).map(Number), [8_500, 8_500]);
  });

  it('reports the batches workers read and skipped by zone maps in the summary and EXPLAIN ANALYZE', async () => {
    // ids 100..200 lie in the first 500-row batch of file a's partition (6 batches); the other partitions are pruned.
    const sql = 'SELECT count(*), sum(v) FROM events WHERE id BETWEEN 100 AND 200';
    const result = await client.query(sql);
    assert.deepEqual(result.rows.map((row) => row.map(Number)), [[101, 15_150 * 10 + 101]]);
    assert.equal(result.summary.partitionsScanned, 1);
    assert.equal(result.summary.batchesRead, 1);
    assert.equal(result.summary.batchesSkipped, 5);
    assert.equal(result.summary.rowsScanned, 500);
    const explain = await client.query(`EXPLAIN ANALYZE ${sql}`);
    const text = explain.rows.map((row) => String(row[0])).join('\n');
    assert.match(text, /actual: partitions read=1\/\d+, batches read=1 skipped=5, rows read=500/, text);
    assert.match(text, /^Actual: 1 row in \d+\.\d\d s; partitions 1\/\d+, batches 1\/6 read$/m, text);
    // The CLI through a node prints the same counts in its summary line (stderr; stdout keeps the rows).
    const run = await runCliOk(['sql', '--url', nodes[1].wsUrl, '--format', 'csv', sql]);
    assert.equal(run.stdout.trim().split('\n')[1], '101,151601');
    assert.match(run.stderr, /^1 row in \d+\.\d\d s; partitions 1\/\d+, batches 1\/6 read\n$/);
  });
});
