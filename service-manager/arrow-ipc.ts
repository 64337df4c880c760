/**
 * Batches to and from Arrow IPC streams, for the internal fragment RPC and the WebSocket "arrow"
 * result format. The only service-manager file importing apache-arrow. Each encoded unit is one
 * self-contained IPC stream (schema, dictionaries, one record batch) so dictionaries never need
 * replacement messages; field metadata `strata.type` carries the SQL type.
 */
import {
  Bool, DateDay, Dictionary, Field as ArrowField, Float64, Int32, Int64, makeData, RecordBatch, Schema as ArrowSchema,
  Struct, Table as ArrowTable, Utf8, tableFromIPC, tableToIPC, vectorFromArray, type Data, type DataType as ArrowDataType,
} from 'apache-arrow';
import { allocateValues, StrataError, type Batch, type DataType, type Field, type Schema, type Vector } from '../storage/index.js';

const strataTypeKey = 'strata.type';

function toBitmap(bytes: Uint8Array | null, length: number, invert: boolean): Uint8Array | null {
  if (bytes === null) return null;
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) {
    const bit = invert ? bytes[i] === 0 : bytes[i] !== 0;
    if (bit) bitmap[i >> 3] |= 1 << (i & 7);
  }
  return bitmap;
}

function nullCount(nulls: Uint8Array | null): number {
  if (nulls === null) return 0;
  let count = 0;
  for (let i = 0; i < nulls.length; i++) count += nulls[i];
  return count;
}

function arrowTypeOf(vector: Vector): ArrowDataType {
  if (vector.kind === 'string') return new Dictionary(new Utf8(), new Int32());
  if (vector.type.id === 'boolean') return new Bool();
  if (vector.values instanceof BigInt64Array) return new Int64();
  if (vector.values instanceof Int32Array) return vector.type.id === 'date' ? new DateDay() : new Int32();
  return new Float64();
}

function columnData(vector: Vector, type: ArrowDataType): Data {
  const nullBitmap = toBitmap(vector.nulls, vector.length, true);
  const common = { type, length: vector.length, nullCount: nullCount(vector.nulls), nullBitmap: nullBitmap ?? undefined };
  if (vector.kind === 'string') {
    const dictionary = vectorFromArray([...vector.dictionary], new Utf8());
    return makeData({ ...common, type: type as Dictionary<Utf8, Int32>, data: vector.codes, dictionary });
  }
  if (vector.type.id === 'boolean') return makeData({ ...common, type: type as Bool, data: toBitmap(vector.values as Uint8Array, vector.length, false)! });
  return makeData({ ...common, type: type as Int32, data: vector.values as Int32Array });
}

/** One batch as a self-contained Arrow IPC stream. */
export function encodeBatch(schema: Schema, batch: Batch): Uint8Array {
  const types = batch.columns.map(arrowTypeOf);
  const fields = schema.fields.map((field, i) => new ArrowField(field.name, types[i], true, new Map([[strataTypeKey, JSON.stringify(field.type)]])));
  const arrowSchema = new ArrowSchema(fields);
  const children = batch.columns.map((column, i) => columnData(column, types[i]));
  const struct = makeData({ type: new Struct(fields), length: batch.length, nullCount: 0, children });
  return tableToIPC(new ArrowTable(arrowSchema, [new RecordBatch(arrowSchema, struct)] as never), 'stream');
}

function decodeVector(data: Data, type: DataType): Vector {
  const length = data.length;
  let nulls: Uint8Array | null = null;
  if (data.nullCount > 0 && data.nullBitmap !== undefined && data.nullBitmap.length > 0) {
    nulls = new Uint8Array(length);
    const bitmap = data.nullBitmap;
    const offset = data.offset;
    for (let i = 0; i < length; i++) if ((bitmap[(i + offset) >> 3] & (1 << ((i + offset) & 7))) === 0) nulls[i] = 1;
  }
  if (type.id === 'string') {
    const dictionary = data.dictionary === undefined ? [] : (data.dictionary.toArray() as (string | null)[]).map((value) => value ?? '');
    const codes = (data.values as Int32Array).subarray(data.offset, data.offset + length);
    return { kind: 'string', type, length, codes: new Int32Array(codes), dictionary, nulls };
  }
  if (type.id === 'boolean') {
    const values = new Uint8Array(length);
    const bits = data.values as Uint8Array;
    for (let i = 0; i < length; i++) values[i] = (bits[(i + data.offset) >> 3] >> ((i + data.offset) & 7)) & 1;
    return { kind: 'numeric', type, length, values, nulls };
  }
  const source = data.values as Int32Array | Float64Array | BigInt64Array;
  const values = allocateValues(type, length);
  if (values.constructor !== source.constructor) {
    throw new StrataError('corruption', 'IPC_TYPE_MISMATCH', `an Arrow IPC column of ${type.id} arrived as ${source.constructor.name}`);
  }
  (values as Int32Array).set(source.subarray(data.offset, data.offset + length) as Int32Array);
  return { kind: 'numeric', type, length, values, nulls };
}

/** Decodes one IPC stream written by encodeBatch (or any stream with strata.type metadata). */
export function decodeBatches(bytes: Uint8Array): { schema: Schema; batches: Batch[] } {
  const table = tableFromIPC(bytes);
  const fields: Field[] = table.schema.fields.map((field) => {
    const typeText = field.metadata.get(strataTypeKey);
    if (typeText === undefined) throw new StrataError('corruption', 'IPC_TYPE_MISMATCH', `Arrow IPC field ${field.name} has no ${strataTypeKey} metadata`);
    return { name: field.name, type: JSON.parse(typeText) as DataType, nullable: field.nullable };
  });
  const batches: Batch[] = table.batches.map((recordBatch) => ({
    length: recordBatch.numRows,
    columns: fields.map((field, i) => decodeVector(recordBatch.getChildAt(i)!.data[0], field.type)),
  }));
  return { schema: { fields }, batches };
}
