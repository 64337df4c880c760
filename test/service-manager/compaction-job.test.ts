/** Background compaction: one node per table and interval (the lease), the rows unchanged, config parsed and checked. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactionJobDefault, parseNodeConfig, runCompactionPass, type CompactionJobConfig } from '../../service-manager/index.js';
import { Table, Types, type LocalStore, type Schema } from '../../storage/index.js';
import { makeTempDirectory } from '../support/paths.js';
import { batchOf, collect, columnsOf, temporaryStore } from '../storage/storage-fixtures.js';

const schema: Schema = { fields: [{ name: 'id', type: Types.int32, nullable: false }, { name: 'tag', type: Types.string, nullable: true }] };
const config: CompactionJobConfig = { ...compactionJobDefault, intervalMs: 60_000, pauseMs: 0, vacuumRetainMs: 0 };

async function rowsOf(table: Table): Promise<string[]> {
  const rows: string[] = [];
  for (const meta of (await table.snapshot()).partitions) {
    const columns = columnsOf(await collect(table.readPartition(meta, [0, 1])), 2);
    for (let i = 0; i < columns[0].length; i++) rows.push(`${columns[0][i]}:${columns[1][i]}`);
  }
  return rows.sort();
}

describe('background compaction job', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await temporaryStore('strata-compaction-job-')));
  afterEach(async () => cleanup());

  it('compacts fresh partitions on exactly one of two racing nodes, then vacuums the replaced files', async () => {
    const table = await Table.create(store, 'events', schema);
    for (let load = 0; load < 4; load++) {
      const ids = Array.from({ length: 500 }, (_, i) => load * 500 + i);
      const meta = await table.writePartition([batchOf(schema, [ids, ids.map((id) => (id % 7 === 0 ? null : `t${id % 13}`))])]);
      await table.commit((await table.snapshot()).version, { add: [meta], remove: [], info: { operation: 'ingest' } });
    }
    const before = await rowsOf(table);
    const nowMs = Date.now();
    const [first, second] = await Promise.all([
      runCompactionPass(store, 'node-a', config, { nowMs }), runCompactionPass(store, 'node-b', config, { nowMs }),
    ]);
    const entries = [...first, ...second];
    assert.equal(entries.length, 2);
    assert.equal(entries.filter((entry) => entry.skipped).length, 1, 'the other node finds the lease taken');
    const done = entries.find((entry) => !entry.skipped)!;
    assert.equal(done.result?.removed, 4);
    assert.equal(done.result?.added, 1);
    assert.equal(done.vacuumedFiles, 4);
    const snapshot = await table.snapshot();
    assert.deepEqual(snapshot.partitions.map((meta) => [meta.rows, meta.zstdLevel]), [[2000, 19]]);
    assert.deepEqual(await rowsOf(table), before);
    // Nothing left to do: the next interval's pass takes no lease and compacts nothing.
    assert.deepEqual(await runCompactionPass(store, 'node-a', config, { nowMs: nowMs + config.intervalMs }), []);
  });

  it('reads the "compaction" settings of a node config file and rejects bad ones', () => {
    const temp = makeTempDirectory();
    try {
      const file = join(temp.path, 'node.json');
      writeFileSync(file, JSON.stringify({ store: temp.path, compaction: { enabled: false, intervalMs: 5000 } }));
      const parsed = parseNodeConfig({ configFile: file });
      assert.equal(parsed.compaction?.enabled, false);
      assert.equal(parsed.compaction?.intervalMs, 5000);
      assert.equal(parsed.compaction?.zstdLevel, 19);
      assert.equal(parseNodeConfig({ store: temp.path }).compaction?.enabled, true);
      writeFileSync(file, JSON.stringify({ store: temp.path, compaction: { zstdLevel: 40 } }));
      assert.throws(() => parseNodeConfig({ configFile: file }), /compaction.zstdLevel must be an integer 1-22/);
      writeFileSync(file, JSON.stringify({ store: temp.path, compaction: { every: 1 } }));
      assert.throws(() => parseNodeConfig({ configFile: file }), /unknown compaction setting 'every'/);
    } finally {
      temp.remove();
    }
  });
});
