/**
 * Copying one file between stores with end-to-end verification, the step backup, restore, repair
 * and replication all repeat: the source bytes are checked against the checksum the log records
 * (a backup must never preserve corruption), the copy is read back and checked, and a copy that
 * already exists and verifies is left alone, which is what makes every one of them resumable.
 */
import { Sha256Checksum } from './checksum.js';
import { StrataError } from './errors.js';
import type { Store } from './store.js';

/** Bytes read per request while hashing or copying: bounds memory per request and stays far below HDFS's whole-file limit. */
export const copyChunkBytesMax = 8 << 20;

/** Size and 'sha256:<hex>' of a file. */
export interface FileDigest {
  readonly bytes: number;
  readonly checksum: string;
}

/** What copyFileVerified did. */
export interface CopiedFile extends FileDigest {
  /** False when a verified copy was already there (a resumed run). */
  readonly copied: boolean;
}

/** Size and sha256 of a store file, read in ranges; null when the file is absent. */
export async function fileDigest(store: Store, path: string): Promise<FileDigest | null> {
  const status = await store.stat(path);
  if (status === null || status.isDirectory) return null;
  const { digest } = await readChunks(store, path, status.size, false);
  return digest;
}

/**
 * Copies `sourcePath` in `source` to `destinationPath` in `destination`. With `expected` (from
 * the commit log), a source that does not match is corruption COPY_SOURCE_CORRUPT and nothing is
 * written; a destination that already matches is not read from the source again. A destination
 * file that differs (a stale or damaged copy) is replaced. The new copy is read back and must
 * match, or io COPY_VERIFY_FAILED.
 */
export async function copyFileVerified(
  source: Store, sourcePath: string, destination: Store, destinationPath: string, expected?: FileDigest,
): Promise<CopiedFile> {
  const existing = await fileDigest(destination, destinationPath);
  if (existing !== null && expected !== undefined && sameDigest(existing, expected)) return { ...existing, copied: false };
  const status = await source.stat(sourcePath);
  if (status === null) {
    throw new StrataError('not_found', 'COPY_SOURCE_MISSING',
      `cannot copy ${sourcePath} from ${source.url}: the file does not exist (vacuumed or lost); restore it from a backup or replica`,
      { path: sourcePath });
  }
  const { chunks, digest } = await readChunks(source, sourcePath, status.size, true);
  if (expected !== undefined && !sameDigest(digest, expected)) {
    throw new StrataError('corruption', 'COPY_SOURCE_CORRUPT',
      `${sourcePath} in ${source.url} is ${digest.bytes} bytes with checksum ${digest.checksum}, but the log records ${expected.bytes} bytes with ${expected.checksum}; ` +
      'nothing was copied: run strata scrub on the source and repair it from a backup (strata backup restore --repair)',
      { path: sourcePath, expected: expected.checksum, actual: digest.checksum });
  }
  if (existing !== null && sameDigest(existing, digest)) return { ...existing, copied: false };
  if (existing !== null) await destination.delete(destinationPath);
  await destination.write(destinationPath, chunks);
  const written = await fileDigest(destination, destinationPath);
  if (written === null || !sameDigest(written, digest)) {
    throw new StrataError('io', 'COPY_VERIFY_FAILED',
      `the copy of ${sourcePath} at ${destinationPath} in ${destination.url} does not read back as written (${written?.checksum ?? 'absent'}, expected ${digest.checksum}); ` +
      'check the destination store for hardware or network errors and run the command again',
      { path: destinationPath });
  }
  return { ...digest, copied: true };
}

/** True when two digests name the same content. */
export function sameDigest(a: FileDigest, b: FileDigest): boolean {
  return a.bytes === b.bytes && a.checksum === b.checksum;
}

async function readChunks(store: Store, path: string, size: number, keep: boolean): Promise<{ chunks: Uint8Array[]; digest: FileDigest }> {
  const hash = new Sha256Checksum();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < size) {
    const chunk = await store.readRange(path, offset, Math.min(copyChunkBytesMax, size - offset));
    if (chunk.length === 0) break; // the file shrank under us; the digest then shows the truth
    hash.update(chunk);
    if (keep) chunks.push(chunk);
    offset += chunk.length;
  }
  return { chunks, digest: { bytes: offset, checksum: hash.digest() } };
}
