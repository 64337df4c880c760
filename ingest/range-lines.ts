/**
 * Line numbers of errors found in a byte range. A reader parsing a range that starts mid-file
 * counts lines from 1 at the range's first record, since knowing the true line would mean
 * reading everything before it. Only when an error is reported are the line ends before the
 * range counted (once per range) and the error's line made absolute.
 */
import { createReadStream } from 'node:fs';
import { StrataError } from '../storage/index.js';
import { readError } from './byte-source.js';

const lineFeed = 0x0a;
const carriageReturn = 0x0d;
/** Bytes read at a time while counting line ends. */
const countChunkBytes = 4 * 1024 * 1024;

/**
 * Line ends in the file's bytes [0, endOffset), counted as the readers count them: LF and CRLF
 * are one line end each, and so is a lone CR for CSV (`loneCarriageReturn`), not for NDJSON.
 */
export async function countLineEnds(path: string, endOffset: number, loneCarriageReturn = true): Promise<number> {
  if (endOffset <= 0) return 0;
  let lines = 0;
  let previous = -1;
  try {
    const stream = createReadStream(path, { start: 0, end: endOffset - 1, highWaterMark: countChunkBytes });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === lineFeed) lines += previous === carriageReturn ? 0 : 1;
        else if (byte === carriageReturn && loneCarriageReturn) lines++;
        previous = byte;
      }
    }
  } catch (error) {
    throw readError(path, error);
  }
  return lines;
}

/** Turns range-relative lines into file lines for the errors of one range, counting at most once. */
export class RangeLines {
  private linesBefore: number | null = null;

  /**
   * `firstByte` gives the file offset of the range's first record (0: lines are already
   * absolute); `loneCarriageReturn` says whether the file's reader ends lines at a lone CR.
   */
  constructor(private readonly path: string, private readonly firstByte: () => number, private readonly loneCarriageReturn: boolean) {}

  /** The error with its line made absolute, when it is an error about this range's file. */
  async locate(error: unknown): Promise<unknown> {
    if (!(error instanceof StrataError)) return error;
    const { file, line } = error.details;
    const firstByte = this.firstByte();
    if (file !== this.path || typeof line !== 'number' || firstByte <= 0) return error;
    this.linesBefore ??= await countLineEnds(this.path, firstByte, this.loneCarriageReturn);
    const absolute = this.linesBefore + line;
    const prefix = `${file}:${line}`;
    const message = error.message.startsWith(prefix) ? `${file}:${absolute}${error.message.slice(prefix.length)}` : error.message;
    return new StrataError(error.kind, error.code, message, { ...error.details, line: absolute, rangeStart: firstByte }, { cause: error.cause });
  }

  /** Makes the lines of errors[from…] absolute in place. */
  async locateAll(errors: StrataError[], from: number): Promise<void> {
    for (let i = from; i < errors.length; i++) errors[i] = await this.locate(errors[i]) as StrataError;
  }
}
