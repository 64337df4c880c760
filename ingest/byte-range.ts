/**
 * Byte ranges of a plain (uncompressed) input file, so several nodes can parse one large file.
 *
 * A record begins at offset 0 or right after a line feed. The range [start, end) owns exactly
 * the records that begin inside it: its bytes run from the first record beginning at or after
 * `start` to the first line feed at or after `end - 1` (inclusive). Neighbouring ranges therefore
 * meet on the same record boundary and every record is read once, whatever the range sizes.
 * This holds when no record contains a line feed, which is why CSV files with quoted fields are
 * loaded whole (see part-plan.ts). A lone CR is no boundary: a file that ends its lines with CR
 * only is read by the range holding offset 0, in full.
 */
import { createReadStream } from 'node:fs';
import { readError } from './byte-source.js';

const lineFeed = 0x0a;

/** A byte range [start, end) of a file's raw bytes. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** The records of one byte range, streamed in chunks. Iterate `chunks()` once. */
export class RangeByteSource {
  /** Raw bytes read so far (including the bytes skipped to find the first record). */
  bytesRead = 0;
  /** File offset of the range's first record; known once the first chunk is out (-1 before). */
  firstByte = -1;

  constructor(readonly path: string, readonly range: ByteRange, private readonly readChunkBytes: number) {}

  /** The range's bytes, from its first record to the line feed that ends its last one. */
  async *chunks(): AsyncGenerator<Buffer> {
    const { start, end } = this.range;
    // Reading from start - 1 tells whether a record begins exactly at start.
    let position = start === 0 ? 0 : start - 1;
    if (start === 0) this.firstByte = 0;
    const stream = createReadStream(this.path, { start: position, highWaterMark: this.readChunkBytes });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        this.bytesRead += chunk.length;
        let offset = 0;
        if (this.firstByte < 0) {
          const newline = chunk.indexOf(lineFeed);
          if (newline < 0) { position += chunk.length; continue; }
          offset = newline + 1;
          this.firstByte = position + offset;
          if (this.firstByte >= end) return;
        }
        const last = chunk.indexOf(lineFeed, Math.max(offset, end - 1 - position));
        if (last >= 0) {
          if (last + 1 > offset) yield chunk.subarray(offset, last + 1);
          return;
        }
        if (offset < chunk.length) yield chunk.subarray(offset);
        position += chunk.length;
      }
    } catch (error) {
      throw readError(this.path, error);
    } finally {
      stream.destroy();
    }
    // The file ended: the range's last record had no line end.
    if (this.firstByte < 0) this.firstByte = position;
  }
}

/**
 * Cuts [0, size) into `count` ranges of nearly equal length (at least one byte each, so
 * count is capped at size).
 */
export function splitRanges(size: number, count: number): ByteRange[] {
  const pieces = Math.max(1, Math.min(count, size));
  const ranges: ByteRange[] = [];
  for (let i = 0; i < pieces; i++) {
    ranges.push({ start: Math.floor((size * i) / pieces), end: Math.floor((size * (i + 1)) / pieces) });
  }
  return ranges;
}
