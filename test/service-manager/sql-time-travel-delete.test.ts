/**
 * SQL time travel, DELETE and INSERT record de-dup on a real Database over a temporary local
 * store: AS OF VERSION / TIMESTAMP return what the table held then, DELETE is one copy-on-write
 * commit refused by legal holds, DELETE + vacuum leaves no byte of a deleted value in the store,
 * and INSERT drops rows whose record key the table already holds.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { placeHold, readAuditLog, releaseHold, StoreCatalog, StrataError, type Table } from '../../storage/index.js';
import { recordKeyProperty } from '../../ingest/index.js';
import { Database } from '../../service-manager/index.js';
import type { FragmentExecutor } from '../../query/index.js';
import { filesContaining } from '../support/byte-scan.js';

async function failure(run: Promise<unknown>): Promise<StrataError> {
  try {
    await run;
  } catch (error) {
    assert.ok(error instanceof StrataError, String(error));
    return error;
  }
  assert.fail('expected the statement to fail');
}

describe('SQL time travel, DELETE and INSERT record de-dup on a Database', function () {
  this.timeout(60_000);
  let directory: string;
  let db: Database;
  let catalog: StoreCatalog;

  /** The rows of a query as plain values (counts and sums as numbers). */
  async function rows(sql: string): Promise<unknown[][]> {
    return (await db.query(sql)).rows.map((row) => row.map((value) => (typeof value === 'bigint' ? Number(value) : value)));
  }

  async function table(name: string): Promise<Table> {
    return catalog.openTable(name);
  }

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-time-travel-'));
    db = await Database.open(directory);
    catalog = new StoreCatalog(db.store);
    await db.sql('CREATE TABLE ev (id INTEGER NOT NULL, tag VARCHAR, amount DOUBLE)');
    await db.sql("INSERT INTO ev VALUES (1, 'a', 1.5), (2, 'b', 2.5), (3, 'a', 3.5), (4, 'c', 4.5), (5, 'b', 5.5)");
    await db.sql("INSERT INTO ev VALUES (6, 'a', 6.5), (7, 'd', 7.5), (8, 'd', 8.5)");
  });

  afterEach(async () => {
    await db.close();
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('AS OF VERSION reads old versions after DELETE, in FROM, JOIN, subqueries and CTEs', async () => {
    const summary = 'SELECT count(*), sum(id), sum(amount) FROM ev';
    const atOne = await rows(summary);
    assert.deepEqual(atOne, [[8, 36, 40]]);
    const deleted = await db.sql("DELETE FROM ev WHERE id <= 2 OR tag = 'd'");
    assert.equal(deleted.command, 'DELETE');
    assert.equal(deleted.rowsAffected, 4);
    assert.deepEqual(await rows(summary), [[4, 18, 20]]);
    assert.deepEqual(await rows(`${summary} AS OF VERSION 2`), atOne);
    assert.deepEqual(await rows('SELECT count(*) FROM ev AS OF VERSION 1 AS old'), [[5]]);
    assert.deepEqual(await rows('SELECT old.id FROM ev AS OF VERSION 2 old LEFT JOIN ev AS cur ON old.id = cur.id WHERE cur.id IS NULL ORDER BY old.id'),
      [[1], [2], [7], [8]]);
    assert.deepEqual(await rows('SELECT count(*) FROM (SELECT id FROM ev AS OF VERSION 2 WHERE tag = \'d\') AS d'), [[2]]);
    assert.deepEqual(await rows('WITH before AS (SELECT id FROM ev AS OF VERSION 2) SELECT count(*) FROM before WHERE id NOT IN (SELECT id FROM ev)'), [[4]]);
    assert.deepEqual(await rows('SELECT (SELECT max(id) FROM ev AS OF VERSION 1), max(id) FROM ev'), [[5, 6]]);
    const plan = (await db.query('EXPLAIN SELECT count(*) FROM ev AS OF VERSION 2 a JOIN ev b ON a.id = b.id')).rows.map((row) => row[0]).join('\n');
    assert.match(plan, /Scan: ev@v2 /);
    assert.match(plan, /Scan: ev /);
    // A DELETE that matches nothing commits nothing.
    const none = await db.sql('DELETE FROM ev WHERE id > 100');
    assert.equal(none.rowsAffected, 0);
    assert.equal((await (await table('ev')).snapshot()).version, 3);
  });

  it('AS OF runs on a cluster: fragments name the versioned table and workers read that version', async () => {
    await db.sql("DELETE FROM ev WHERE tag = 'a'");
    // Two "nodes" in one process: each fragment goes (as JSON, like the RPC) to a worker Database on the same store.
    const worker = await Database.open(directory);
    const tablesRun = new Set<string>();
    const executor: FragmentExecutor = {
      async *execute(task, signal, progress) {
        tablesRun.add(task.table);
        const ids = task.partitions.map((p) => p.id);
        for (let node = 0; node < 2; node++) {
          const partitionIds = ids.filter((_, i) => i % 2 === node);
          if (partitionIds.length === 0) continue;
          progress.nodeUsed(`n${node}`);
          const request = JSON.parse(JSON.stringify({ fragment: task.fragment, table: task.table, version: task.version, partitionIds }));
          for await (const output of worker.runFragment(request, signal)) {
            if (output.type === 'batch') yield output.batch;
            else progress.partitionDone();
          }
        }
      },
    };
    const cluster = await Database.open(directory, { fragmentExecutor: executor });
    try {
      for (const sql of [
        'SELECT count(*), sum(amount) FROM ev AS OF VERSION 1',
        'SELECT old.id FROM ev AS OF VERSION 2 old LEFT JOIN ev cur ON old.id = cur.id WHERE cur.id IS NULL ORDER BY old.id',
        'SELECT o.tag, count(*) FROM ev AS OF VERSION 2 o JOIN ev AS OF VERSION 1 f ON o.id = f.id GROUP BY o.tag ORDER BY o.tag',
      ]) {
        const single = await rows(sql);
        const distributed = (await cluster.query(sql)).rows.map((row) => row.map((value) => (typeof value === 'bigint' ? Number(value) : value)));
        assert.deepEqual(distributed, single, sql);
      }
      assert.deepEqual(await rows('SELECT old.id FROM ev AS OF VERSION 2 old LEFT JOIN ev cur ON old.id = cur.id WHERE cur.id IS NULL ORDER BY old.id'), [[1], [3], [6]]);
      assert.ok(tablesRun.has('ev@v1') && tablesRun.has('ev@v2'), `fragments ran over ${[...tablesRun].join(', ')}`);
    } finally {
      await cluster.close();
      await worker.close();
    }
  });

  it('AS OF TIMESTAMP picks the version current at that time (UTC text or ISO with a zone)', async () => {
    await db.sql('DELETE FROM ev');
    assert.deepEqual(await rows('SELECT count(*) FROM ev'), [[0]]);
    const history = await (await table('ev')).history();
    for (const entry of history) {
      // Versions committed in the same millisecond: the newest at that time wins.
      const expected = history.filter((e) => e.committedAtMs <= entry.committedAtMs).at(-1)!.version;
      const utc = new Date(entry.committedAtMs).toISOString().replace('T', ' ').replace('Z', '');
      const atUtc = await rows(`SELECT count(*) FROM ev AS OF TIMESTAMP '${utc}'`);
      assert.deepEqual(atUtc, await rows(`SELECT count(*) FROM ev AS OF VERSION ${expected}`), `at ${utc}`);
      const zoned = new Date(entry.committedAtMs + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
      assert.deepEqual(await rows(`SELECT count(*) FROM ev AS OF TIMESTAMP '${zoned}'`), atUtc, `at ${zoned}`);
    }
    const early = await failure(db.sql("SELECT * FROM ev AS OF TIMESTAMP '2001-01-01 00:00:00'"));
    assert.equal(early.code, 'TABLE_VERSION_NOT_FOUND');
    assert.match(early.message, /did not exist at 2001-01-01T00:00:00\.000Z.*line 1, column 18/);
  });

  it('reports clear errors for missing versions, AS OF on views and CTEs, and DELETE of a past version', async () => {
    const missing = await failure(db.sql('SELECT * FROM ev AS OF VERSION 9'));
    assert.equal(missing.code, 'TABLE_VERSION_NOT_FOUND');
    assert.match(missing.message, /table ev has no version 9; versions run from 0 to 2/);
    await db.sql('CREATE VIEW recent AS SELECT id FROM ev WHERE id > 4');
    const onView = await failure(db.sql('SELECT * FROM recent AS OF VERSION 1'));
    assert.equal(onView.code, 'TIME_TRAVEL_NOT_TABLE');
    assert.match(onView.message, /recent is a view.*column 22/);
    assert.equal((await failure(db.sql('DELETE FROM recent WHERE id = 5'))).code, 'TABLE_READ_ONLY');
    const onCte = await failure(db.sql('WITH w AS (SELECT 1 AS x) SELECT * FROM w AS OF VERSION 1'));
    assert.equal(onCte.code, 'TIME_TRAVEL_NOT_TABLE');
    const onDelete = await failure(db.sql('DELETE FROM ev AS OF VERSION 1 WHERE id = 1'));
    assert.equal(onDelete.code, 'TIME_TRAVEL_READ_ONLY');
    const subquery = await failure(db.sql('DELETE FROM ev WHERE id IN (SELECT id FROM ev)'));
    assert.equal(subquery.code, 'NOT_SUPPORTED');
    const badVersion = await failure(db.sql("SELECT * FROM ev AS OF VERSION 'x'"));
    assert.equal(badVersion.code, 'SQL_SYNTAX_ERROR');
    // A view that reads AS OF keeps reading that version.
    await db.sql('CREATE VIEW first_load AS SELECT count(*) AS n FROM ev AS OF VERSION 1');
    await db.sql('DELETE FROM ev WHERE id = 1');
    assert.deepEqual(await rows('SELECT n FROM first_load'), [[5]]);
  });

  it('DELETE under a legal hold fails and changes nothing; range holds refuse only deletes in their range', async () => {
    const ev = await table('ev');
    await placeHold(ev, { name: 'case-1', reason: 'litigation' });
    const versionBefore = (await ev.snapshot()).version;
    const held = await failure(db.sql('DELETE FROM ev WHERE id = 3'));
    assert.equal(held.code, 'LEGAL_HOLD_ACTIVE');
    assert.equal((await ev.snapshot()).version, versionBefore);
    assert.deepEqual(await rows('SELECT count(*) FROM ev'), [[8]]);
    await releaseHold(ev, 'case-1');
    await placeHold(ev, { name: 'range-1', reason: 'audit', column: 'id', from: 7, to: 9 });
    const inRange = await failure(db.sql('DELETE FROM ev WHERE amount > 5'));
    assert.equal(inRange.code, 'LEGAL_HOLD_ACTIVE');
    assert.deepEqual(await rows('SELECT count(*) FROM ev'), [[8]]);
    const partitionsBefore = (await ev.snapshot()).partitions.map((p) => p.id);
    assert.equal((await db.sql('DELETE FROM ev WHERE id = 3')).rowsAffected, 1);
    assert.deepEqual(await rows('SELECT count(*) FROM ev'), [[7]]);
    // Zone maps rule out the second INSERT's partition (ids 6..8): only the first is rewritten.
    const commit = (await ev.history()).at(-1)!;
    assert.deepEqual([commit.info.operation, commit.info.partitionsRewritten, commit.remove], ['purge', 1, [partitionsBefore[0]]]);
  });

  it('DELETE + vacuum(retainMs 0) leaves no trace of a deleted value; the old version then gives the vacuum error', async () => {
    const secret = 'secret-7f3a9c-unique';
    await db.sql(`INSERT INTO ev VALUES (9, '${secret}', 9.5), (10, 'e', 10.5)`);
    const withSecret = (await (await table('ev')).snapshot()).version;
    assert.deepEqual(await rows(`SELECT count(*) FROM ev WHERE tag = '${secret}'`), [[1]]);
    assert.notDeepEqual(await filesContaining(directory, secret), [], 'the byte scan finds the value while it is stored');
    assert.equal((await db.sql(`DELETE FROM ev WHERE tag = '${secret}'`)).rowsAffected, 1);
    assert.deepEqual(await rows(`SELECT id FROM ev AS OF VERSION ${withSecret} WHERE tag = '${secret}'`), [[9]]);
    const purges = (await readAuditLog(db.store)).filter((event) => event.action === 'purge' && event.table === 'ev');
    assert.deepEqual(purges.map((event) => event.details.rowsDeleted), [1], 'DELETE is audited as a purge with its count');
    await (await table('ev')).vacuum({ retainMs: 0 });
    assert.deepEqual(await filesContaining(directory, secret), []);
    assert.deepEqual(await rows('SELECT count(*) FROM ev'), [[9]]);
    const gone = await failure(db.sql(`SELECT * FROM ev AS OF VERSION ${withSecret}`));
    assert.equal(gone.code, 'TABLE_VERSION_VACUUMED');
    assert.match(gone.message, /vacuum deleted files it needs.*read version \d+ or later/);
  });

  it('INSERT drops rows whose record key the table holds or the INSERT repeats, and writes the key filter for later loads', async () => {
    await db.sql('CREATE TABLE k (id INTEGER, v VARCHAR)');
    const k = await table('k');
    await k.commit((await k.snapshot()).version, { add: [], remove: [], info: { operation: 'key' } }, { properties: { [recordKeyProperty]: ['id'] } });
    assert.equal((await db.sql("INSERT INTO k VALUES (1, 'a'), (2, 'b'), (2, 'c')")).rowsAffected, 2);
    assert.equal((await db.sql("INSERT INTO k VALUES (2, 'x'), (3, 'y'), (3, 'z')")).rowsAffected, 1);
    assert.equal((await db.sql("INSERT INTO k VALUES (1, 'again')")).rowsAffected, 0);
    assert.deepEqual(await rows('SELECT id, v FROM k ORDER BY id'), [[1, 'a'], [2, 'b'], [3, 'y']]);
    const filters = (await db.store.list(`${k.directory}/keys`)).filter((file) => file.path.endsWith('.bloom'));
    assert.equal(filters.length, 2, 'one key filter per inserted partition');
    const csv = path.join(directory, 'more.csv');
    await fs.writeFile(csv, 'id,v\n3,dup\n4,new\n');
    const summary = await db.ingest('k', [csv], { header: true });
    assert.deepEqual(await rows('SELECT id, v FROM k ORDER BY id'), [[1, 'a'], [2, 'b'], [3, 'y'], [4, 'new']], JSON.stringify(summary));
  });
});
