/**
 * A real service manager process on 127.0.0.1: health, REST, SQL over WebSocket (concurrent
 * queries, typed errors, bad input), token auth, graceful stop.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { StrataClient, StrataError } from '../../service-manager/index.js';
import { decodeBatches } from '../../service-manager/arrow-ipc.js';
import { runCli, runCliOk } from '../support/cli.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory } from '../support/paths.js';

describe('service manager process', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  let node: NodeProcess;

  before(async () => {
    await runCliOk(['sql', '--store', store, 'CREATE TABLE t (id INTEGER NOT NULL, grp VARCHAR, amount DECIMAL(12,2))']);
    const lines = ['id,grp,amount'];
    for (let i = 0; i < 50_000; i++) lines.push(`${i},g${i % 7},${(i / 4).toFixed(2)}`);
    writeFileSync(join(temp.path, 't.csv'), `${lines.join('\n')}\n`);
    await runCliOk(['ingest', '--store', store, '--table', 't', join(temp.path, 't.csv')]);
    node = await startNodeProcess(['--store', store, '--id', 'n1']);
  });
  after(async () => {
    await node?.kill();
    temp.remove();
  });

  it('binds 127.0.0.1 and answers /health', async () => {
    assert.match(node.httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await (await fetch(`${node.httpUrl}/health`)).json() as Record<string, unknown>;
    assert.equal(health.status, 'ok');
    assert.equal(health.node, 'n1');
  });

  it('serves SQL over REST with typed errors', async () => {
    const tables = await (await fetch(`${node.httpUrl}/v1/tables`)).json() as { tables: string[] };
    assert.deepEqual(tables.tables, ['t']);
    const response = await fetch(`${node.httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT grp, count(*), sum(amount) FROM t GROUP BY grp ORDER BY grp LIMIT 2' }) });
    assert.equal(response.status, 200);
    const body = await response.json() as { columns: string[]; rows: unknown[][] };
    // amount = id / 4; group g<r> holds ids r, r+7, r+14, … below 50,000.
    const expected = [0, 1].map((r) => {
      let sum = 0;
      let count = 0;
      for (let id = r; id < 50_000; id += 7) { sum += id; count += 1; }
      return [`g${r}`, count, sum / 4];
    });
    assert.deepEqual(body.rows, expected);
    const bad = await fetch(`${node.httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELEC 1' }) });
    assert.equal(bad.status, 400);
    const error = (await bad.json() as { error: { code: string; details: { position?: unknown } } }).error;
    assert.equal(error.code, 'SQL_SYNTAX_ERROR');
    assert.ok(error.details.position !== undefined);
  });

  it('names the node in the audit events of what it does', async () => {
    const sql = async (text: string) => {
      const response = await fetch(`${node.httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json() as { rows: unknown[][] }).rows;
    };
    await sql('CREATE TABLE audited (id INTEGER)');
    await sql('INSERT INTO audited VALUES (1), (2)');
    await sql('DROP TABLE audited');
    const rows = await sql("SELECT action, node FROM system.audit_log WHERE table_name = 'audited' ORDER BY time");
    assert.deepEqual(rows, [['create_table', 'n1'], ['insert', 'n1'], ['drop_table', 'n1']]);
  });

  it('streams results over WebSocket, several queries at once on one connection', async () => {
    const client = await StrataClient.connect(node.wsUrl);
    try {
      const [all, grouped, one] = await Promise.all([
        client.query('SELECT id, amount FROM t ORDER BY id'),
        client.query('SELECT grp, count(*) AS n FROM t GROUP BY grp ORDER BY grp'),
        client.query('SELECT 1 + 1 AS two'),
      ]);
      assert.equal(all.rows.length, 50_000);
      assert.deepEqual(all.rows[49_999], [49_999, '12499.75']);
      assert.deepEqual(all.columns, [{ name: 'id', type: 'INTEGER' }, { name: 'amount', type: 'DECIMAL(12,2)' }]);
      assert.equal(all.summary.rows, 50_000);
      assert.deepEqual(all.summary.nodes, ['n1']);
      assert.equal(grouped.rows.length, 7);
      assert.deepEqual(one.rows, [[2]]);
    } finally {
      await client.close();
    }
  });

  it('streams Arrow IPC frames when asked, with progress and a summary', async () => {
    const socket = new WebSocket(`${node.wsUrl}/v1/sql`);
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    const messages: Record<string, unknown>[] = [];
    const ids: number[] = [];
    let amounts = 0;
    const done = new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          const message = JSON.parse(data.toString()) as Record<string, unknown>;
          messages.push(message);
          if (message.type === 'done' || message.type === 'error') resolve();
          return;
        }
        const headerLength = data.readUInt32LE(0);
        const header = JSON.parse(data.subarray(4, 4 + headerLength).toString()) as { type: string; id: string };
        assert.deepEqual(header, { type: 'rows', id: 'a1' });
        const { schema, batches } = decodeBatches(new Uint8Array(data.subarray(4 + headerLength)));
        assert.deepEqual(schema.fields.map((field) => field.name), ['id', 'amount']);
        for (const batch of batches) {
          const idColumn = batch.columns[0];
          const amountColumn = batch.columns[1];
          for (let i = 0; i < batch.length; i++) {
            if (idColumn.kind === 'numeric') ids.push(Number(idColumn.values[i]));
            if (amountColumn.kind === 'numeric') amounts += Number(amountColumn.values[i]);
          }
        }
      });
    });
    socket.send(JSON.stringify({ type: 'query', id: 'a1', sql: 'SELECT id, amount FROM t WHERE id % 2 = 0', format: 'arrow' }));
    await done;
    socket.close();
    assert.equal(ids.length, 25_000);
    assert.equal(ids[0] % 2, 0);
    assert.equal(amounts, ids.reduce((sum, id) => sum + id * 25, 0)); // amount = id / 4, as a scaled integer (x100)
    const summary = messages.find((message) => message.type === 'done')!;
    assert.equal(summary.rows, 25_000);
    assert.deepEqual(messages.find((message) => message.type === 'schema')?.columns, [{ name: 'id', type: 'INTEGER' }, { name: 'amount', type: 'DECIMAL(12,2)' }]);
  });

  it('answers bad messages with typed errors and keeps serving', async () => {
    const client = await StrataClient.connect(node.wsUrl);
    try {
      client.sendRaw('this is not json');
      client.sendRaw(JSON.stringify({ type: 'launch', id: 'x' }));
      client.sendRaw(JSON.stringify({ type: 'query', sql: 'SELECT 1' }));
      await assert.rejects(client.query('SELECT nope FROM t'), (error: StrataError) => error.code === 'COLUMN_NOT_FOUND');
      await assert.rejects(client.query('SELECT * FROM missing_table'), (error: StrataError) => error.code === 'TABLE_NOT_FOUND');
      assert.deepEqual(client.unmatchedErrors.map((error) => error.code), ['BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE']);
      const after = await client.query('SELECT count(*) FROM t');
      assert.deepEqual(after.rows, [[50_000]]);
    } finally {
      await client.close();
    }
  });

  it('closes a connection that sends an oversized frame, and serves the next client', async () => {
    const client = await StrataClient.connect(node.wsUrl);
    const closed = new Promise<void>((resolve) => {
      void client.query(`SELECT '${'x'.repeat(2 * 1024 * 1024)}'`).catch(() => resolve());
    });
    await closed;
    const next = await StrataClient.connect(node.wsUrl);
    assert.deepEqual((await next.query('SELECT count(*) FROM t')).rows, [[50_000]]);
    await next.close();
  });

  it('runs `strata sql --url` against the node', async () => {
    const run = await runCliOk(['sql', '--url', node.wsUrl, '--format', 'csv', 'SELECT grp, count(*) AS n FROM t WHERE id < 70 GROUP BY grp ORDER BY grp LIMIT 3']);
    assert.equal(run.stdout, 'grp,n\ng0,10\ng1,10\ng2,10\n');
  });

  it('streams `strata sql --url` CSV and JSON rows as they arrive, the same text as a whole result', async () => {
    const csv = await runCliOk(['sql', '--url', node.wsUrl, '--format', 'csv', 'SELECT id, grp FROM t WHERE id < 20000']);
    const lines = csv.stdout.split('\n');
    assert.equal(lines[0], 'id,grp');
    assert.equal(lines.at(-1), '');
    const ids = lines.slice(1, -1).map((line) => Number(line.split(',')[0]));
    assert.deepEqual(ids.toSorted((a, b) => a - b), Array.from({ length: 20_000 }, (_, i) => i));
    assert.match(csv.stderr, /20,000 rows/);
    const json = await runCliOk(['sql', '--url', node.wsUrl, '--format', 'json', 'SELECT id, amount FROM t WHERE id < 3 ORDER BY id']);
    assert.equal(json.stdout, `${JSON.stringify({ columns: ['id', 'amount'], rows: [[0, '0.00'], [1, '0.25'], [2, '0.50']] })}\n`);
    const empty = await runCliOk(['sql', '--url', node.wsUrl, '--format', 'json', 'SELECT id FROM t WHERE id < 0']);
    assert.equal(empty.stdout, '{"columns":["id"],"rows":[]}\n');
    const ddl = await runCliOk(['sql', '--url', node.wsUrl, '--format', 'csv', 'CREATE TABLE streamed_ddl (id INTEGER)']);
    assert.equal(ddl.stdout, 'CREATE TABLE\n');
    const failed = await runCli(['sql', '--url', node.wsUrl, '--format', 'csv', 'SELECT CAST(grp AS INTEGER) FROM t']);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /INVALID_CAST/);
  });

  it('hands rows over as they arrive through StrataClient.stream', async () => {
    const client = await StrataClient.connect(node.wsUrl);
    try {
      let columns: unknown = null;
      let messages = 0;
      let rows = 0;
      const summary = await client.stream('SELECT id FROM t', {
        onColumns: (given) => { columns = given; },
        onRows: (given) => { messages += 1; rows += given.length; },
      });
      assert.deepEqual(columns, [{ name: 'id', type: 'INTEGER' }]);
      assert.equal(rows, 50_000);
      assert.equal(summary.rows, 50_000);
      assert.ok(messages >= 50_000 / 4096, `rows came in ${messages} messages`);
    } finally {
      await client.close();
    }
  });

  it('refuses a non-loopback bind without a token', async () => {
    const run = await runCli(['node', 'start', '--store', store, '--host', '0.0.0.0', '--port', '0']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /NODE_CONFIG_INVALID/);
    assert.match(run.stderr, /requires credentials/);
  });

  it('requires the token when one is configured', async () => {
    const token = 'a-long-enough-secret-token';
    const secured = await startNodeProcess(['--store', store, '--id', 'n2', '--host', '127.0.0.2', '--token', token]);
    try {
      assert.equal((await fetch(`${secured.httpUrl}/v1/tables`)).status, 401);
      assert.equal((await fetch(`${secured.httpUrl}/v1/tables`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status, 401);
      assert.equal((await fetch(`${secured.httpUrl}/v1/tables`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      await assert.rejects(StrataClient.connect(secured.wsUrl), (error: StrataError) => error.code === 'AUTH_REQUIRED');
      const client = await StrataClient.connect(secured.wsUrl, { token });
      assert.deepEqual((await client.query('SELECT count(*) FROM t')).rows, [[50_000]]);
      await client.close();
    } finally {
      assert.equal(await secured.stop(), 0);
    }
  });

  it('stops gracefully on SIGTERM', async () => {
    const other = await startNodeProcess(['--store', store, '--id', 'n3']);
    assert.equal(await other.stop(), 0);
    assert.ok(other.logs.some((entry) => entry.msg === 'stopped'));
  });
});
