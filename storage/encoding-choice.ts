/**
 * Chooses each column's encoding from its data: the candidates that apply are encoded on a
 * sample of the partition's first rows and compressed with zstd, and the smallest wins. Plain
 * Arrow stays unless an encoding saves at least encodingGainMin, so files stay plainly readable
 * wherever encoding does not pay.
 */
import { bitsFor, deltaFrame, forFrame, layOut, layoutsOf, toStored, type IntegerValues } from './encoding-integers.js';
import type { ColumnEncoding, IntegerEncoding, TextEncoding } from './encoding-spec.js';
import { chooseSeparator, joinRows, type TextRows } from './encoding-text.js';
import { encodeTokens } from './encoding-tokens.js';
import { zstdCompress } from './zstd-codec.js';

/** Rows of the sample each candidate is tried on: enough for zstd to show its ratio, cheap to compress. */
export const encodingSampleRowsMax = 16_384;

/** Smallest saving (fraction of the plain size) for which an encoding replaces plain Arrow. */
export const encodingGainMin = 0.03;

/** zstd level of the trials: ranking candidates does not need the archive level's time. */
export const encodingTrialLevelMax = 3;

/**
 * Encodings a caller may ask for by name (tests, tools): 'plain', 'for+bytes', 'for+bits',
 * 'for+split', 'delta+bytes', 'delta+bits', 'delta+split', 'dictionary+bits', 'joined', 'tokens',
 * 'reference' (the difference from the earlier column that suits best, when one may pay).
 * A requested encoding that cannot hold the column falls back to the automatic choice.
 */
export type EncodingRequest = string;

/** How choices are made for one partition. */
export interface ChoiceContext {
  readonly level: number;
  readonly batchRowsMax: number;
  readonly request?: EncodingRequest;
}

interface Candidate {
  readonly name: string;
  readonly encoding: ColumnEncoding | undefined;
  readonly sample: () => Uint8Array[] | null;
}

/** The outcome of a choice: the encoding (undefined: plain) and the compressed sample bytes of it and of plain. */
export interface Choice<E extends ColumnEncoding> {
  readonly encoding: E | undefined;
  readonly bytes: number;
  readonly plainBytes: number;
}

function compressedBytes(buffers: readonly Uint8Array[], level: number): number {
  let total = 0;
  for (const buffer of buffers) total += buffer.length === 0 ? 0 : Math.min(buffer.length, zstdCompress(buffer, Math.min(level, encodingTrialLevelMax)).length);
  return total;
}

/** The requested candidate when it applies, else the smallest (plain unless an encoding saves encodingGainMin). */
function pick<E extends ColumnEncoding>(candidates: readonly Candidate[], context: ChoiceContext): Choice<E> {
  const requested = candidates.find((candidate) => candidate.name === context.request);
  if (requested !== undefined && requested.sample() !== null) return { encoding: requested.encoding as E | undefined, bytes: 0, plainBytes: Infinity };
  let plainBytes = Infinity;
  let best: { bytes: number; encoding: ColumnEncoding | undefined } = { bytes: Infinity, encoding: undefined };
  for (const candidate of candidates) {
    const buffers = candidate.sample();
    if (buffers === null) continue;
    const bytes = compressedBytes(buffers, context.level);
    if (candidate.encoding === undefined) plainBytes = bytes;
    else if (bytes < best.bytes) best = { bytes, encoding: candidate.encoding };
  }
  return best.bytes < plainBytes * (1 - encodingGainMin)
    ? { encoding: best.encoding as E, bytes: best.bytes, plainBytes }
    : { encoding: undefined, bytes: plainBytes, plainBytes };
}

/** Candidates of every frame (frame of reference, and delta where it may pay) and layout of `values`. */
function integerCandidates(values: IntegerValues, nulls: Uint8Array | null, context: ChoiceContext, extra: Partial<IntegerEncoding>): Candidate[] {
  const sampleEnd = Math.min(values.length, encodingSampleRowsMax);
  const frames = [forFrame(values, nulls)];
  const wantDelta = context.request?.startsWith('delta') === true;
  if (frames[0] !== null && bitsFor(frames[0].span) > 1 && (wantDelta || deltaMayPay(values, nulls, sampleEnd))) {
    // Delta pays on sorted and clustered data, where differences need about as few bits as values or fewer.
    const delta = deltaFrame(values, nulls, context.batchRowsMax);
    if (delta !== null && (bitsFor(delta.span) <= bitsFor(frames[0].span) + 1 || wantDelta)) frames.push(delta);
  }
  const candidates: Candidate[] = [];
  for (const frame of frames) {
    if (frame === null) continue;
    for (const layout of layoutsOf(frame)) {
      const encoding: IntegerEncoding = { ...layout, ...extra };
      candidates.push({
        name: `${encoding.transform}+${encoding.layout}`,
        encoding,
        sample: () => [layOut(toStored(values, nulls, 0, sampleEnd, encoding, 0), encoding)],
      });
    }
  }
  return candidates;
}

/** Whether differences may need about as few bits as values, judged on the sample rows (spares a full pass for most columns). */
function deltaMayPay(values: IntegerValues, nulls: Uint8Array | null, sampleEnd: number): boolean {
  const sampleNulls = nulls?.subarray(0, sampleEnd) ?? null;
  const own = forFrame(values.subarray(0, sampleEnd), sampleNulls);
  const delta = deltaFrame(values.subarray(0, sampleEnd), sampleNulls, sampleEnd);
  return own !== null && delta !== null && bitsFor(delta.span) <= bitsFor(own.span) + 1;
}

/** Integer encoding of a chunk of `values`, or plain; `plainSample` gives the plain Arrow data buffer of the first rows. */
export function chooseIntegerEncoding(values: IntegerValues, nulls: Uint8Array | null, plainSample: (end: number) => Uint8Array,
  context: ChoiceContext): Choice<IntegerEncoding> {
  const sampleEnd = Math.min(values.length, encodingSampleRowsMax);
  const plain: Candidate = { name: 'plain', encoding: undefined, sample: () => [plainSample(sampleEnd)] };
  return pick([plain, ...integerCandidates(values, nulls, context, {})], context);
}

/**
 * Whether `values` minus `reference` (a column without NULLs) may need fewer bits than `values`
 * alone, judged on the sample rows: most column pairs are unrelated and never get a full pass.
 */
export function referenceMayPay(values: IntegerValues, nulls: Uint8Array | null, reference: IntegerValues): boolean {
  const sampleEnd = Math.min(values.length, encodingSampleRowsMax);
  const own = forFrame(values.subarray(0, sampleEnd), nulls?.subarray(0, sampleEnd) ?? null);
  const differences = new Float64Array(sampleEnd);
  for (let i = 0; i < sampleEnd; i++) differences[i] = values[i] - reference[i];
  const difference = forFrame(differences, nulls?.subarray(0, sampleEnd) ?? null);
  return own !== null && difference !== null && bitsFor(difference.span) + referenceBitsGainMin <= bitsFor(own.span);
}

/** Bits a difference from a reference column must save per value (on the sample) to be tried. */
export const referenceBitsGainMin = 2;

/**
 * The best encoding of `differences` (= values minus column `reference`), as a Choice whose
 * bytes compare with the column's own choice; the encoding records the reference.
 */
export function chooseReferenceEncoding(differences: Float64Array, nulls: Uint8Array | null, reference: number, context: ChoiceContext): Choice<IntegerEncoding> {
  const candidates = integerCandidates(differences, nulls, { ...context, request: undefined }, { reference });
  let best: Choice<IntegerEncoding> = { encoding: undefined, bytes: Infinity, plainBytes: Infinity };
  for (const candidate of candidates) {
    const bytes = compressedBytes(candidate.sample()!, context.level);
    if (bytes < best.bytes) best = { encoding: candidate.encoding as IntegerEncoding, bytes, plainBytes: Infinity };
  }
  return best;
}

/** Bit-packed dictionary codes for dictionaries of at most 256 entries, or plain indices. */
export function chooseCodesEncoding(codes: Int32Array, nulls: Uint8Array | null, entries: number, plainSample: (end: number) => Uint8Array,
  context: ChoiceContext): Choice<IntegerEncoding> {
  const bits = bitsFor(Math.max(0, entries - 1));
  if (entries > 256 || bits >= 8) return { encoding: undefined, bytes: Infinity, plainBytes: Infinity };
  const sampleEnd = Math.min(codes.length, encodingSampleRowsMax);
  const encoding: IntegerEncoding = { kind: 'integers', transform: 'for', base: 0, multiplier: 1, layout: 'bits', width: bits, dictionaryEntries: entries };
  return pick([
    { name: 'plain', encoding: undefined, sample: () => [plainSample(sampleEnd)] },
    { name: 'dictionary+bits', encoding, sample: () => [layOut(toStored(codes, nulls, 0, sampleEnd, encoding, 0), encoding)] },
  ], context);
}

/**
 * Compressed bytes of a dictionary-encoded sample: its indices plus the sample's share of the
 * dictionary, which the whole partition stores once. Compares with text encodings' sample bytes.
 */
export function dictionarySampleBytes(indices: Uint8Array, dictionary: readonly Uint8Array[], sampleRows: number, rows: number, level: number): number {
  return compressedBytes([indices], level) + (compressedBytes(dictionary, level) * sampleRows) / rows;
}

/** Joined or tokenized text for a column of mostly distinct strings, or plain Utf8. */
export function chooseTextEncoding(rows: TextRows, rowCount: number, plainSample: (end: number) => Uint8Array[],
  context: ChoiceContext): Choice<TextEncoding> {
  const sampleEnd = Math.min(rowCount, encodingSampleRowsMax);
  const separator = chooseSeparator(rows.data);
  const joined: TextEncoding | undefined = separator === null ? undefined : { kind: 'text', layout: 'joined', separator };
  return pick([
    { name: 'plain', encoding: undefined, sample: () => plainSample(sampleEnd) },
    { name: 'joined', encoding: joined, sample: () => (separator === null ? null : [joinRows(rows, 0, sampleEnd, separator)]) },
    { name: 'tokens', encoding: { kind: 'text', layout: 'tokens' }, sample: () => [encodeTokens(rows, 0, sampleEnd)] },
  ], context);
}
