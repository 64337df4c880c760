/** Scans through the storage catalog skip record batches their zone maps rule out, and answer as if they had not. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../service-manager/index.js';
import { StoreCatalog, Types, type Batch, type Schema } from '../../storage/index.js';
import { batchOf } from '../storage/storage-fixtures.js';

const rows = 10_000;
/** Small record batches so a range of keys covers only a few of them. */
const batchRows = 1_000;

describe('storage catalog scans with zone maps', () => {
  let directory: string;
  let database: Database;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'strata-zone-scan-'));
    database = await Database.open(directory);
    await database.sql('CREATE TABLE t (k INTEGER NOT NULL, v INTEGER, s VARCHAR NOT NULL)');
    const schema: Schema = { fields: [
      { name: 'k', type: Types.int32, nullable: false },
      { name: 'v', type: Types.int32, nullable: true },
      { name: 's', type: Types.string, nullable: false },
    ] };
    // k ascends, so each batch holds one run of keys; v has NULLs; s cycles through a few strings.
    const k = Array.from({ length: rows }, (_, i) => i);
    const v = k.map((i) => (i % 11 === 0 ? null : i % 7));
    const s = k.map((i) => ['air', 'rail', 'ship'][i % 3]);
    const batch: Batch = batchOf(schema, [k, v, s]);
    const table = await new StoreCatalog(database.store).openTable('t');
    for (const encodings of ['plain', 'auto'] as const) {
      const snapshot = await table.snapshot();
      const partition = await table.writePartition([batch], { batchRowsMax: batchRows, encodings });
      await table.commit(snapshot.version, { add: [partition], remove: [], info: { operation: 'test' } });
    }
  });
  after(async () => {
    await database.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** Rows and rows scanned of a query with the given WHERE, and of the same WHERE made opaque to zone maps (k + 0). */
  async function both(where: string): Promise<{ rows: unknown[][]; scanned: number; opaqueScanned: number }> {
    const sql = `SELECT count(*), sum(v), count(v), min(s), max(k) FROM t WHERE `;
    const opaqueWhere = where.replaceAll('k ', 'k + 0 ');
    const skipping = await database.sql(sql + where);
    const opaque = await database.sql(sql + opaqueWhere);
    const [a, b] = [(await database.query(sql + where)).rows, (await database.query(sql + opaqueWhere)).rows];
    assert.deepEqual(a, b, `${where}: same answer with and without batch skipping`);
    return { rows: a, scanned: skipping.stats.rowsScanned, opaqueScanned: opaque.stats.rowsScanned };
  }

  it('reads only the batches a key range can touch, with the same answer', async () => {
    const { rows: result, scanned, opaqueScanned } = await both('k BETWEEN 2500 AND 3499');
    let sum = 0;
    let count = 0;
    for (let i = 2500; i <= 3499; i++) if (i % 11 !== 0) { sum += i % 7; count++; }
    assert.equal(Number(result[0][0]), 2000);
    assert.equal(Number(result[0][1]), 2 * sum);
    assert.equal(Number(result[0][2]), 2 * count);
    assert.equal(result[0][3], 'air');
    assert.equal(Number(result[0][4]), 3499);
    // Two partitions, each with the batches of keys 2000-2999 and 3000-3999.
    assert.equal(scanned, 2 * 2 * batchRows);
    assert.equal(opaqueScanned, 2 * rows);
  });

  it('keeps every batch an OR, IN or IS NULL may match, and skips those none can', async () => {
    for (const where of ['k < 10 OR k >= 9990', 'k IN (5, 5005, 12000)', 'v IS NULL AND k > 8999', "k = 4321 AND s = 'air'", 'k > 20000']) {
      const { scanned, opaqueScanned } = await both(where);
      assert.ok(scanned < opaqueScanned, `${where}: scanned ${scanned} of ${opaqueScanned}`);
    }
    const none = await database.query('SELECT count(*) FROM t WHERE k > 20000');
    assert.equal(Number(none.rows[0][0]), 0);
  });
});
