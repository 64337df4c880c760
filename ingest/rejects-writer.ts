/**
 * The rejects file: bad records copied byte for byte as they were in the input, so they can be
 * fixed and loaded again. Created on the first reject only.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { StrataError } from '../storage/index.js';

const lineFeed = 0x0a;

/** Appends rejected records to one file. */
export class RejectsWriter {
  /** Records written. */
  records = 0;
  private handle: FileHandle | null = null;

  constructor(readonly path: string) {}

  /** Writes the records data[starts[k], ends[k]); a record without a line end gets one. */
  async write(data: Buffer, ranges: readonly [number, number][]): Promise<void> {
    if (ranges.length === 0) return;
    const pieces: Buffer[] = [];
    for (const [start, end] of ranges) {
      pieces.push(data.subarray(start, end));
      if (end === start || data[end - 1] !== lineFeed) pieces.push(Buffer.from('\n'));
    }
    try {
      this.handle ??= await open(this.path, 'w');
      await this.handle.writev(pieces);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StrataError('io', 'INGEST_WRITE_FAILED', `${this.path}: cannot write the rejects file: ${reason}; choose a writable place with rejectsPath (--rejects)`, { path: this.path }, { cause: error });
    }
    this.records += ranges.length;
  }

  /** Flushes and closes the file (if one was created). */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle !== null) {
      await handle.sync();
      await handle.close();
    }
  }
}
