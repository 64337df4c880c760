/**
 * SQL text with a line index, so any offset the front end records can be reported as a
 * 1-based line:column in the user's own text.
 */
import { StrataError, type ErrorKind, type SqlPosition } from '../../storage/index.js';

/** The SQL text of one statement call, with offset → line:column conversion. */
export class SourceText {
  readonly text: string;
  private readonly lineStarts: number[];

  constructor(text: string) {
    this.text = text;
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  /** Line and column (1-based) of a 0-based offset; offsets past the end clamp to the end. */
  position(offset: number): SqlPosition {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: clamped - this.lineStarts[low] + 1, offset: clamped };
  }

  /** "line L, column C" of an offset, for messages. */
  where(offset: number): string {
    const position = this.position(offset);
    return `line ${position.line}, column ${position.column}`;
  }

  /** A StrataError whose message ends with the position and whose details carry it. */
  error(kind: ErrorKind, code: string, message: string, offset: number, details: Record<string, unknown> = {}): StrataError {
    return new StrataError(kind, code, `${message} (at ${this.where(offset)})`, { ...details, position: this.position(offset) });
  }
}
