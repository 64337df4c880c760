/**
 * One WebSocket client's SQL session: parses its messages, runs its queries (several at once,
 * within limits), streams results with backpressure, and cancels. It knows nothing of fastify or
 * the socket library: the server hands it a SessionSocket.
 */
import { StrataError, toStrataError, typeToSql } from '../storage/index.js';
import type { QueryProgress, QueryResult } from '../query/index.js';
import { encodeBatch } from './arrow-ipc.js';
import type { NodeLimits } from './node-config.js';
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

/** Runs one statement (the node's engine or, in a cluster, the coordinator). */
export type QueryRunner = (sql: string, signal: AbortSignal, onProgress: (progress: QueryProgress) => void) => Promise<QueryResult>;

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

  constructor(
    private readonly socket: SessionSocket,
    private readonly run: QueryRunner,
    private readonly limits: NodeLimits,
    private readonly admission: QueryAdmission,
    private readonly nodeId: string,
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
    const startMs = performance.now();
    let progressTimer: NodeJS.Timeout | null = null;
    try {
      const result = await this.run(message.sql, signal, (progress) => {
        let sent = -1;
        progressTimer = setInterval(() => {
          const done = progress.partitionsDone();
          if (done === sent) return;
          sent = done;
          void this.send({ type: 'progress', id: message.id, partitionsDone: done, partitionsTotal: progress.partitionsTotal });
        }, progressIntervalMs);
      });
      if (progressTimer !== null) clearInterval(progressTimer);
      await this.streamResult(message, result, signal, startMs);
    } catch (error) {
      const reason = signal.aborted && signal.reason instanceof StrataError ? signal.reason : error;
      const timedOut = signal.aborted && !controller.signal.aborted;
      await this.sendError(message.id, timedOut
        ? new StrataError('cancelled', 'QUERY_TIMEOUT', `query ${message.id} ran longer than ${this.limits.queryTimeoutMs} ms and was cancelled`)
        : reason);
    } finally {
      if (progressTimer !== null) clearInterval(progressTimer);
      this.running.delete(message.id);
      this.admission.leave();
    }
  }

  private async streamResult(message: QueryMessage, result: QueryResult, signal: AbortSignal, startMs: number): Promise<void> {
    const id = message.id;
    const columns = result.schema.fields.map((field) => ({ name: field.name, type: typeToSql(field.type) }));
    await this.send({ type: 'schema', id, columns });
    let rows = 0;
    const step = this.limits.streamRowsPerMessage;
    for (const batch of result.batches) {
      if (message.format === 'arrow') {
        signal.throwIfAborted();
        if (batch.length > 0) await this.sendArrow(id, result, batch);
        rows += batch.length;
        continue;
      }
      for (let start = 0; start < batch.length; start += step) {
        signal.throwIfAborted();
        const end = Math.min(batch.length, start + step);
        await this.sendRaw(`{"type":"rows","id":${JSON.stringify(id)},"rows":${batchRowsJson(batch, start, end, message.decimals === 'string')}}`);
        rows += end - start;
      }
    }
    const stats = result.stats;
    await this.send({
      type: 'done', id, command: result.command, rows, rowsAffected: result.rowsAffected,
      elapsedMs: Math.round(performance.now() - startMs), partitionsScanned: stats.partitionsScanned,
      partitionsPruned: stats.partitionsPruned, partitionsTotal: stats.partitionsTotal,
      batchesRead: stats.batchesRead, batchesSkipped: stats.batchesSkipped, rowsScanned: stats.rowsScanned, bytesScanned: stats.bytesScanned,
      nodes: stats.nodes.length === 0 ? [this.nodeId] : stats.nodes,
    });
  }

  private async sendError(id: string | null, error: unknown): Promise<void> {
    const strataError = toStrataError(error);
    await this.send({ type: 'error', id, ...strataError.toJSON() });
  }

  /** A binary frame: u32 LE header length, header JSON, then the batch as an Arrow IPC stream. */
  private async sendArrow(id: string, result: QueryResult, batch: QueryResult['batches'][number]): Promise<void> {
    if (this.closed) return;
    const header = new TextEncoder().encode(JSON.stringify({ type: 'rows', id }));
    const ipc = encodeBatch(result.schema, batch);
    const frame = new Uint8Array(4 + header.length + ipc.length);
    new DataView(frame.buffer).setUint32(0, header.length, true);
    frame.set(header, 4);
    frame.set(ipc, 4 + header.length);
    const pending = this.socket.sendBinary(frame);
    if (this.socket.bufferedBytes() > this.limits.wsBufferedBytesMax) await pending;
  }

  private send(message: Record<string, unknown>): Promise<void> {
    return this.sendRaw(JSON.stringify(message));
  }

  /** Sends a frame, first waiting while the socket holds too many unsent bytes (backpressure). */
  private async sendRaw(text: string): Promise<void> {
    if (this.closed) return;
    const pending = this.socket.sendText(text);
    if (this.socket.bufferedBytes() > this.limits.wsBufferedBytesMax) await pending;
  }
}
