/**
 * Plans how each column of a partition is stored: plain Arrow (narrowest integer width,
 * dictionary or plain strings) or the strata encoding that pays for it (encoding-choice.ts),
 * including encoding a column as its difference from an earlier, correlated column (a receipt
 * date from the ship date, an end time from a start time).
 */
import {
  chooseCodesEncoding, chooseIntegerEncoding, chooseReferenceEncoding, chooseTextEncoding, dictionarySampleBytes, encodingGainMin,
  encodingSampleRowsMax, referenceMayPay, type ChoiceContext,
} from './encoding-choice.js';
import type { IntegerValues } from './encoding-integers.js';
import type { IntegerEncoding } from './encoding-spec.js';
import type { ColumnChunk, NumericChunk, StringChunk } from './partition-column-chunk.js';
import {
  encodeInts, encodeNumbers, encodeUtf8Strings, intWidth, numericPhysical, plainStrings, type ColumnPlan,
} from './partition-column-encoder.js';
import { dictionaryEntriesMax, type PhysicalType } from './partition-format.js';
import { columnRange, numericRange, type NumericRange } from './partition-stats.js';
import { exactIntegerMax, sameType, type Field } from './types.js';

/** How the writer chooses layouts: 'plain' writes pure Arrow, 'auto' lets encodings compete. */
export interface PlanOptions {
  readonly encodings: 'auto' | 'plain';
  readonly level: number;
  readonly batchRowsMax: number;
  /** Requested encoding names by column name (see EncodingRequest). */
  readonly requests?: Readonly<Record<string, string>>;
  /** Numeric ranges per column already computed by the caller (null entries: compute here). */
  readonly numericRanges?: readonly (NumericRange | null)[];
}

/** Dictionaries this small always stay dictionaries (their codes may be bit-packed); larger ones compete with text encodings. */
const packedDictionaryEntriesMax = 256;

/** A plan with the compressed sample bytes of its choice, to compare against reference candidates. */
interface Planned {
  readonly plan: ColumnPlan;
  readonly sampleBytes: number;
}

/** Plans every column of a partition of `rows` rows from the gathered chunks. */
export function planColumns(fields: readonly Field[], chunks: readonly ColumnChunk[], rows: number, options: PlanOptions): ColumnPlan[] {
  const planned = fields.map((field, index) => planColumn(field, index, chunks[index], rows, options));
  if (options.encodings === 'auto' && rows > 0) {
    for (let index = 1; index < planned.length; index++) planned[index] = planReference(planned, index, options);
  }
  return planned.map((entry) => entry.plan);
}

function contextOf(field: Field, options: PlanOptions): ChoiceContext {
  return { level: options.level, batchRowsMax: options.batchRowsMax, request: options.requests?.[field.name] };
}

function planColumn(field: Field, index: number, chunk: ColumnChunk, rows: number, options: PlanOptions): Planned {
  if (chunk.kind === 'string') return planStrings(field, index, chunk, rows, options);
  const numeric = options.numericRanges?.[index] ?? numericRange(chunk);
  const plain = numericPhysical(field, numeric);
  const range = columnRange(chunk, field.type, numeric);
  if (options.encodings !== 'auto' || rows === 0 || !integerLike(plain)) return { plan: { column: { ...field, physical: plain }, chunk, range, utf8: null }, sampleBytes: Infinity };
  const choice = chooseIntegerEncoding(chunk.values as IntegerValues, chunk.nulls, (end) => encodeNumbers(chunk, plain, 0, end), contextOf(field, options));
  const encoding = choice.encoding;
  const column = encoding === undefined ? { ...field, physical: plain } : { ...field, physical: encodedPhysical(encoding), encoding };
  return { plan: { column, chunk, range, utf8: null }, sampleBytes: choice.bytes };
}

function integerLike(physical: PhysicalType): boolean {
  return physical.kind === 'int' || physical.kind === 'date32' || physical.kind === 'timestamp-us';
}

/** The Arrow type a plain reader sees for integers in `encoding`: unsigned, one byte for packed and split layouts. */
function encodedPhysical(encoding: IntegerEncoding): PhysicalType {
  return { kind: 'int', bitWidth: encoding.layout === 'bytes' ? (8 * encoding.width) as 8 | 16 | 32 | 64 : 8, unsigned: true };
}

function planStrings(field: Field, index: number, chunk: StringChunk, rows: number, options: PlanOptions): Planned {
  // Chunks gathered from UTF-8 vectors already hold their dictionary's bytes.
  const utf8 = chunk.utf8 ?? encodeUtf8Strings(chunk.dictionary);
  const distinct = utf8.offsets.length - 1;
  const range = columnRange(chunk, field.type, null);
  const context = contextOf(field, options);
  const auto = options.encodings === 'auto' && rows > 0;
  const dictionaryPossible = rows > 0 && distinct <= rows / 2 && distinct <= dictionaryEntriesMax;
  const { indexBitWidth, plainIndex } = dictionaryIndex(distinct, index);
  if (dictionaryPossible && (!auto || distinct <= packedDictionaryEntriesMax || context.request === 'plain')) {
    const encoding = auto ? chooseCodesEncoding(chunk.codes, chunk.nulls, distinct, (end) => encodeInts(chunk.codes, 0, end, indexBitWidth), context).encoding : undefined;
    const column = encoding === undefined
      ? { ...field, physical: plainIndex }
      : { ...field, physical: { kind: 'dictionary', indexBitWidth: 8, dictionaryId: index, indexUnsigned: true } as PhysicalType, encoding };
    return { plan: { column, chunk, range, utf8 }, sampleBytes: Infinity };
  }
  const rowsOfText = { data: utf8.data, offsets: utf8.offsets, codes: chunk.codes, nulls: chunk.nulls };
  const plainSample = (end: number): Uint8Array[] => {
    const { offsets, data } = plainStrings(chunk, utf8, 0, end);
    return [new Uint8Array(offsets.buffer), data];
  };
  const choice = auto ? chooseTextEncoding(rowsOfText, rows, plainSample, context) : undefined;
  if (dictionaryPossible && choice !== undefined) {
    // A large dictionary competes with text encodings: repeated long values favour it, varied text does not.
    const sampleEnd = Math.min(rows, encodingSampleRowsMax);
    const dictionaryBytes = dictionarySampleBytes(encodeInts(chunk.codes, 0, sampleEnd, indexBitWidth), [new Uint8Array(utf8.offsets.buffer), utf8.data], sampleEnd, rows, options.level);
    if (!(choice.bytes < dictionaryBytes * (1 - encodingGainMin)) && context.request !== 'joined' && context.request !== 'tokens') {
      return { plan: { column: { ...field, physical: plainIndex }, chunk, range, utf8 }, sampleBytes: Infinity };
    }
  }
  const encoding = choice?.encoding;
  const column = encoding === undefined ? { ...field, physical: { kind: 'utf8' } as PhysicalType }
    : { ...field, physical: { kind: encoding.layout === 'tokens' ? 'binary' : 'utf8' } as PhysicalType, encoding };
  return { plan: { column, chunk, range, utf8 }, sampleBytes: Infinity };
}

/**
 * The index type of a plain dictionary of `distinct` entries: the narrowest Arrow integer holding
 * every code, unsigned where that halves the width (129 to 256 entries fit UInt8, not Int8).
 */
function dictionaryIndex(distinct: number, dictionaryId: number): { indexBitWidth: 8 | 16 | 32; plainIndex: PhysicalType } {
  const codeMax = Math.max(0, distinct - 1);
  const indexBitWidth = codeMax <= 255 ? 8 : codeMax <= 65_535 ? 16 : 32;
  const signedFits = intWidth(0, codeMax, false) === indexBitWidth;
  return {
    indexBitWidth,
    plainIndex: signedFits ? { kind: 'dictionary', indexBitWidth, dictionaryId } : { kind: 'dictionary', indexBitWidth, dictionaryId, indexUnsigned: true },
  };
}

function withinExactRange(plan: ColumnPlan): boolean {
  const { min, max } = plan.range;
  return (min === null || (typeof min === 'number' && Math.abs(min) <= exactIntegerMax)) && (max === null || (typeof max === 'number' && Math.abs(max) <= exactIntegerMax));
}

/** Whether column `index` may be stored as its difference from column `reference` (same type, no NULLs, no chains). */
function referenceUsable(planned: readonly Planned[], index: number, reference: number): boolean {
  const target = planned[index].plan;
  const source = planned[reference].plan;
  if (source.chunk.kind !== 'numeric' || source.chunk.nullCount > 0 || !sameType(source.column.type, target.column.type)) return false;
  // Sums and differences of float64 integers are exact only within 2^53 (timestamps may pass it).
  if (!withinExactRange(source) || !withinExactRange(target)) return false;
  const encoding = source.column.encoding;
  if (encoding === undefined) return integerLike(source.column.physical);
  return encoding.kind === 'integers' && encoding.reference === undefined;
}

/** Column `index` re-planned against the earlier column that makes it smallest, when that saves encodingGainMin. */
function planReference(planned: readonly Planned[], index: number, options: PlanOptions): Planned {
  const current = planned[index];
  const { chunk, column } = current.plan;
  if (chunk.kind !== 'numeric' || !(integerLike(column.physical) || column.encoding?.kind === 'integers') || current.sampleBytes === Infinity) return current;
  const request = options.requests?.[column.name];
  if (request !== undefined && request !== 'reference') return current;
  let best: Planned = current;
  let bestBytes = request === 'reference' ? Infinity : current.sampleBytes * (1 - encodingGainMin);
  for (let reference = 0; reference < index; reference++) {
    if (!referenceUsable(planned, index, reference)) continue;
    const values = chunk.values as IntegerValues;
    const referenceValues = (planned[reference].plan.chunk as NumericChunk).values as IntegerValues;
    if (!referenceMayPay(values, chunk.nulls, referenceValues)) continue;
    const differences = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) differences[i] = values[i] - referenceValues[i];
    const choice = chooseReferenceEncoding(differences, chunk.nulls, reference, contextOf(column, options));
    if (choice.encoding === undefined || choice.bytes >= bestBytes) continue;
    bestBytes = choice.bytes;
    best = {
      plan: { ...current.plan, column: { ...column, physical: encodedPhysical(choice.encoding), encoding: choice.encoding }, differences },
      sampleBytes: choice.bytes,
    };
  }
  return best;
}
