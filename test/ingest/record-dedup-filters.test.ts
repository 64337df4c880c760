/**
 * Record de-dup reads only the partitions that may hold a loaded key: min/max rules out
 * partitions for keys that grow with time, Bloom filters for keys inside their range.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestFiles, recordKeyProperty } from '../../ingest/index.js';
import { Table, Types, type LocalStore, type Schema } from '../../storage/index.js';
import { makeTempDirectory } from '../support/paths.js';
import { RecordingStore, temporaryStore } from '../storage/storage-fixtures.js';

const schema: Schema = { fields: [{ name: 'id', type: Types.int64, nullable: false }, { name: 'note', type: Types.string, nullable: true }] };

describe('record de-dup: partitions read to confirm keys', () => {
  let store: LocalStore;
  let cleanup: () => Promise<void>;
  const temp = makeTempDirectory();
  let recording: RecordingStore;
  let table: Table;
  after(() => temp.remove());
  before(async () => {
    ({ store, cleanup } = await temporaryStore('strata-dedup-filters-'));
    recording = new RecordingStore(store);
    table = await Table.create(recording, 'events', schema);
    await table.commit(0, { add: [], remove: [], info: { operation: 'key' } }, { properties: { [recordKeyProperty]: ['id'] } });
    // Even ids 0..9,998 in 5 partitions of 1,000 rows.
    await ingestFiles(table, [file('even.csv', Array.from({ length: 5000 }, (_, i) => i * 2))], { partitionRowsTarget: 1000 });
  });
  after(async () => cleanup());

  function file(name: string, ids: readonly number[]): string {
    const path = join(temp.path, name);
    writeFileSync(path, `id,note\n${ids.map((id) => `${id},n${id % 7}`).join('\n')}\n`);
    return path;
  }

  function partitionsRead(): number {
    return new Set(recording.ranges.filter((range) => range.path.includes('/data/')).map((range) => range.path)).size;
  }

  it('reads no partition for keys beyond every partition\'s range', async () => {
    recording.reset();
    const summary = await ingestFiles(table, [file('new.csv', Array.from({ length: 2000 }, (_, i) => 20_000 + i))]);
    assert.equal(summary.rowsLoaded, 2000);
    assert.equal(summary.rowsDuplicate, 0);
    assert.equal(partitionsRead(), 0);
  });

  it('reads no partition when the filters rule out keys inside the ranges, and only the holder for one old key', async () => {
    recording.reset();
    const odd = await ingestFiles(table, [file('odd.csv', Array.from({ length: 200 }, (_, i) => i * 50 + 1))]);
    assert.equal(odd.rowsLoaded, 200);
    assert.equal(partitionsRead(), 0);
    recording.reset();
    const old = await ingestFiles(table, [file('old.csv', [4002, 1_000_000])]);
    assert.equal(old.rowsLoaded, 1);
    assert.equal(old.rowsDuplicate, 1);
    assert.equal(partitionsRead(), 1, 'only the partition holding 4,002 is read');
  });
});
