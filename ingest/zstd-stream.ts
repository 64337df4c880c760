/**
 * Streaming zstd decompression: the one file that wraps zstd-napi for ingest.
 *
 * The library's DecompressStream pushes all output of an input chunk at once, so a highly
 * compressible input could balloon memory. Driving the native context directly lets the
 * consumer pull one bounded output buffer at a time.
 */
import zstdBinding from 'zstd-napi/binding.js';
import { StrataError } from '../storage/index.js';

/**
 * Largest zstd window ingest accepts, as a power of two (2^31 bytes). zstd refuses frames whose
 * window exceeds the decoder's limit, which is 2^27 by default; TPC-H SF1 lineitem is compressed
 * with --long=27 and larger archives use bigger windows. The window is only allocated when a
 * frame asks for it.
 */
export const zstdWindowLogMax = 31;

/** The four magic bytes that open every zstd frame. */
export const zstdMagic = [0x28, 0xb5, 0x2f, 0xfd] as const;

/**
 * Decompresses a stream of zstd bytes (one or more frames) into buffers of exactly
 * `outputChunkBytes` (the last may be shorter). `name` is used in error messages.
 */
export async function* zstdDecompress(source: AsyncIterable<Uint8Array>, outputChunkBytes: number, name: string): AsyncGenerator<Buffer> {
  const context = new zstdBinding.DCtx();
  context.setParameter(zstdBinding.DParameter.windowLogMax, zstdWindowLogMax);
  let output = Buffer.allocUnsafe(outputChunkBytes);
  let outputLength = 0;
  let inFrame = false;
  for await (const chunk of source) {
    let input = chunk;
    for (;;) {
      let result: [number, number, number];
      try {
        result = context.decompressStream(output.subarray(outputLength), input);
      } catch (error) {
        throw badZstd(name, error instanceof Error ? error.message : String(error), error);
      }
      const [remaining, produced, consumed] = result;
      inFrame = remaining !== 0;
      outputLength += produced;
      input = input.subarray(consumed);
      if (outputLength === output.length) {
        // A full output buffer may leave decoded data inside the context: drain it before
        // feeding more input.
        yield output;
        output = Buffer.allocUnsafe(outputChunkBytes);
        outputLength = 0;
        continue;
      }
      if (input.length === 0) break;
    }
  }
  if (inFrame) throw badZstd(name, 'the file ends in the middle of a zstd frame (truncated download or copy?)');
  if (outputLength > 0) yield output.subarray(0, outputLength);
}

function badZstd(name: string, reason: string, cause?: unknown): StrataError {
  return new StrataError('input', 'INGEST_BAD_COMPRESSION',
    `${name}: cannot decompress zstd data: ${reason}; check that the file is complete and really zstd-compressed`,
    { file: name }, { cause });
}
