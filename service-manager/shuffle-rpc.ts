/**
 * The client side of the internal shuffle RPCs (map, reduce, bucket fetch, drop): one HTTP
 * request whose answer is a stream of fragment frames (fragment-frames.ts). Failures are typed
 * so a coordinator can tell "node X is gone" (io, naming the node) from "the query is wrong".
 */
import { StrataError } from '../storage/index.js';
import type { FragmentScanCounts } from '../query/index.js';
import { FrameKind, readFrames, type Frame } from './fragment-frames.js';

/** Time a drop request may take: it only frees memory, and the shuffle expires anyway. */
const dropTimeoutMs = 5_000;

/** A node to call. */
export interface ShufflePeer {
  readonly id: string;
  readonly url: string;
}

function headersOf(token: string | null, json: boolean): Record<string, string> {
  const headers: Record<string, string> = json ? { 'content-type': 'application/json' } : {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return headers;
}

/**
 * Calls `path` on a peer and yields its data frames (batch, partitionDone) until the end frame.
 * An error frame is rethrown with its kind and code; `details.node` keeps the node the worker
 * named (a producer it could not reach), else names the peer.
 */
export async function* shuffleCall(peer: ShufflePeer, path: string, body: string | null, token: string | null, signal: AbortSignal): AsyncIterable<Frame> {
  let response: Response;
  try {
    response = await fetch(`${peer.url}${path}`, { method: body === null ? 'GET' : 'POST', headers: headersOf(token, body !== null), body, signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new StrataError('io', 'NODE_UNREACHABLE', `node ${peer.id} (${peer.url}) did not answer a shuffle RPC: ${(error as Error).message}`, { node: peer.id });
  }
  if (!response.ok || response.body === null) {
    const payload = await response.json().catch(() => ({})) as { error?: { kind: StrataError['kind']; code: string; message: string } };
    const error = payload.error;
    throw error === undefined
      ? new StrataError('io', 'NODE_UNREACHABLE', `node ${peer.id} answered a shuffle RPC with HTTP ${response.status}`, { node: peer.id })
      : new StrataError(error.kind, error.code, `node ${peer.id}: ${error.message}`, { node: peer.id });
  }
  let ended = false;
  try {
    for await (const frame of readFrames(response.body as unknown as AsyncIterable<Uint8Array>, peer.id)) {
      if (frame.kind === FrameKind.end) ended = true;
      else if (frame.kind === FrameKind.error) {
        const error = JSON.parse(new TextDecoder().decode(frame.payload)) as { kind: StrataError['kind']; code: string; message: string; details: Record<string, unknown> };
        throw new StrataError(error.kind, error.code, `node ${peer.id}: ${error.message}`, { node: peer.id, ...error.details });
      } else yield frame;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof StrataError) throw error;
    throw new StrataError('io', 'RPC_STREAM_TRUNCATED', `the shuffle stream from node ${peer.id} broke: ${(error as Error).message}`, { node: peer.id });
  }
  if (!ended) throw new StrataError('io', 'RPC_STREAM_TRUNCATED', `the shuffle stream from node ${peer.id} ended early`, { node: peer.id });
}

/** Asks a peer to free a shuffle's buckets; failures are ignored (the shuffle expires on its own). */
export async function dropShuffleOn(peer: ShufflePeer, shuffleId: string, token: string | null): Promise<void> {
  try {
    const response = await fetch(`${peer.url}/internal/v1/shuffle/${encodeURIComponent(shuffleId)}`, {
      method: 'DELETE', headers: headersOf(token, false), signal: AbortSignal.timeout(dropTimeoutMs),
    });
    // Read to the end (it is tiny; the timeout bounds it): an unread body holds the connection
    // until the garbage collector runs, and a read one returns it to the pool for the next call.
    await response.arrayBuffer();
  } catch {
    // The peer is gone or slow: its buckets expire after shuffleTtlMs.
  }
}

/** The read counts a worker appends as JSON after the partition index of a PartitionDone frame, if any. */
export function frameCounts(frame: Frame): FragmentScanCounts | undefined {
  if (frame.payload.length <= 4) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(frame.payload.subarray(4))) as FragmentScanCounts;
  } catch {
    return undefined;
  }
}

/** The u32 (little-endian) at the start of a frame's payload: a partition or bucket index. */
export function frameIndex(frame: Frame): number {
  return new DataView(frame.payload.buffer, frame.payload.byteOffset, frame.payload.byteLength).getUint32(0, true);
}
