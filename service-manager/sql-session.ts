/**
 * One WebSocket client's SQL session: parses its messages, runs its queries (several at once,
 * within limits), streams results with backpressure, and cancels. It knows nothing of fastify or
 * the socket library: the server hands it a SessionSocket.
 *
 * Results stream: each batch is sent as the plan produces it, and while the socket holds more
 * than wsBufferedBytesMax unsent bytes the session stops pulling, which pauses the plan. A node
 * therefore holds about one batch plus the socket's buffer per query, whatever the result size.
 */
import { StrataError, toStrataError, typeToSql, type Batch, type Schema } from '../storage/index.js';
import type { QueryProgress, QueryStream } from '../query/index.js';
import { encodeBatch } from './arrow-ipc.js';
import type { NodeLimits } from './node-config.js';
import type { NodeCounters } from './node-counters.js';
import { batchRowsJson } from './result-format.js';

/** What the session needs from the socket. */
export interface SessionSocket {
  /** Sends a text frame; resolves once the frame is handed to the network. */
  sendText(text: string): Promise<void>;
  /** Sends a binary frame; resolves once the frame is handed to the network. */
  sendBinary(data: Uint8Array): Promise<void>;
  /** Bytes queued but not yet written to the network. */
  bufferedBytes(): number;
}

/** Starts one statement (the node's engine or, in a cluster, the coordinator); its batches are pulled as they are sent. */
export type QueryRunner = (sql: string, signal: AbortSignal, onProgress: (progress: QueryProgress) => void) => Promise<QueryStream>;

/** The node counters a session adds to: outcomes, and what it streamed. */
export type SessionCounters = Pick<NodeCounters, 'queriesFailed' | 'queriesCancelled' | 'resultBatchesSent' | 'resultRowsSent' | 'streamPauses'>;

/** Time between progress messages: often enough to watch, rare enough to cost nothing. */
const progressIntervalMs = 250;

/** Node-wide count of running queries, shared by all sessions. */
export class QueryAdmission {
  running = 0;
  constructor(private readonly max: number) {}

  /** Takes a slot or throws TOO_MANY_QUERIES. */
  enter(): void {
    if (this.running >= this.max) {
      throw new StrataError('resources', 'TOO_MANY_QUERIES', `the node is running its limit of ${this.max} queries; retry shortly`);
    }
    this.running += 1;
  }

  /** Gives the slot back. */
  leave(): void {
    this.running -= 1;
  }
}

/** Longest client query id: ids are echoed in every message, so they stay short. */
const queryIdLengthMax = 64;

interface QueryMessage { type: 'query'; id: string; sql: string; format: 'json' | 'arrow'; decimals: 'number' | 'string' }
interface CancelMessage { type: 'cancel'; id: string }

function badMessage(message: string): StrataError {
  return new StrataError('input', 'BAD_MESSAGE', message);
}

function parseMessage(text: string): QueryMessage | CancelMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badMessage('a message must be one JSON object, e.g. {"type":"query","id":"1","sql":"SELECT 1"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badMessage('a message must be a JSON object');
  const message = value as Record<string, unknown>;
  const id = message.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > queryIdLengthMax) {
    throw badMessage(`"id" must be a string of 1-${queryIdLengthMax} characters`);
  }
  if (message.type === 'cancel') return { type: 'cancel', id };
  if (message.type !== 'query') throw badMessage(`unknown message type ${JSON.stringify(message.type)}; expected "query" or "cancel"`);
  if (typeof message.sql !== 'string') throw badMessage('"sql" must be a string');
  const format = message.format ?? 'json';
  if (format !== 'json' && format !== 'arrow') throw badMessage('"format" must be "json" or "arrow"');
  const decimals = message.decimals ?? 'number';
  if (decimals !== 'number' && decimals !== 'string') throw badMessage('"decimals" must be "number" or "string"');
  return { type: 'query', id, sql: message.sql, format, decimals };
}

/** A connection's session. */
export class SqlSession {
  private readonly running = new Map<string, AbortController>();
  private closed = false;
  private markClosed: () => void = () => {};
  /** Settles when the connection closes: a send waiting for the socket to drain stops waiting. */
  private readonly closedSignal = new Promise<void>((resolve) => { this.markClosed = resolve; });

  constructor(
    private readonly socket: SessionSocket,
    private readonly run: QueryRunner,
    private readonly limits: NodeLimits,
    private readonly admission: QueryAdmission,
    private readonly nodeId: string,
    private readonly counters: SessionCounters = { queriesFailed: 0, queriesCancelled: 0, resultBatchesSent: 0, resultRowsSent: 0, streamPauses: 0 },
  ) {}

  /** Handles one text frame from the client. */
  handleText(text: string): void {
    let message: QueryMessage | CancelMessage;
    try {
      message = parseMessage(text);
    } catch (error) {
      void this.sendError(null, error);
      return;
    }
    if (message.type === 'cancel') {
      this.running.get(message.id)?.abort(new StrataError('cancelled', 'QUERY_CANCELLED', `query ${message.id} was cancelled by the client`));
      return;
    }
    void this.startQuery(message);
  }

  /** Handles a binary frame: the protocol has none from clients. */
  handleBinary(): void {
    void this.sendError(null, badMessage('binary messages are not accepted; send JSON text frames'));
  }

  /** Cancels everything (the connection closed or the node is stopping). */
  close(): void {
    this.closed = true;
    this.markClosed();
    for (const controller of this.running.values()) controller.abort(new StrataError('cancelled', 'QUERY_CANCELLED', 'the connection closed'));
  }

  /** Queries still running. */
  get runningCount(): number {
    return this.running.size;
  }

  private async startQuery(message: QueryMessage): Promise<void> {
    if (this.running.has(message.id)) {
      await this.sendError(message.id, badMessage(`a query with id ${message.id} is already running on this connection`));
      return;
    }
    if (this.running.size >= this.limits.queriesPerConnectionMax) {
      await this.sendError(message.id, new StrataError('resources', 'TOO_MANY_QUERIES',
        `this connection already runs ${this.limits.queriesPerConnectionMax} queries; wait for one to finish`));
      return;
    }
    try {
      this.admission.enter();
    } catch (error) {
      await this.sendError(message.id, error);
      return;
    }
    const controller = new AbortController();
    this.running.set(message.id, controller);
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(this.limits.queryTimeoutMs)]);
    const progress = new ProgressReporter((done, total) => this.send({ type: 'progress', id: message.id, partitionsDone: done, partitionsTotal: total }));
    try {
      const stream = await this.run(message.sql, signal, (live) => progress.start(live));
      await this.streamResult(message, stream, signal, progress);
    } catch (error) {
      progress.stop();
      const reason = signal.aborted && signal.reason instanceof StrataError ? signal.reason : error;
      const timedOut = signal.aborted && !controller.signal.aborted;
      this.counters.queriesFailed += 1;
      if (signal.aborted) this.counters.queriesCancelled += 1;
      await this.sendError(message.id, timedOut
        ? new StrataError('cancelled', 'QUERY_TIMEOUT', `query ${message.id} ran longer than ${this.limits.queryTimeoutMs} ms and was cancelled`)
        : reason);
    } finally {
      progress.stop();
      this.running.delete(message.id);
      this.admission.leave();
    }
  }

  /**
   * Schema, then each batch as the plan yields it, then `done`. An error thrown here after rows
   * went out becomes an `error` message: the client discards the rows it got (docs/protocol.md).
   */
  private async streamResult(message: QueryMessage, stream: QueryStream, signal: AbortSignal, progress: ProgressReporter): Promise<void> {
    const id = message.id;
    const startMs = performance.now();
    const columns = stream.schema.fields.map((field) => ({ name: field.name, type: typeToSql(field.type) }));
    await this.send({ type: 'schema', id, columns });
    let rows = 0;
    for await (const batch of stream.batches) {
      signal.throwIfAborted();
      rows += await this.sendBatch(message, stream.schema, batch, signal);
      progress.tick();
    }
    progress.stop();
    const stats = stream.stats();
    await this.send({
      type: 'done', id, command: stream.command, rows, rowsAffected: stream.rowsAffected,
      elapsedMs: Math.round(performance.now() - startMs), partitionsScanned: stats.partitionsScanned,
      partitionsPruned: stats.partitionsPruned, partitionsTotal: stats.partitionsTotal,
      batchesRead: stats.batchesRead, batchesSkipped: stats.batchesSkipped, rowsScanned: stats.rowsScanned, bytesScanned: stats.bytesScanned,
      nodes: stats.nodes.length === 0 ? [this.nodeId] : stats.nodes,
    });
  }

  /** Sends one batch (one Arrow frame, or JSON rows messages of streamRowsPerMessage rows); returns its row count. */
  private async sendBatch(message: QueryMessage, schema: Schema, batch: Batch, signal: AbortSignal): Promise<number> {
    if (this.closed) return batch.length;
    if (message.format === 'arrow') {
      if (batch.length > 0) await this.sendFrame(this.socket.sendBinary(arrowFrame(message.id, schema, batch)), batch.length, signal);
      return batch.length;
    }
    const step = this.limits.streamRowsPerMessage;
    const prefix = `{"type":"rows","id":${JSON.stringify(message.id)},"rows":`;
    for (let start = 0; start < batch.length; start += step) {
      signal.throwIfAborted();
      const end = Math.min(batch.length, start + step);
      await this.sendFrame(this.socket.sendText(`${prefix}${batchRowsJson(batch, start, end, message.decimals === 'string')}}`), end - start, signal);
    }
    return batch.length;
  }

  /**
   * Counts a result frame just handed to the socket and, when the socket holds more than
   * wsBufferedBytesMax unsent bytes, waits until it has drained that far (the frame is flushed),
   * the connection closes or the query is cancelled. Not pulling meanwhile pauses the plan.
   */
  private async sendFrame(pending: Promise<void>, rows: number, signal: AbortSignal): Promise<void> {
    this.counters.resultBatchesSent += 1;
    this.counters.resultRowsSent += rows;
    if (this.socket.bufferedBytes() <= this.limits.wsBufferedBytesMax) return;
    this.counters.streamPauses += 1;
    let onAbort: () => void = () => {};
    const aborted = new Promise<void>((resolve) => { onAbort = resolve; signal.addEventListener('abort', onAbort, { once: true }); });
    try {
      await Promise.race([pending, this.closedSignal, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    signal.throwIfAborted();
  }

  private async sendError(id: string | null, error: unknown): Promise<void> {
    const strataError = toStrataError(error);
    await this.send({ type: 'error', id, ...strataError.toJSON() });
  }

  private send(message: Record<string, unknown>): Promise<void> {
    return this.sendRaw(JSON.stringify(message));
  }

  /** Sends a control frame (schema, progress, done, error), waiting while the socket is over its limit. */
  private async sendRaw(text: string): Promise<void> {
    if (this.closed) return;
    const pending = this.socket.sendText(text);
    if (this.socket.bufferedBytes() > this.limits.wsBufferedBytesMax) await Promise.race([pending, this.closedSignal]);
  }
}

/** A binary result frame: u32 LE header length, header JSON, then the batch as an Arrow IPC stream. */
function arrowFrame(id: string, schema: Schema, batch: Batch): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ type: 'rows', id }));
  const ipc = encodeBatch(schema, batch);
  const frame = new Uint8Array(4 + header.length + ipc.length);
  new DataView(frame.buffer).setUint32(0, header.length, true);
  frame.set(header, 4);
  frame.set(ipc, 4 + header.length);
  return frame;
}

/**
 * Sends `progress` when partitionsDone has moved and progressIntervalMs passed: from a timer (a
 * plan that yields nothing for a while, e.g. an aggregate) and after each batch sent (a stream
 * that was paused by a slow client reports as soon as it moves again).
 */
class ProgressReporter {
  private live: QueryProgress | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sentDone = -1;
  private sentMs = performance.now();

  constructor(private readonly send: (partitionsDone: number, partitionsTotal: number) => Promise<void>) {}

  /** The query started running: report from now on. */
  start(live: QueryProgress): void {
    this.live = live;
    this.sentMs = performance.now();
    this.timer = setInterval(() => this.tick(), progressIntervalMs);
  }

  /** Sends a progress message if there is news and the last one is old enough. */
  tick(): void {
    if (this.live === null || this.timer === null) return;
    const done = this.live.partitionsDone();
    const nowMs = performance.now();
    // A little slack: an interval timer may fire a hair early by the clock read here.
    if (done === this.sentDone || nowMs - this.sentMs < progressIntervalMs * 0.9) return;
    this.sentDone = done;
    this.sentMs = nowMs;
    void this.send(done, this.live.partitionsTotal);
  }

  /** The query ended: no more progress messages. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
