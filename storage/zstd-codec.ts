/**
 * The one wrapper of zstd-napi: compression of partition buffers. Keeping the binding behind two
 * functions lets the codec be swapped (or a pure-JS fallback added) without touching the format.
 */
import { Compressor, Decompressor } from 'zstd-napi';
import binding from 'zstd-napi/binding.js';
import { StrataError } from './errors.js';

/** zstd level partitions use unless told otherwise: zstd's own default, a good speed/ratio point. */
export const zstdLevelDefault = 3;

/** Levels zstd accepts (negative levels trade ratio for speed). */
export const zstdLevelMin = -7;
/** Highest zstd level. */
export const zstdLevelMax = 22;

// One compressor per level: setting parameters on a shared context for every buffer costs more
// than the handful of contexts a process ever uses.
const compressors = new Map<number, Compressor>();
let decompressor: Decompressor | null = null;
let decompressionContext: InstanceType<typeof binding.DCtx> | null = null;

/** zstd frame of `data` at `level`. */
export function zstdCompress(data: Uint8Array, level: number = zstdLevelDefault): Uint8Array {
  if (!Number.isInteger(level) || level < zstdLevelMin || level > zstdLevelMax) {
    throw new StrataError('input', 'ZSTD_LEVEL_INVALID',
      `invalid zstd level ${level}: use an integer from ${zstdLevelMin} to ${zstdLevelMax} (default ${zstdLevelDefault})`);
  }
  let compressor = compressors.get(level);
  if (compressor === undefined) {
    compressor = new Compressor();
    compressor.setParameters({ compressionLevel: level, contentSizeFlag: true });
    compressors.set(level, compressor);
  }
  return compressor.compress(data);
}

/**
 * Decompresses one zstd frame that must inflate to exactly `expectedBytes`; anything else is
 * corruption, reported with `where` (partition, column, batch) so the operator can find it.
 */
export function zstdDecompress(data: Uint8Array, expectedBytes: number, where: string): Uint8Array {
  decompressor ??= new Decompressor();
  let output: Uint8Array;
  try {
    output = decompressor.decompress(data);
  } catch (error) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT',
      `${where}: zstd could not decompress a buffer (${error instanceof Error ? error.message : String(error)}); restore the partition from a backup`,
      {}, { cause: error });
  }
  if (output.length !== expectedBytes) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT',
      `${where}: a buffer decompressed to ${output.length} bytes, expected ${expectedBytes}; restore the partition from a backup`);
  }
  return output;
}

/**
 * Decompresses one zstd frame straight into `target`, which it must fill exactly: scans reuse
 * one buffer for bytes they widen or copy anyway, and hand the final typed array for bytes kept
 * as they are. A fresh Buffer per call costs more (page faults, allocation) than zstd itself.
 */
export function zstdDecompressInto(data: Uint8Array, target: Uint8Array, where: string): void {
  decompressionContext ??= new binding.DCtx();
  let written: number;
  try {
    written = decompressionContext.decompress(target, data);
  } catch (error) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT',
      `${where}: zstd could not decompress a buffer of ${target.length} bytes (${error instanceof Error ? error.message : String(error)}); restore the partition from a backup`,
      {}, { cause: error });
  }
  if (written !== target.length) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT',
      `${where}: a buffer decompressed to ${written} bytes, expected ${target.length}; restore the partition from a backup`);
  }
}
