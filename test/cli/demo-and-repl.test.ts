/** The embedded default (`strata demo`) and the interactive prompt, as a user runs them. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

describe('strata demo and the SQL prompt', function () {
  this.timeout(300_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'demo');
  after(() => temp.remove());

  it('creates a store with the sample access log, ready for SQL', async () => {
    const run = await runCliOk(['demo', '--store', store, '--tpch', join(temp.path, 'no-tpch-here')]);
    assert.match(run.stdout, /access_log: loaded 200,000 rows/);
    assert.match(run.stdout, /strata is ready/);
    const query = await runCliOk(['sql', '--store', store, '--format', 'csv',
      'SELECT count(*) AS n, count(DISTINCT path) AS paths, min(ts) >= TIMESTAMP \'2026-01-01 00:00:00\' AS recent FROM access_log']);
    assert.deepEqual(query.stdout.trim().split('\n'), ['n,paths,recent', '200000,14,true']);
  });

  it('is idempotent: a second start loads nothing again', async () => {
    const run = await runCliOk(['demo', '--store', store, '--tpch', join(temp.path, 'no-tpch-here')]);
    assert.doesNotMatch(run.stdout, /loaded 200,000 rows/);
    const query = await runCliOk(['sql', '--store', store, '--format', 'csv', 'SELECT count(*) FROM access_log']);
    assert.equal(query.stdout.trim().split('\n')[1], '200000');
  });

  it('runs statements typed at the prompt, across lines, and keeps going after an error', async () => {
    const input = [
      'CREATE TABLE notes (id INTEGER, body VARCHAR);',
      "INSERT INTO notes VALUES (1, 'first'), (2, NULL),",
      "  (3, 'third');",
      'SELECT nope FROM notes;',
      '.format csv',
      'SELECT id, body FROM notes ORDER BY id;',
      '.quit',
    ].join('\n');
    const run = await runCli(['sql', '--store', store], { input });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /COLUMN_NOT_FOUND/);
    assert.match(run.stdout, /id,body\n1,first\n2,\n3,third\n/);
  });

  it('prints help and refuses unknown commands', async () => {
    assert.match((await runCliOk(['help'])).stdout, /strata sql --store DIR/);
    const run = await runCli(['frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command 'frobnicate'/);
  });
});
