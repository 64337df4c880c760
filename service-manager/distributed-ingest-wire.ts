/**
 * What distributed ingest sends over HTTP: the requests (checked field by field, since they come
 * from the network), and the answer, a stream of NDJSON events. A load can run for minutes, so
 * the answer starts at once and carries progress and keep-alive lines until the final result or
 * error: the connection never sits silent long enough for an HTTP timeout, and a silent peer is
 * a dead or hung one.
 */
import { StrataError, toStrataError, type ErrorKind, type PartitionMeta } from '../storage/index.js';
import type { IngestOptions, IngestPart, IngestProgress } from '../ingest/index.js';

/** Ingest options as they travel in JSON: everything but the callback and the signal. */
export type WireIngestOptions = Omit<IngestOptions, 'onProgress' | 'signal'>;

/** A client's load request (POST /v1/ingest). */
export interface IngestRequest {
  readonly table: string;
  /** Absolute paths, readable by every node at the same path (shared storage). */
  readonly files: string[];
  readonly options: WireIngestOptions;
}

/** A coordinator's request to a worker (POST /internal/v1/ingest-part). */
export interface IngestPartRequest {
  readonly table: string;
  /** The table version the load was planned against (its schema is the load's). */
  readonly version: number;
  readonly parts: IngestPart[];
  readonly options: WireIngestOptions;
}

/** What a worker did: partitions written but not committed. */
export interface IngestPartResult {
  readonly node: string;
  readonly partitions: PartitionMeta[];
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  /** Records dropped because the table (at the pinned snapshot) or an earlier part of this run held their key. */
  readonly rowsDuplicate?: number;
  /** Bytes of text parsed (decompressed for .gz/.zst), as IngestSummary.bytesIn. */
  readonly bytesIn: number;
  /** Bytes read from the inputs as stored (compressed size for .gz/.zst); absent when equal to bytesIn (or an older worker). */
  readonly bytesRead?: number;
  readonly bytesStored: number;
  readonly rejectSamples: { code: string; message: string }[];
  readonly rejectsPath: string | null;
}

/** Gap between progress lines: often enough for a progress bar, rare enough to cost nothing. */
export const progressIntervalMs = 250;
/** A line at least this often even without progress (keep-alive; a peer silent much longer is hung). */
export const keepAliveIntervalMs = 5_000;
/** Longest event line read: a result lists partition metadata, a few KiB per partition. */
export const eventLineBytesMax = 64 * 1024 * 1024;

const optionTypes: Record<keyof WireIngestOptions, 'string' | 'boolean' | 'number' | 'strings'> = {
  format: 'string', delimiter: 'string', header: 'boolean', nullMarkers: 'strings', onError: 'string', rejectsPath: 'string',
  force: 'boolean', partitionRowsTarget: 'number', batchRowsMax: 'number', readChunkBytes: 'number', recordBytesMax: 'number', threads: 'number',
};

function badMessage(message: string): StrataError {
  return new StrataError('input', 'BAD_MESSAGE', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the JSON shape of ingest options (their values are checked by ingest itself). */
export function parseWireOptions(value: unknown): WireIngestOptions {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw badMessage('"options" must be a JSON object');
  for (const [key, option] of Object.entries(value)) {
    const type = optionTypes[key as keyof WireIngestOptions];
    if (type === undefined) throw badMessage(`unknown ingest option "${key}"; known: ${Object.keys(optionTypes).join(', ')}`);
    const ok = type === 'strings' ? Array.isArray(option) && option.every((item) => typeof item === 'string') : typeof option === type;
    if (!ok) throw badMessage(`ingest option "${key}" must be ${type === 'strings' ? 'an array of strings' : `a ${type}`}`);
  }
  return value as WireIngestOptions;
}

/** Checks a client's load request. */
export function parseIngestRequest(body: unknown): IngestRequest {
  if (!isRecord(body) || typeof body.table !== 'string' || !Array.isArray(body.files)) {
    throw badMessage('the body must be JSON {"table": "...", "files": ["/absolute/path", ...], "options": {...}}');
  }
  if (body.files.length === 0 || !body.files.every((file) => typeof file === 'string')) throw badMessage('"files" must list at least one path');
  return { table: body.table, files: body.files as string[], options: parseWireOptions(body.options) };
}

function parsePart(value: unknown): IngestPart {
  if (!isRecord(value) || typeof value.file !== 'string') throw badMessage('each part needs a "file"');
  const range = value.range;
  if (range !== undefined && !(isRecord(range) && typeof range.start === 'number' && typeof range.end === 'number')) {
    throw badMessage('a part\'s "range" must be {"start": N, "end": N}');
  }
  if (value.expectedHash !== undefined && typeof value.expectedHash !== 'string') throw badMessage('a part\'s "expectedHash" must be a string');
  return {
    file: value.file,
    ...(range === undefined ? {} : { range: { start: range.start as number, end: range.end as number } }),
    ...(value.expectedHash === undefined ? {} : { expectedHash: value.expectedHash as string }),
  };
}

/** Checks a coordinator's request to a worker. */
export function parseIngestPartRequest(body: unknown): IngestPartRequest {
  if (!isRecord(body) || typeof body.table !== 'string' || !Number.isSafeInteger(body.version) || !Array.isArray(body.parts) || body.parts.length === 0) {
    throw badMessage('the body must be JSON {"table", "version", "parts": [...], "options"}');
  }
  return { table: body.table, version: body.version as number, parts: body.parts.map(parsePart), options: parseWireOptions(body.options) };
}

/**
 * Runs `work` and yields its NDJSON event lines: 'started' at once, the latest progress every
 * progressIntervalMs, 'alive' when there was none for keepAliveIntervalMs, then 'result' or 'error'.
 */
export async function* eventLines(work: (onProgress: (progress: IngestProgress) => void) => Promise<unknown>): AsyncGenerator<string> {
  let latest: IngestProgress | null = null;
  let outcome: { readonly result?: unknown; readonly error?: StrataError } | null = null;
  let wake: (() => void) | null = null;
  void work((progress) => { latest = progress; }).then(
    (result) => { outcome = { result }; wake?.(); },
    (error: unknown) => { outcome = { error: toStrataError(error) }; wake?.(); },
  );
  yield line({ type: 'started' });
  let lastLineMs = Date.now();
  while (outcome === null) {
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, progressIntervalMs).unref();
    });
    wake = null;
    if (latest !== null) {
      yield line({ type: 'progress', ...(latest as IngestProgress) });
      latest = null;
      lastLineMs = Date.now();
    } else if (Date.now() - lastLineMs >= keepAliveIntervalMs) {
      yield line({ type: 'alive' });
      lastLineMs = Date.now();
    }
  }
  const final = outcome as { readonly result?: unknown; readonly error?: StrataError };
  yield final.error === undefined ? line({ type: 'result', result: final.result }) : line({ type: 'error', error: final.error.toJSON() });
}

function line(event: Record<string, unknown>): string {
  return `${JSON.stringify(event)}\n`;
}

/** A StrataError from its JSON form (as a peer sent it). */
export function errorFromJson(json: unknown, extra: Record<string, unknown> = {}): StrataError {
  const error = (isRecord(json) ? json : {}) as { kind?: ErrorKind; code?: string; message?: string; details?: Record<string, unknown> };
  return new StrataError(error.kind ?? 'internal', error.code ?? 'INTERNAL_ERROR', error.message ?? 'unknown error', { ...(error.details ?? {}), ...extra });
}

/**
 * Reads an event stream; calls `onEvent` for every line (progress and keep-alive included) and
 * returns the result, or throws the error the peer sent. A stream that ends or breaks before
 * either is RPC_STREAM_TRUNCATED (kind io): the peer died or the connection broke.
 */
export async function readEvents(body: AsyncIterable<Uint8Array>, peer: string, onEvent: (event: Record<string, unknown>) => void): Promise<unknown> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of body) {
      text += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = text.indexOf('\n')) >= 0) {
        const event = JSON.parse(text.slice(0, newline)) as Record<string, unknown>;
        text = text.slice(newline + 1);
        onEvent(event);
        if (event.type === 'result') return event.result;
        if (event.type === 'error') throw errorFromJson(event.error);
      }
      if (text.length > eventLineBytesMax) throw new StrataError('resources', 'MESSAGE_TOO_LARGE', `${peer} sent an event line longer than ${eventLineBytesMax} bytes`);
    }
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw new StrataError('io', 'RPC_STREAM_TRUNCATED', `the stream from ${peer} broke: ${(error as Error).message}`);
  }
  throw new StrataError('io', 'RPC_STREAM_TRUNCATED', `the stream from ${peer} ended before the load finished`);
}
