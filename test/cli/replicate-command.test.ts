/**
 * `strata replicate --once`, run in-process on real stores: the round line names the key filters
 * and views it shipped (and views it dropped) beside the versions, files and lag.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replicateCommand } from '../../cli/replicate-command.js';
import { recordKeyProperty } from '../../ingest/index.js';
import { Database } from '../../service-manager/index.js';
import { StoreCatalog } from '../../storage/index.js';

/** Runs `work` and returns what it wrote to stdout. */
async function captured(work: () => Promise<void>): Promise<string> {
  const write = process.stdout.write;
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }) as typeof process.stdout.write;
  try {
    await work();
    return stdout;
  } finally {
    process.stdout.write = write;
  }
}

describe('strata replicate --once (in-process)', function () {
  this.timeout(60_000);
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'strata-replicate-command-'));
  });
  afterEach(async () => rm(directory, { recursive: true, force: true }));

  it('prints the key filters and views a round shipped, and views dropped', async () => {
    const primary = join(directory, 'primary');
    const secondary = join(directory, 'secondary');
    const csv = join(directory, 'rows.csv');
    await writeFile(csv, 'id,v\n1,a\n2,b\n3,c\n');
    const database = await Database.open(primary);
    try {
      await database.sql('CREATE TABLE k (id INTEGER NOT NULL, v VARCHAR)');
      const table = await new StoreCatalog(database.store).openTable('k');
      await table.commit(0, { add: [], remove: [], info: { operation: 'key' } }, { properties: { [recordKeyProperty]: ['id'] } });
      await database.ingest('k', [csv], { header: true });
      await database.sql('CREATE VIEW small_k AS SELECT id FROM k WHERE id < 3');

      const shipped = await captured(() => replicateCommand({ store: primary, to: secondary, once: true }));
      assert.match(shipped, /shipped 3 version\(s\), 5 file\(s\) \(1 key filter\(s\)\): k@2; views copied small_k; lag 0 version\(s\), 0\.0 s\n$/);

      await database.sql('DROP VIEW small_k');
      const dropped = await captured(() => replicateCommand({ store: primary, to: secondary, once: true }));
      assert.match(dropped, /shipped 0 version\(s\), 0 file\(s\): k@2; views dropped small_k; lag 0 version\(s\), 0\.0 s\n$/);
    } finally {
      await database.close();
    }
    const replica = await Database.open(secondary);
    try {
      assert.deepEqual(await replica.store.list('views'), []);
      assert.deepEqual((await replica.query('SELECT count(*) FROM k')).rows, [[3]]);
    } finally {
      await replica.close();
    }
  });
});
