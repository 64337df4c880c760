/**
 * Places AST nodes in the SQL text. node-sql-parser gives locations on few node types (binary
 * expressions, function calls), so the converter walks the tree in source order while this
 * cursor moves over the tokens: a located node moves the cursor to its start, an unlocated one
 * is found as the next matching token (a column's name, a literal, a keyword) after the cursor.
 */
import type { Token } from './lexer.js';

/** A parser location: start and end offsets. */
export interface RawLocation {
  readonly start: { readonly offset: number };
  readonly end: { readonly offset: number };
}

/** Token cursor over one statement's text. */
export class Locator {
  private readonly tokens: readonly Token[];
  private cursor = 0;
  private readonly textEnd: number;

  constructor(tokens: readonly Token[], textEnd: number) {
    this.tokens = tokens;
    this.textEnd = textEnd;
  }

  /** Offset of the token under the cursor (end of text when past the last token). */
  here(): number {
    return this.tokens[this.cursor]?.start ?? this.textEnd;
  }

  /** Moves the cursor to the first token at or after `offset`; returns that offset. */
  seek(offset: number): number {
    // Binary search: statements with thousands of located nodes must not seek linearly.
    let low = 0;
    let high = this.tokens.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.tokens[middle].start < offset) low = middle + 1;
      else high = middle;
    }
    this.cursor = low;
    return offset;
  }

  /** Enters a located node: the cursor goes to its start. Returns the start, or null without location. */
  enter(loc: RawLocation | undefined): number | null {
    if (loc === undefined) return null;
    return this.seek(loc.start.offset);
  }

  /** Leaves a located node: the cursor goes past its end, so later siblings are searched after it. */
  leave(loc: RawLocation | undefined): void {
    if (loc !== undefined) this.seek(loc.end.offset);
  }

  /** Finds the next token matching `test` from the cursor and moves past it; its start, or here() when absent. */
  find(test: (token: Token) => boolean): number {
    for (let index = this.cursor; index < this.tokens.length; index++) {
      if (test(this.tokens[index])) {
        this.cursor = index + 1;
        return this.tokens[index].start;
      }
    }
    return this.here();
  }

  /** Finds the next keyword (case-insensitive). */
  word(word: string): number {
    const lower = word.toLowerCase();
    return this.find((t) => t.kind === 'word' && t.lower === lower);
  }

  /** Finds the next identifier spelled `name` (bare, any case, or quoted exactly). */
  identifier(name: string): number {
    const lower = name.toLowerCase();
    return this.find((t) => (t.kind === 'word' && t.lower === lower) || (t.kind === 'quoted' && t.value === name));
  }

  /** Finds the next token of a kind; returns it (and moves past it) or null. */
  nextOfKind(kind: Token['kind']): Token | null {
    for (let index = this.cursor; index < this.tokens.length; index++) {
      if (this.tokens[index].kind === kind) {
        this.cursor = index + 1;
        return this.tokens[index];
      }
    }
    return null;
  }

  /** The next token of a kind without moving the cursor, or null. */
  peekOfKind(kind: Token['kind']): Token | null {
    for (let index = this.cursor; index < this.tokens.length; index++) {
      if (this.tokens[index].kind === kind) return this.tokens[index];
    }
    return null;
  }

  /** Finds the next string literal token holding `value`; its start, or here() when none follows. */
  stringLiteral(value: string): number {
    return this.find((t) => t.kind === 'string' && t.value === value);
  }

  /** Finds the next operator token. */
  operator(value: string): number {
    return this.find((t) => t.kind === 'operator' && t.value === value);
  }
}
