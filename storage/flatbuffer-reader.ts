/**
 * A minimal FlatBuffers decoder for the Arrow IPC metadata. Every read is bounds-checked by
 * DataView; callers turn a RangeError into a corruption error naming the file.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads tables out of one FlatBuffer. Table handles are byte positions in the buffer. */
export class FlatReader {
  private readonly view: DataView;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Position of the root table. */
  root(): number {
    return this.view.getUint32(0, true);
  }

  /** Position of field `id` inside `table`, or 0 when absent. */
  fieldPosition(table: number, id: number): number {
    const vtable = table - this.view.getInt32(table, true);
    const vtableBytes = this.view.getUint16(vtable, true);
    const slot = 4 + 2 * id;
    if (slot >= vtableBytes) return 0;
    const offset = this.view.getUint16(vtable + slot, true);
    return offset === 0 ? 0 : table + offset;
  }

  /** An int8/uint8/bool field. */
  uint8(table: number, id: number, fallback: number): number {
    const at = this.fieldPosition(table, id);
    return at === 0 ? fallback : this.view.getUint8(at);
  }

  /** A bool field. */
  bool(table: number, id: number, fallback: boolean): boolean {
    return this.uint8(table, id, fallback ? 1 : 0) !== 0;
  }

  /** An int16 field. */
  int16(table: number, id: number, fallback: number): number {
    const at = this.fieldPosition(table, id);
    return at === 0 ? fallback : this.view.getInt16(at, true);
  }

  /** An int32 field. */
  int32(table: number, id: number, fallback: number): number {
    const at = this.fieldPosition(table, id);
    return at === 0 ? fallback : this.view.getInt32(at, true);
  }

  /** An int64 field as a number (throws RangeError beyond 2^53). */
  int64(table: number, id: number, fallback: number): number {
    const at = this.fieldPosition(table, id);
    return at === 0 ? fallback : this.int64At(at);
  }

  /** The int64 at an absolute position, as a number. */
  int64At(at: number): number {
    const value = Number(this.view.getBigInt64(at, true));
    if (!Number.isSafeInteger(value)) throw new RangeError(`int64 at ${at} is beyond 2^53`);
    return value;
  }

  /** The int32 at an absolute position. */
  int32At(at: number): number {
    return this.view.getInt32(at, true);
  }

  /** The table a field points to, or null when absent. */
  table(table: number, id: number): number | null {
    const at = this.fieldPosition(table, id);
    return at === 0 ? null : at + this.view.getUint32(at, true);
  }

  /** A string field, or null when absent. */
  string(table: number, id: number): string | null {
    const start = this.table(table, id);
    if (start === null) return null;
    const length = this.view.getUint32(start, true);
    if (start + 4 + length > this.bytes.length) throw new RangeError('string runs past the buffer');
    return utf8.decode(this.bytes.subarray(start + 4, start + 4 + length));
  }

  /** Element count and first element position of a vector field; count 0 when absent. */
  vector(table: number, id: number): { readonly count: number; readonly start: number } {
    const at = this.table(table, id);
    if (at === null) return { count: 0, start: 0 };
    const count = this.view.getUint32(at, true);
    return { count, start: at + 4 };
  }

  /** The tables of a vector-of-tables field. */
  tables(table: number, id: number): number[] {
    const { count, start } = this.vector(table, id);
    const tables: number[] = [];
    for (let i = 0; i < count; i++) {
      const slot = start + 4 * i;
      tables.push(slot + this.view.getUint32(slot, true));
    }
    return tables;
  }
}
