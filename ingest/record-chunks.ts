/**
 * Feeds a file's decompressed bytes to a record reader in bounded pieces: chunks are gathered
 * into one working buffer, the reader takes every complete record, and only the incomplete
 * tail is carried over to the next round. Memory stays near readChunkBytes + recordBytesMax
 * whatever the file size.
 */
import { recordTooLongError } from './ingest-errors.js';
import type { RecordReader } from './record-reader.js';

/** Limits of one streaming read. */
export interface ChunkLimits {
  /** Bytes gathered before a scan. */
  readonly readChunkBytes: number;
  /** Longest record accepted. */
  readonly recordBytesMax: number;
}

const byteOrderMark = [0xef, 0xbb, 0xbf];

/**
 * Scans `source` with `reader`, yielding after every scan that found records (the records are
 * then in the reader; the yielded buffer holds their bytes until the generator resumes).
 * `fromFileStart` says the bytes begin at offset 0, where a UTF-8 byte order mark is skipped;
 * a byte range from the middle of a file has none.
 */
export async function* recordChunks(source: AsyncIterable<Buffer>, reader: RecordReader, limits: ChunkLimits, file: string,
  fromFileStart = true): AsyncGenerator<Buffer> {
  let buffer: Buffer = Buffer.allocUnsafe(Math.max(limits.readChunkBytes * 2, 64));
  let start = 0;
  let end = 0;
  let scanAt = limits.readChunkBytes;
  let atFileStart = fromFileStart;
  for await (const chunk of source) {
    if (end + chunk.length > buffer.length) {
      buffer.copyWithin(0, start, end);
      end -= start;
      start = 0;
      if (end + chunk.length > buffer.length) buffer = grownBuffer(buffer, end, end + chunk.length);
    }
    buffer.set(chunk, end);
    end += chunk.length;
    if (atFileStart) {
      if (end < byteOrderMark.length) continue;
      if (byteOrderMark.every((byte, i) => buffer[i] === byte)) start = byteOrderMark.length;
      atFileStart = false;
    }
    if (end - start < scanAt) continue;
    const consumed = reader.scan(buffer, start, end, false);
    if (reader.records > 0) yield buffer;
    if (consumed === start) {
      if (end - start > limits.recordBytesMax) throw recordTooLongError(file, reader.line, limits.recordBytesMax);
      // Nothing complete yet: wait for twice as much before scanning again, so one long record
      // costs a linear, not quadratic, number of scanned bytes.
      scanAt = Math.min((end - start) * 2, limits.recordBytesMax + 1);
    } else {
      scanAt = limits.readChunkBytes;
    }
    start = consumed;
  }
  reader.scan(buffer, start, end, true);
  if (reader.records > 0) yield buffer;
}

function grownBuffer(buffer: Buffer, used: number, needed: number): Buffer {
  const grown = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
  buffer.copy(grown, 0, 0, used);
  return grown;
}
