/**
 * The client side of distributed ingest (used by `strata ingest --url`): asks a node to load
 * files through the cluster and follows the load's event stream to its summary.
 */
import { StrataError, type ErrorKind } from '../storage/index.js';
import type { IngestProgress } from '../ingest/index.js';
import type { DistributedIngestSummary } from './distributed-ingest.js';
import { readEvents, type WireIngestOptions } from './distributed-ingest-wire.js';

/** How to reach the node and follow the load. */
export interface RemoteIngestOptions {
  readonly token?: string;
  /** Called with the load's progress (raw bytes of all nodes, rows), a few times a second. */
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Aborting closes the connection, which cancels the load (nothing is committed). */
  readonly signal?: AbortSignal;
}

/** The HTTP base of a node from ws://, wss://, http:// or https:// HOST:PORT. */
export function httpBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StrataError('input', 'CONNECTION_FAILED', `'${url}' is not a node URL; give ws://HOST:PORT`);
  }
  const protocol = parsed.protocol === 'wss:' || parsed.protocol === 'https:' ? 'https:' : 'http:';
  return `${protocol}//${parsed.host}`;
}

/**
 * Loads `files` (absolute paths every node can read) into `table` through the node at `url`,
 * which spreads the work over the cluster and commits once. Resolves with the load's summary.
 */
export async function ingestRemote(url: string, table: string, files: readonly string[], options: WireIngestOptions,
  remote: RemoteIngestOptions = {}): Promise<DistributedIngestSummary> {
  const base = httpBase(url);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (remote.token !== undefined) headers.authorization = `Bearer ${remote.token}`;
  let response: Response;
  try {
    response = await fetch(`${base}/v1/ingest`, { method: 'POST', headers, body: JSON.stringify({ table, files, options }), signal: remote.signal });
  } catch (error) {
    throw new StrataError('io', 'CONNECTION_FAILED', `cannot reach the node at ${base}: ${(error as Error).message}`);
  }
  if (!response.ok || response.body === null) {
    const payload = await response.json().catch(() => ({})) as { error?: { kind: ErrorKind; code: string; message: string; details?: Record<string, unknown> } };
    const error = payload.error;
    if (error === undefined) throw new StrataError('io', 'CONNECTION_FAILED', `the node at ${base} answered HTTP ${response.status}`);
    throw new StrataError(error.kind, error.code, error.message, error.details ?? {});
  }
  try {
    return await readEvents(response.body as unknown as AsyncIterable<Uint8Array>, `the node at ${base}`, (event) => {
      if (event.type === 'progress') remote.onProgress?.(event as unknown as IngestProgress);
    }) as DistributedIngestSummary;
  } catch (error) {
    if (error instanceof StrataError && error.code === 'RPC_STREAM_TRUNCATED') {
      throw new StrataError('io', 'CONNECTION_CLOSED', `${error.message}; the load was committed whole or not at all: ` +
        `check the table's latest version ('strata table history') before loading again`);
    }
    throw error;
  }
}
