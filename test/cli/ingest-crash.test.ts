/**
 * Acceptance: a load killed with SIGKILL at any point leaves the table at its previous version
 * (or, if the kill came after the commit, the complete load) — never a part — and readable.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Database, textRowsOf } from '../../service-manager/index.js';
import { runCliOk } from '../support/cli.js';
import { cliPath, makeTempDirectory, tpchDirectory } from '../support/paths.js';

const ordersDdl = `CREATE TABLE orders (o_orderkey INTEGER NOT NULL, o_custkey INTEGER NOT NULL, o_orderstatus CHAR(1) NOT NULL,
  o_totalprice DECIMAL(15,2) NOT NULL, o_orderdate DATE NOT NULL, o_orderpriority CHAR(15) NOT NULL, o_clerk CHAR(15) NOT NULL,
  o_shippriority INTEGER NOT NULL, o_comment VARCHAR(79) NOT NULL)`;
const ordersRows = 150_000;

function killedIngest(store: string, file: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'ingest', '--store', store, '--table', 'orders', '--force', file], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('error', reject);
    child.on('exit', () => { clearTimeout(timer); resolve(); });
  });
}

describe('SIGKILL during ingest', function () {
  this.timeout(300_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  const file = join(tpchDirectory, 'sf0.1', 'orders.tbl.zst');

  before(async () => {
    await runCliOk(['sql', '--store', store, ordersDdl]);
    await runCliOk(['ingest', '--store', store, '--table', 'orders', file]);
  });
  after(() => temp.remove());

  it('never leaves a partial load visible', async () => {
    let loads = 1;
    // Kill points spread from process start-up to well into the load.
    for (const delayMs of [30, 150, 300, 600, 900, 1300, 1800, 2500]) {
      await killedIngest(store, file, delayMs);
      const database = await Database.open(store);
      try {
        const rows = Number(textRowsOf((await database.sql('SELECT count(*) FROM orders')).batches)[0][0]);
        assert.equal(rows % ordersRows, 0, `after a kill at ${delayMs} ms the table holds ${rows} rows, not whole loads`);
        assert.ok(rows / ordersRows >= loads, 'a committed load disappeared');
        loads = rows / ordersRows;
        const distinct = textRowsOf((await database.sql('SELECT count(DISTINCT o_orderkey), sum(o_totalprice) FROM orders')).batches)[0];
        assert.equal(distinct[0], String(ordersRows));
      } finally {
        await database.close();
      }
    }
  });
});
