/**
 * A minimal FlatBuffers encoder for the Arrow IPC metadata (Schema, Message, Footer). The Arrow
 * metadata is a handful of small tables, so instead of the back-to-front builder of the official
 * library this lays a tree out front to back: each table is preceded by its vtable and followed
 * by its children, whose forward offsets are patched in once they are placed. Scalars are always
 * written, even when equal to the schema default, so no default can be misremembered.
 */
import { assert } from './errors.js';

/** Inline scalar types used by the Arrow schema files. */
export type FlatScalarType = 'bool' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64';

/** One field of a table: a scalar, or an offset to a table, string or vector. */
export type FlatField =
  | { readonly kind: 'scalar'; readonly type: FlatScalarType; readonly value: number | boolean }
  | { readonly kind: 'table'; readonly table: FlatTable }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tables'; readonly tables: readonly FlatTable[] }
  | { readonly kind: 'structs'; readonly count: number; readonly bytes: Uint8Array };

/** A table: fields indexed by their id in the schema file; null for an absent field. */
export interface FlatTable {
  readonly fields: readonly (FlatField | null)[];
}

/** Constructors that keep the metadata builders readable. */
export const flat = {
  table: (...fields: (FlatField | null)[]): FlatTable => ({ fields }),
  bool: (value: boolean): FlatField => ({ kind: 'scalar', type: 'bool', value }),
  int8: (value: number): FlatField => ({ kind: 'scalar', type: 'int8', value }),
  uint8: (value: number): FlatField => ({ kind: 'scalar', type: 'uint8', value }),
  int16: (value: number): FlatField => ({ kind: 'scalar', type: 'int16', value }),
  int32: (value: number): FlatField => ({ kind: 'scalar', type: 'int32', value }),
  int64: (value: number): FlatField => ({ kind: 'scalar', type: 'int64', value }),
  child: (table: FlatTable): FlatField => ({ kind: 'table', table }),
  string: (value: string): FlatField => ({ kind: 'string', value }),
  tables: (tables: readonly FlatTable[]): FlatField => ({ kind: 'tables', tables }),
  /** A vector of structs made of 8-byte-aligned int64 words (Block, FieldNode, Buffer). */
  structs: (count: number, bytes: Uint8Array): FlatField => ({ kind: 'structs', count, bytes }),
};

const scalarBytes: Record<FlatScalarType, number> = { bool: 1, int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8 };
const utf8 = new TextEncoder();

/** Encodes `root` as a FlatBuffer whose length is a multiple of 8. */
export function encodeFlatBuffer(root: FlatTable): Uint8Array {
  const writer = new FlatWriter();
  writer.skip(4);
  const rootPosition = writer.writeTable(root);
  writer.setUint32(0, rootPosition);
  writer.align(8);
  return writer.finish();
}

class FlatWriter {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  private position = 0;

  finish(): Uint8Array {
    return this.bytes.slice(0, this.position);
  }

  skip(count: number): void {
    this.ensure(count);
    this.position += count;
  }

  align(alignment: number, shift = 0): void {
    while ((this.position + shift) % alignment !== 0) this.skip(1);
  }

  setUint32(at: number, value: number): void {
    this.view.setUint32(at, value, true);
  }

  /** Writes vtable, table and then every child; returns the table's position. */
  writeTable(table: FlatTable): number {
    const layout = tableLayout(table);
    this.align(2);
    const vtablePosition = this.position;
    this.skip(layout.vtableBytes);
    this.view.setUint16(vtablePosition, layout.vtableBytes, true);
    this.view.setUint16(vtablePosition + 2, layout.tableBytes, true);
    for (let id = 0; id < table.fields.length; id++) {
      this.view.setUint16(vtablePosition + 4 + 2 * id, layout.offsets[id], true);
    }
    this.align(8);
    const tablePosition = this.position;
    this.skip(layout.tableBytes);
    this.view.setInt32(tablePosition, tablePosition - vtablePosition, true);
    for (let id = 0; id < table.fields.length; id++) {
      const field = table.fields[id];
      if (field !== null && field.kind === 'scalar') this.setScalar(tablePosition + layout.offsets[id], field.type, field.value);
    }
    for (let id = 0; id < table.fields.length; id++) {
      const field = table.fields[id];
      if (field === null || field.kind === 'scalar') continue;
      const slot = tablePosition + layout.offsets[id];
      this.setUint32(slot, this.writeChild(field) - slot);
    }
    return tablePosition;
  }

  private writeChild(field: Exclude<FlatField, { kind: 'scalar' }>): number {
    switch (field.kind) {
      case 'table': return this.writeTable(field.table);
      case 'string': return this.writeString(field.value);
      case 'tables': return this.writeTables(field.tables);
      case 'structs': return this.writeStructs(field.count, field.bytes);
    }
  }

  private writeString(value: string): number {
    const encoded = utf8.encode(value);
    this.align(4);
    const start = this.position;
    this.skip(4 + encoded.length + 1);
    this.setUint32(start, encoded.length);
    this.bytes.set(encoded, start + 4);
    return start;
  }

  private writeTables(tables: readonly FlatTable[]): number {
    this.align(4);
    const start = this.position;
    this.skip(4 + 4 * tables.length);
    this.setUint32(start, tables.length);
    for (let i = 0; i < tables.length; i++) {
      const slot = start + 4 + 4 * i;
      this.setUint32(slot, this.writeTable(tables[i]) - slot);
    }
    return start;
  }

  private writeStructs(count: number, bytes: Uint8Array): number {
    // The length word sits just before the elements, which must be 8-byte aligned.
    this.align(8, 4);
    const start = this.position;
    this.skip(4 + bytes.length);
    this.setUint32(start, count);
    this.bytes.set(bytes, start + 4);
    return start;
  }

  private setScalar(at: number, type: FlatScalarType, value: number | boolean): void {
    const number = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    switch (type) {
      case 'bool':
      case 'uint8': this.view.setUint8(at, number); break;
      case 'int8': this.view.setInt8(at, number); break;
      case 'int16': this.view.setInt16(at, number, true); break;
      case 'int32': this.view.setInt32(at, number, true); break;
      case 'int64': this.view.setBigInt64(at, BigInt(number), true); break;
    }
  }

  private ensure(count: number): void {
    if (this.position + count <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.position + count));
    grown.set(this.bytes);
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

interface TableLayout {
  readonly vtableBytes: number;
  readonly tableBytes: number;
  /** Offset of each field from the table start; 0 when absent. */
  readonly offsets: number[];
}

/** Places fields largest first so each is naturally aligned with little padding. */
function tableLayout(table: FlatTable): TableLayout {
  const offsets = new Array<number>(table.fields.length).fill(0);
  const ids = table.fields.map((_, id) => id).filter((id) => table.fields[id] !== null);
  const sizeOf = (id: number): number => {
    const field = table.fields[id]!;
    return field.kind === 'scalar' ? scalarBytes[field.type] : 4;
  };
  ids.sort((a, b) => sizeOf(b) - sizeOf(a) || a - b);
  let cursor = 4;
  for (const id of ids) {
    const size = sizeOf(id);
    cursor = Math.ceil(cursor / size) * size;
    offsets[id] = cursor;
    cursor += size;
  }
  assert(cursor < 0x10000, 'a FlatBuffers table fits in 64 KiB');
  return { vtableBytes: 4 + 2 * table.fields.length, tableBytes: Math.ceil(cursor / 4) * 4, offsets };
}
