/** StoreCatalog: list, create, open and drop tables; names are validated and case-insensitive. */
import assert from 'node:assert/strict';
import { StoreCatalog, Types, type LocalStore, type Schema } from '../../storage/index.js';
import { batchOf, rejection, temporaryStore } from './storage-fixtures.js';

const schema: Schema = { fields: [{ name: 'id', type: Types.int32, nullable: false }] };

describe('StoreCatalog', () => {
  let store: LocalStore;
  let catalog: StoreCatalog;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await temporaryStore('catalog'));
    catalog = new StoreCatalog(store);
  });
  afterEach(() => cleanup());

  it('lists created tables by lower-case name, sorted; ignores half-created directories', async () => {
    assert.deepEqual(await catalog.listTables(), []);
    await catalog.createTable('Zeta', schema);
    await catalog.createTable('alpha', schema, { dedupeKey: ['id'] });
    await store.mkdirs('tables/crashed_create/_log');
    assert.deepEqual(await catalog.listTables(), ['alpha', 'zeta']);
    const table = await catalog.openTable('ALPHA');
    assert.deepEqual(table.options, { dedupeKey: ['id'] });
    await rejection(catalog.createTable('ZETA', schema), 'TABLE_EXISTS');
    await rejection(catalog.createTable('no-dashes', schema), 'TABLE_NAME_INVALID');
  });

  it('drops a table with its data (through trash/) and allows re-creating it', async () => {
    const table = await catalog.createTable('t', schema);
    await table.commit(0, { add: [await table.writePartition([batchOf(schema, [[1, 2]])])], remove: [], info: {} });
    await catalog.dropTable('T');
    assert.deepEqual(await catalog.listTables(), []);
    assert.equal(await store.stat('tables/t'), null);
    assert.deepEqual(await store.list('trash'), []);
    await rejection(catalog.openTable('t'), 'TABLE_NOT_FOUND');
    await rejection(catalog.dropTable('t'), 'TABLE_NOT_FOUND');
    const again = await catalog.createTable('t', schema);
    assert.deepEqual((await again.snapshot()).partitions, []);
  });
});
