/**
 * Acceptance: a malformed CSV gets an error naming line and column and nothing is committed;
 * with --on-error reject the rejects file holds exactly the bad lines; loading the same file
 * twice is a no-op unless --force.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliOk } from '../support/cli.js';
import { makeTempDirectory } from '../support/paths.js';

describe('strata ingest: bad input, rejects and load de-duplication', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  const good = join(temp.path, 'good.csv');
  const bad = join(temp.path, 'bad.csv');
  const badLines = ['3,three,not-a-number,2024-01-03', '5,five,5.5,2024-02-30'];

  before(async () => {
    await runCliOk(['sql', '--store', store, 'CREATE TABLE t (id INTEGER NOT NULL, name VARCHAR, amount DECIMAL(10,2), day DATE)']);
    writeFileSync(good, 'id,name,amount,day\n1,one,1.50,2024-01-01\n2,"two, quoted",2.25,2024-01-02\n');
    writeFileSync(bad, ['id,name,amount,day', '1,one,1.00,2024-01-01', badLines[0], '4,four,4.00,2024-01-04', badLines[1], '6,six,6.00,'].join('\n') + '\n');
  });
  after(() => temp.remove());

  async function count(): Promise<string> {
    const run = await runCliOk(['sql', '--store', store, '--format', 'csv', 'SELECT count(*) AS n FROM t']);
    return run.stdout.trim().split('\n')[1];
  }

  it('loads a good file and reports the rows', async () => {
    const run = await runCliOk(['ingest', '--store', store, '--table', 't', good]);
    assert.match(run.stdout, /t: loaded 2 rows/);
    assert.equal(await count(), '2');
  });

  it('refuses a --threads outside 1..4 before reading anything', async () => {
    for (const threads of ['0', '5', 'two']) {
      const run = await runCli(['ingest', '--store', store, '--table', 't', '--threads', threads, good]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /CLI_USAGE.*--threads takes a whole number from 1 to 4/);
    }
    assert.equal(await count(), '2');
  });

  it('aborts a malformed file with file:line:column and commits nothing', async () => {
    const run = await runCli(['ingest', '--store', store, '--table', 't', bad]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /INGEST_BAD_VALUE/);
    assert.match(run.stderr, /bad\.csv:3:3/);
    assert.match(run.stderr, /not-a-number/);
    assert.equal(await count(), '2');
  });

  it('rejects exactly the bad lines with --on-error reject and commits the rest', async () => {
    const rejects = join(temp.path, 'bad.rejects');
    const run = await runCliOk(['ingest', '--store', store, '--table', 't', '--on-error', 'reject', '--rejects', rejects, bad]);
    assert.match(run.stdout, /loaded 3 rows/);
    assert.match(run.stdout, /2 bad line\(s\) rejected/);
    assert.deepEqual(readFileSync(rejects, 'utf8').split('\n').filter((line) => line.length > 0), badLines);
    assert.equal(await count(), '5');
    const nulls = await runCliOk(['sql', '--store', store, '--format', 'csv', 'SELECT count(*) FROM t WHERE day IS NULL']);
    assert.equal(nulls.stdout.trim().split('\n')[1], '1');
  });

  it('skips a file loaded before, and loads it again with --force', async () => {
    const again = await runCliOk(['ingest', '--store', store, '--table', 't', good]);
    assert.match(again.stdout, /already loaded/);
    assert.equal(await count(), '5');
    await runCliOk(['ingest', '--store', store, '--table', 't', '--force', good]);
    assert.equal(await count(), '7');
  });

  it('names an unknown table and a missing file', async () => {
    const noTable = await runCli(['ingest', '--store', store, '--table', 'missing', good]);
    assert.equal(noTable.code, 1);
    assert.match(noTable.stderr, /TABLE_NOT_FOUND/);
    const noFile = await runCli(['ingest', '--store', store, '--table', 't', join(temp.path, 'nope.csv')]);
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /nope\.csv/);
  });

  it('gives a SQL error with its position', async () => {
    const run = await runCli(['sql', '--store', store, 'SELECT id FROM t WHERE']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /SQL_SYNTAX_ERROR/);
    assert.match(run.stderr, /line 1/);
    const unknown = await runCli(['sql', '--store', store, 'SELECT nope FROM t']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /COLUMN_NOT_FOUND/);
  });

  it('refuses a bad command line with usage', async () => {
    const run = await runCli(['ingest', '--store', store, '--table', 't', '--on-error', 'maybe', good]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--on-error must be abort or reject/);
  });
});
