/**
 * A byte source: one input file read in bounded chunks, decompressed when it is gzip or zstd,
 * with the raw bytes counted and hashed on the way (the hash identifies the load for
 * de-duplication, so it covers the file exactly as stored).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { StrataError } from '../storage/index.js';
import { zstdDecompress, zstdMagic } from './zstd-stream.js';

/** How a file's bytes are compressed. */
export type Compression = 'none' | 'gzip' | 'zstd';

/** Smallest output chunk zlib accepts (its own lower limit). */
const zlibChunkBytesMin = 64;

/** The prefix of every load hash, naming the algorithm as partition checksums do. */
export const loadHashPrefix = 'sha256:';

/** One opened input file. Iterate `chunks()` once; `digest()` is valid after the last chunk. */
export interface ByteSource {
  readonly path: string;
  /** Size of the file as stored (compressed size for .gz / .zst). */
  readonly bytesTotal: number;
  readonly compression: Compression;
  /** Raw (stored) bytes read so far. */
  readonly bytesRead: number;
  /** Decompressed bytes, in chunks of about the requested size. */
  chunks(): AsyncIterable<Buffer>;
  /** 'sha256:<hex>' of the raw bytes; throws if the file was not read to the end. */
  digest(): string;
}

/** File extension that names a compression, without the dot, or ''. */
export function compressionExtension(path: string): Compression {
  const lower = path.toLowerCase();
  if (lower.endsWith('.gz') || lower.endsWith('.gzip')) return 'gzip';
  if (lower.endsWith('.zst') || lower.endsWith('.zstd')) return 'zstd';
  return 'none';
}

/** The path without a trailing compression extension ('a.csv.gz' → 'a.csv'). */
export function stripCompressionExtension(path: string): string {
  return compressionExtension(path) === 'none' ? path : path.slice(0, path.lastIndexOf('.'));
}

/** Opens `path` for streaming; fails with not_found when absent. */
export async function openByteSource(path: string, readChunkBytes: number): Promise<ByteSource> {
  const bytesTotal = await fileSize(path);
  return new FileByteSource(path, bytesTotal, readChunkBytes);
}

/** Size of a regular file, or a StrataError saying why it cannot be read. */
export async function fileSize(path: string): Promise<number> {
  try {
    const status = await stat(path);
    if (!status.isFile()) {
      throw new StrataError('input', 'INGEST_NOT_A_FILE', `${path}: not a regular file; pass the data files themselves, not a directory`, { file: path });
    }
    return status.size;
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw readError(path, error);
  }
}

/** Maps a file-system error to a StrataError. */
export function readError(path: string, error: unknown): StrataError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') {
    return new StrataError('not_found', 'INGEST_FILE_NOT_FOUND', `${path}: no such file; check the path (relative paths resolve against ${process.cwd()})`, { file: path }, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new StrataError('io', 'INGEST_READ_FAILED', `${path}: cannot read the file: ${reason}; check permissions and the disk`, { file: path }, { cause: error });
}

class FileByteSource implements ByteSource {
  compression: Compression = 'none';
  bytesRead = 0;
  private readonly hash: Hash = createHash('sha256');
  private finished = false;

  constructor(readonly path: string, readonly bytesTotal: number, private readonly readChunkBytes: number) {}

  digest(): string {
    if (!this.finished) throw new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: digest of ${this.path} before it was read to the end`);
    return loadHashPrefix + this.hash.digest('hex');
  }

  async *chunks(): AsyncGenerator<Buffer> {
    const raw = this.rawChunks();
    const head = await readHead(raw, zstdMagic.length);
    this.compression = detectCompression(this.path, head.bytes);
    const all = prepend(head.chunks, raw);
    if (this.compression === 'none') yield* all;
    else if (this.compression === 'zstd') yield* zstdDecompress(all, this.readChunkBytes, this.path);
    else yield* this.gunzip(all);
  }

  private async *rawChunks(): AsyncGenerator<Buffer> {
    const stream = createReadStream(this.path, { highWaterMark: this.readChunkBytes });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        this.hash.update(chunk);
        this.bytesRead += chunk.length;
        yield chunk;
      }
    } catch (error) {
      throw readError(this.path, error);
    } finally {
      stream.destroy();
    }
    this.finished = true;
  }

  private async *gunzip(source: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
    const gunzip = createGunzip({ chunkSize: Math.max(zlibChunkBytesMin, this.readChunkBytes) });
    const stream = pipeline(Readable.from(source, { objectMode: false }), gunzip, () => {});
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      if (error instanceof StrataError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StrataError('input', 'INGEST_BAD_COMPRESSION', `${this.path}: cannot decompress gzip data: ${reason}; check that the file is complete and really gzip-compressed`, { file: this.path }, { cause: error });
    }
  }
}

/** Reads chunks until at least `bytes` bytes (or the end); returns them and their concatenation. */
async function readHead(source: AsyncGenerator<Buffer>, bytes: number): Promise<{ chunks: Buffer[]; bytes: Buffer }> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await source.next();
    if (next.done === true) break;
    chunks.push(next.value);
    length += next.value.length;
  }
  return { chunks, bytes: Buffer.concat(chunks) };
}

async function* prepend(head: Buffer[], rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  yield* rest;
}

/** Magic bytes decide; an extension that promises a compression the bytes lack is an error. */
function detectCompression(path: string, head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && zstdMagic.every((byte, i) => head[i] === byte)) return 'zstd';
  const expected = compressionExtension(path);
  if (expected !== 'none' && head.length > 0) {
    throw new StrataError('input', 'INGEST_BAD_COMPRESSION',
      `${path}: the name says ${expected} but the file does not start with ${expected} magic bytes; rename the file or recompress it`, { file: path });
  }
  return 'none';
}
