/**
 * The content hash that identifies a load: sha256 of a file's raw bytes as stored, so the same
 * file loaded twice is recognised whatever its name.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { loadHashPrefix, readError } from './byte-source.js';

/** Bytes read at a time when hashing a whole file ahead of a load. */
const hashChunkBytes = 4 * 1024 * 1024;

/** 'sha256:<hex>' of the file at `path`. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: hashChunkBytes }) as AsyncIterable<Buffer>) hash.update(chunk);
  } catch (error) {
    throw readError(path, error);
  }
  return loadHashPrefix + hash.digest('hex');
}
