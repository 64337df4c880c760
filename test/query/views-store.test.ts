/**
 * Views in a real store: CREATE VIEW writes views/<name>.json, later statements (and a reopened
 * database) bind the stored SQL, OR REPLACE swaps it, DROP VIEW removes it; names clash with
 * tables in either direction.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError } from '../../storage/index.js';
import { Database, textRowsOf } from '../../service-manager/index.js';
import { makeTempDirectory } from '../support/paths.js';

function isCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof StrataError && error.code === code;
}

describe('views stored in the store', function () {
  this.timeout(60_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');

  after(() => temp.remove());

  it('stores, reads after reopening, replaces and drops views', async () => {
    let database = await Database.open(store);
    await database.sql('CREATE TABLE t (a INTEGER, b VARCHAR)');
    await database.sql("INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')");
    await database.sql('CREATE VIEW v (doubled, label) AS SELECT a * 2, upper(b) FROM t WHERE a > 1');
    const file = join(store, 'views', 'v.json');
    assert.ok(existsSync(file));
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).columns, ['doubled', 'label']);
    await database.close();

    database = await Database.open(store);
    assert.deepEqual(textRowsOf((await database.sql('SELECT label, doubled FROM v ORDER BY doubled')).batches), [['Y', '4'], ['Z', '6']]);
    assert.deepEqual(textRowsOf((await database.sql('SELECT count(*) FROM v JOIN t ON v.doubled = t.a * 2')).batches), [['2']]);
    await assert.rejects(database.sql('CREATE VIEW v AS SELECT 1'), isCode('VIEW_EXISTS'));
    await assert.rejects(database.sql('CREATE TABLE v (z INTEGER)'), isCode('TABLE_EXISTS'));
    await assert.rejects(database.sql('CREATE VIEW t AS SELECT 1'), isCode('TABLE_EXISTS'));
    await database.sql('CREATE OR REPLACE VIEW v AS SELECT count(*) AS n FROM t');
    assert.deepEqual(textRowsOf((await database.sql('SELECT n FROM v')).batches), [['3']]);
    await database.sql('DROP VIEW v');
    assert.ok(!existsSync(file));
    await assert.rejects(database.sql('SELECT * FROM v'), isCode('TABLE_NOT_FOUND'));
    await assert.rejects(database.sql('DROP VIEW v'), isCode('VIEW_NOT_FOUND'));
    await database.sql('DROP VIEW IF EXISTS v');
    await database.close();
  });
});
