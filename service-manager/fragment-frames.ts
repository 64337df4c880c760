/**
 * Framing of the internal fragment RPC's response stream: a sequence of frames
 * `[u8 kind][u32 LE payload length][payload]`. A worker runs the fragment once per partition and
 * ends each partition with a PartitionDone frame, so a coordinator can keep exactly the
 * partitions that completed when a worker dies and re-run the others elsewhere.
 */
import { StrataError } from '../storage/index.js';

/** Frame kinds. */
export const FrameKind = { batch: 1, partitionDone: 2, error: 3, end: 4 } as const;

/** Largest frame accepted: a batch of 64Ki rows of wide rows stays well below it. */
export const fragmentFrameBytesMax = 256 * 1024 * 1024;

const headerBytes = 5;

/** One frame. */
export interface Frame {
  readonly kind: number;
  readonly payload: Uint8Array;
}

/** Encodes a frame. */
export function encodeFrame(kind: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(headerBytes + payload.length);
  frame[0] = kind;
  new DataView(frame.buffer).setUint32(1, payload.length, true);
  frame.set(payload, headerBytes);
  return frame;
}

/** Encodes a frame whose payload is JSON. */
export function encodeJsonFrame(kind: number, value: unknown): Uint8Array {
  return encodeFrame(kind, new TextEncoder().encode(JSON.stringify(value)));
}

/** A batch frame: u32 partition index, then the Arrow IPC stream. */
export function encodeBatchFrame(partitionIndex: number, ipc: Uint8Array): Uint8Array {
  const payload = new Uint8Array(4 + ipc.length);
  new DataView(payload.buffer).setUint32(0, partitionIndex, true);
  payload.set(ipc, 4);
  return encodeFrame(FrameKind.batch, payload);
}

/** Splits a byte stream into frames. */
export async function* readFrames(chunks: AsyncIterable<Uint8Array>, where: string): AsyncIterable<Frame> {
  let buffer: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    buffer = buffer.length === 0 ? chunk : concat(buffer, chunk);
    let offset = 0;
    while (buffer.length - offset >= headerBytes) {
      const length = new DataView(buffer.buffer, buffer.byteOffset + offset + 1, 4).getUint32(0, true);
      if (length > fragmentFrameBytesMax) {
        throw new StrataError('corruption', 'RPC_FRAME_INVALID', `a fragment frame from ${where} claims ${length} bytes, more than ${fragmentFrameBytesMax}`, { node: where });
      }
      if (buffer.length - offset < headerBytes + length) break;
      yield { kind: buffer[offset], payload: buffer.subarray(offset + headerBytes, offset + headerBytes + length) };
      offset += headerBytes + length;
    }
    buffer = buffer.subarray(offset);
  }
  if (buffer.length > 0) throw new StrataError('io', 'RPC_STREAM_TRUNCATED', `the fragment stream from ${where} ended inside a frame`, { node: where });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
