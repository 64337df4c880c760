/**
 * Checksums of the integrity scheme: crc32 of each column's compressed bytes per record batch
 * (checked on every read, cheap) and sha256 of whole partition files (checked by verify/backup).
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 (IEEE, as zlib computes it) of `data`, continuing from `previous`; unsigned 32-bit. */
export function crc32(data: Uint8Array, previous = 0): number {
  return zlibCrc32(data, previous) >>> 0;
}

/** Incremental sha256 of a sequence of chunks, rendered as 'sha256:<hex>'. */
export class Sha256Checksum {
  readonly #hash: Hash = createHash('sha256');

  /** Adds the next chunk. */
  update(chunk: Uint8Array): this {
    this.#hash.update(chunk);
    return this;
  }

  /** The checksum of everything added, 'sha256:<hex>'. */
  digest(): string {
    return `sha256:${this.#hash.digest('hex')}`;
  }
}

/** 'sha256:<hex>' of the concatenation of `chunks`. */
export function sha256Checksum(chunks: Uint8Array | readonly Uint8Array[]): string {
  const checksum = new Sha256Checksum();
  for (const chunk of Array.isArray(chunks) ? chunks : [chunks as Uint8Array]) checksum.update(chunk);
  return checksum.digest();
}
