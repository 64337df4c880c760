/**
 * SQL over WebSocket streams with bounded memory, against a real node process: a client that
 * stops reading pauses the plan (the node's counters show it), progress arrives while a query
 * runs, cancel stops the plan mid-stream, and an error met mid-stream follows the rows already
 * sent without closing the connection. REST stops pulling past restRowsMax.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { decodeBatches } from '../../service-manager/arrow-ipc.js';
import { runCliOk } from '../support/cli.js';
import { nodeCounters, startNodeProcess, waitFor, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory } from '../support/paths.js';

/**
 * Rows and partitions of the test table: many small partitions, so progress has steps to show and
 * the coordinator's exchange (which holds up to 32 finished partitions' batches) holds little.
 */
const tableRows = 10_000;
const partitionRows = 50;
/** Each result row carries this much text: 10,000 rows make a ~20 MB answer, far above the socket buffers. */
const pad = 'x'.repeat(2_000);

type Message = Record<string, unknown>;

/** A raw WebSocket client that records every text message and counts rows per query id. */
class RecordingClient {
  readonly messages: Message[] = [];
  readonly ids = new Map<string, number[]>();
  /** Rows that came in Arrow frames. */
  arrowRows = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        const headerLength = data.readUInt32LE(0);
        for (const batch of decodeBatches(new Uint8Array(data.subarray(4 + headerLength))).batches) this.arrowRows += batch.length;
        return;
      }
      const message = JSON.parse(data.toString()) as Message;
      if (message.type === 'rows') {
        const ids = this.ids.get(String(message.id)) ?? [];
        for (const row of message.rows as unknown[][]) ids.push(row[0] as number);
        this.ids.set(String(message.id), ids);
        message.rows = (message.rows as unknown[][]).length; // keep the count, not the text
      }
      this.messages.push(message);
      for (const waiter of this.waiters) waiter();
    });
  }

  static async connect(url: string): Promise<RecordingClient> {
    const socket = new WebSocket(`${url}/v1/sql`, { maxPayload: 64 * 1024 * 1024 });
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    return new RecordingClient(socket);
  }

  send(message: Message): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Stops reading the TCP socket: the node's writes back up into its kernel and ws buffers. */
  pauseReading(): void {
    (this.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resumeReading(): void {
    (this.socket as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  /** The query's final message (done or error), once it arrives. */
  async end(id: string, timeoutMs = 60_000): Promise<Message> {
    const find = () => this.messages.find((message) => message.id === id && (message.type === 'done' || message.type === 'error'));
    const deadline = Date.now() + timeoutMs;
    while (find() === undefined) {
      if (Date.now() > deadline) throw new Error(`no done/error for query ${id}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 200); });
      this.waiters = [];
    }
    return find()!;
  }

  ofQuery(id: string): Message[] {
    return this.messages.filter((message) => message.id === id);
  }

  close(): void {
    this.socket.terminate();
  }
}

describe('SQL over WebSocket streaming', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory();
  const store = join(temp.path, 'store');
  let node: NodeProcess;

  before(async () => {
    await runCliOk(['sql', '--store', store, 'CREATE TABLE big (id INTEGER NOT NULL, v INTEGER)']);
    const lines = ['id,v'];
    for (let i = 0; i < tableRows; i++) lines.push(`${i},${i % 13}`);
    writeFileSync(join(temp.path, 'big.csv'), `${lines.join('\n')}\n`);
    await runCliOk(['ingest', '--store', store, '--table', 'big', '--partition-rows', String(partitionRows), join(temp.path, 'big.csv')]);
    // A small socket allowance makes the pause come early; compaction off keeps the partitions as loaded.
    const config = join(temp.path, 'node.json');
    writeFileSync(config, JSON.stringify({ limits: { wsBufferedBytesMax: 256 * 1024, streamRowsPerMessage: 500, restRowsMax: 5_000 }, compaction: { enabled: false } }));
    node = await startNodeProcess(['--store', store, '--id', 's1', '--config', config]);
  });
  after(async () => {
    await node?.kill();
    temp.remove();
  });

  /** Sends `sql` from a client that does not read, and waits until the node has paused it. */
  async function pausedQuery(client: RecordingClient, id: string, sql: string): Promise<Record<string, number>> {
    const before = await nodeCounters(node);
    client.pauseReading();
    client.send({ type: 'query', id, sql });
    await waitFor(async () => (await nodeCounters(node)).streamPauses > before.streamPauses, 'the node to pause the stream');
    return before;
  }

  it('pauses the plan while the client does not read, then delivers every row exactly once', async () => {
    const client = await RecordingClient.connect(node.wsUrl);
    try {
      const before = await pausedQuery(client, 'b1', `SELECT id, '${pad}' AS pad FROM big`);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const paused = await nodeCounters(node);
      const sentWhilePaused = paused.resultRowsSent - before.resultRowsSent;
      assert.ok(sentWhilePaused > 0 && sentWhilePaused < tableRows, `rows handed to the socket while paused: ${sentWhilePaused}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal((await nodeCounters(node)).resultRowsSent, paused.resultRowsSent, 'the plan stays paused while the client does not read');
      client.resumeReading();
      const done = await client.end('b1');
      assert.equal(done.type, 'done', JSON.stringify(done));
      assert.equal(done.rows, tableRows);
      // A gather over partitions run side by side has no order without ORDER BY: each row once is the contract.
      const ids = client.ids.get('b1') ?? [];
      assert.equal(ids.length, tableRows);
      assert.deepEqual(ids.toSorted((a, b) => a - b), Array.from({ length: tableRows }, (_, i) => i));
      const after = await nodeCounters(node);
      assert.equal(after.resultRowsSent - before.resultRowsSent, tableRows);
      assert.equal(after.resultBatchesSent - before.resultBatchesSent, tableRows / partitionRows);
    } finally {
      client.close();
    }
  });

  it('pauses Arrow frame streams too', async () => {
    const client = await RecordingClient.connect(node.wsUrl);
    try {
      const before = await nodeCounters(node);
      client.pauseReading();
      // Arrow dictionary-encodes a repeated string to almost nothing: make every row's text distinct.
      client.send({ type: 'query', id: 'a1', sql: `SELECT id, '${pad}' || CAST(id AS VARCHAR) AS pad FROM big`, format: 'arrow' });
      await waitFor(async () => (await nodeCounters(node)).streamPauses > before.streamPauses, 'the node to pause the Arrow stream');
      const sent = (await nodeCounters(node)).resultRowsSent - before.resultRowsSent;
      assert.ok(sent < tableRows, `rows handed to the socket while paused: ${sent}`);
      client.resumeReading();
      const done = await client.end('a1');
      assert.equal(done.type, 'done');
      assert.equal(done.rows, tableRows);
      assert.equal(client.arrowRows, tableRows);
    } finally {
      client.close();
    }
  });

  it('sends progress, rising and within partitionsTotal, before done', async () => {
    const client = await RecordingClient.connect(node.wsUrl);
    try {
      await pausedQuery(client, 'p1', `SELECT id, '${pad}' AS pad FROM big`);
      // Paused mid-table, the progress timer reports the partitions read so far.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      client.resumeReading();
      const done = await client.end('p1');
      assert.equal(done.type, 'done');
      const messages = client.ofQuery('p1');
      const progress = messages.filter((message) => message.type === 'progress');
      assert.ok(progress.length >= 1, 'at least one progress message');
      const steps = progress.map((message) => message.partitionsDone as number);
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], `progress rises: ${steps.join(', ')}`);
      for (const message of progress) assert.equal(message.partitionsTotal, tableRows / partitionRows);
      assert.ok(steps[0] > 0 && steps[0] < tableRows / partitionRows, `first progress mid-table: ${steps.join(', ')}`);
      assert.ok(messages.indexOf(progress.at(-1)!) < messages.indexOf(done), 'progress comes before done');
      assert.equal(done.partitionsScanned, tableRows / partitionRows);
    } finally {
      client.close();
    }
  });

  it('cancel mid-stream stops the plan; the connection serves the next query', async () => {
    const client = await RecordingClient.connect(node.wsUrl);
    try {
      const before = await pausedQuery(client, 'c1', `SELECT id, '${pad}' AS pad FROM big`);
      client.send({ type: 'cancel', id: 'c1' });
      await waitFor(async () => (await nodeCounters(node)).queriesCancelled === before.queriesCancelled + 1, 'the node to count the query cancelled');
      const cancelled = await nodeCounters(node);
      const sent = cancelled.resultRowsSent - before.resultRowsSent;
      assert.ok(sent < tableRows, `rows sent before the cancel: ${sent}`);
      client.resumeReading();
      const end = await client.end('c1');
      assert.equal(end.type, 'error');
      assert.equal(end.code, 'QUERY_CANCELLED');
      assert.ok((client.ids.get('c1') ?? []).length <= sent);
      assert.equal((await nodeCounters(node)).resultRowsSent, cancelled.resultRowsSent, 'nothing more is produced after the cancel');
      client.send({ type: 'query', id: 'c2', sql: 'SELECT count(*) FROM big' });
      assert.equal((await client.end('c2')).type, 'done');
    } finally {
      client.close();
    }
  });

  it('an error met mid-stream follows the rows already sent; the connection keeps serving', async () => {
    const client = await RecordingClient.connect(node.wsUrl);
    try {
      const before = await nodeCounters(node);
      // UNION ALL runs its inputs one after the other: the first one's rows go out, then the cast fails in the second.
      const failAt = 9_000;
      const cast = `CAST(CASE WHEN id < ${failAt} THEN '1' ELSE 'x' || CAST(id AS VARCHAR) END AS INTEGER)`;
      client.send({ type: 'query', id: 'e1', sql: `SELECT id, ${cast} AS n FROM (SELECT id FROM big WHERE id < ${failAt} UNION ALL SELECT id FROM big WHERE id >= ${failAt}) AS u` });
      const end = await client.end('e1');
      assert.equal(end.type, 'error', JSON.stringify(end));
      assert.equal(end.code, 'INVALID_CAST');
      const messages = client.ofQuery('e1');
      assert.equal(messages[0].type, 'schema');
      const received = client.ids.get('e1') ?? [];
      assert.equal(received.length, failAt, 'every row of the first input arrived before the error');
      assert.ok(received.every((id) => id < failAt));
      assert.ok(messages.indexOf(end) > messages.findIndex((message) => message.type === 'rows'), 'the error follows rows');
      assert.equal((await nodeCounters(node)).queriesFailed, before.queriesFailed + 1);
      client.send({ type: 'query', id: 'e2', sql: 'SELECT count(*) FROM big' });
      const next = await client.end('e2');
      assert.equal(next.type, 'done');
      assert.equal(next.rows, 1);
    } finally {
      client.close();
    }
  });

  it('REST refuses a result past restRowsMax and answers one within it', async () => {
    const response = await fetch(`${node.httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT id FROM big' }) });
    assert.equal(response.status, 429);
    const body = await response.json() as { error: { code: string } };
    assert.equal(body.error.code, 'RESULT_TOO_LARGE');
    const small = await fetch(`${node.httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT id FROM big WHERE id < 5000' }) });
    assert.equal(small.status, 200);
    assert.equal((await small.json() as { rows: unknown[] }).rows.length, 5_000);
  });
});
