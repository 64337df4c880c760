/**
 * The TypeScript client of a strata node: SQL over WebSocket (docs/protocol.md). The only file
 * importing the `ws` library. Used by `strata sql --url` and exported from the package.
 */
import WebSocket from 'ws';
import { StrataError, type ErrorKind } from '../storage/index.js';

/** A column of a streamed result. */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
}

/** The final summary of a query. */
export interface QuerySummary {
  readonly command: string;
  readonly rows: number;
  readonly rowsAffected: number | null;
  readonly elapsedMs: number;
  readonly partitionsScanned: number;
  readonly partitionsPruned: number;
  /** Partitions of the tables read, before pruning (absent from older nodes, as are the counts below). */
  readonly partitionsTotal?: number;
  /** Stored record batches read, and skipped unread because their zone maps rule out every row. */
  readonly batchesRead?: number;
  readonly batchesSkipped?: number;
  readonly rowsScanned?: number;
  readonly bytesScanned?: number;
  readonly nodes: string[];
}

/** A whole result, collected. */
export interface ClientResult {
  readonly columns: ResultColumn[];
  readonly rows: unknown[][];
  readonly summary: QuerySummary;
}

/** Options of StrataClient.connect. */
export interface ClientOptions {
  readonly token?: string;
  /** Time to wait for the connection. */
  readonly connectTimeoutMs?: number;
  /** Largest message accepted from the server. */
  readonly messageBytesMax?: number;
  /**
   * How DECIMAL values arrive: 'string' (default) keeps every digit; 'number' gives JS numbers,
   * which hold only about 15-17 significant digits.
   */
  readonly decimals?: 'string' | 'number';
}

/**
 * What StrataClient.stream hands over as a query's messages arrive. If the query then fails, the
 * rows already handed over are not a result: the caller discards them (docs/protocol.md).
 */
export interface QueryHandlers {
  /** The result's columns, before any rows. */
  onColumns?(columns: ResultColumn[]): void;
  /** One message's rows, in the order the node sent them. */
  onRows?(rows: unknown[][]): void;
  /** Partitions read so far out of those the query reads. */
  onProgress?(partitionsDone: number, partitionsTotal: number): void;
}

interface Pending {
  readonly handlers: QueryHandlers;
  resolve(summary: QuerySummary): void;
  reject(error: Error): void;
}

/** A connection to one node; several queries may run on it at once. */
export class StrataClient {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  private constructor(private readonly socket: WebSocket, private readonly decimals: 'string' | 'number') {
    socket.on('message', (data, isBinary) => { if (!isBinary) this.onMessage(data.toString()); });
    socket.on('close', () => this.failAll(new StrataError('io', 'CONNECTION_CLOSED', 'the connection to the node closed')));
  }

  /** Connects to ws://host:port (the /v1/sql path is added when missing). */
  static connect(url: string, options: ClientOptions = {}): Promise<StrataClient> {
    const target = new URL(url);
    if (target.pathname === '/' || target.pathname === '') target.pathname = '/v1/sql';
    const headers: Record<string, string> = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
    const socket = new WebSocket(target, { headers, maxPayload: options.messageBytesMax ?? 64 * 1024 * 1024, handshakeTimeout: options.connectTimeoutMs ?? 10_000 });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new StrataClient(socket, options.decimals ?? 'string')));
      socket.once('unexpected-response', (_request, response) => {
        reject(new StrataError(response.statusCode === 401 ? 'auth' : 'io', response.statusCode === 401 ? 'AUTH_REQUIRED' : 'CONNECTION_FAILED',
          `the node at ${target.host} refused the connection: HTTP ${response.statusCode}${response.statusCode === 401 ? '; pass its token' : ''}`));
        socket.terminate();
      });
      socket.once('error', (error) => reject(new StrataError('io', 'CONNECTION_FAILED', `cannot connect to ${target.href}: ${error.message}`)));
    });
  }

  /** Runs one statement and collects its rows. */
  async query(sql: string, options: { id?: string } = {}): Promise<ClientResult> {
    let columns: ResultColumn[] = [];
    const rows: unknown[][] = [];
    const summary = await this.stream(sql, {
      onColumns: (given) => { columns = given; },
      onRows: (given) => { for (const row of given) rows.push(row); },
    }, options);
    return { columns, rows, summary };
  }

  /**
   * Runs one statement, handing its rows over as they arrive; resolves with the summary once the
   * node says done, rejects with the node's typed error (which may come after some rows).
   */
  stream(sql: string, handlers: QueryHandlers, options: { id?: string } = {}): Promise<QuerySummary> {
    const id = options.id ?? `q${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { handlers, resolve, reject });
      this.socket.send(JSON.stringify({ type: 'query', id, sql, format: 'json', decimals: this.decimals }));
    });
  }

  /**
   * Stops reading from the node (a consumer that cannot keep up, e.g. a full stdout pipe): the
   * node's socket fills and it pauses the query's plan until resume().
   */
  pause(): void {
    this.socket.pause();
  }

  /** Reads from the node again after pause(). */
  resume(): void {
    this.socket.resume();
  }

  /** Asks the node to cancel a running query. */
  cancel(id: string): void {
    this.socket.send(JSON.stringify({ type: 'cancel', id }));
  }

  /** Sends a raw text frame (tests of bad input use it). */
  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) { resolve(); return; }
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private onMessage(text: string): void {
    const message = JSON.parse(text) as Record<string, unknown>;
    const pending = typeof message.id === 'string' ? this.pending.get(message.id) : undefined;
    if (message.type === 'error' && pending === undefined) {
      this.unmatchedErrors.push(toError(message));
      return;
    }
    if (pending === undefined) return;
    switch (message.type) {
      case 'schema': pending.handlers.onColumns?.(message.columns as ResultColumn[]); break;
      case 'rows': pending.handlers.onRows?.(message.rows as unknown[][]); break;
      case 'progress': pending.handlers.onProgress?.(Number(message.partitionsDone), Number(message.partitionsTotal)); break;
      case 'done':
        this.pending.delete(message.id as string);
        pending.resolve(message as unknown as QuerySummary);
        break;
      case 'error':
        this.pending.delete(message.id as string);
        pending.reject(toError(message));
        break;
      default: break;
    }
  }

  /** Errors the server sent about messages with no query (bad input); tests read them. */
  readonly unmatchedErrors: StrataError[] = [];

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

function toError(message: Record<string, unknown>): StrataError {
  return new StrataError(message.kind as ErrorKind, String(message.code), String(message.message), (message.details ?? {}) as Record<string, unknown>);
}
