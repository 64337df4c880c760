/**
 * Bit packing and byte-plane splitting of small unsigned integers: the two layouts that let zstd
 * see through integers. Packing at b bits breaks zstd's floor of one bit per byte (flags, small
 * codes) and drops the unused high bits of wide random keys; splitting into byte planes puts the
 * skewed high bytes together, where zstd's entropy coder shrinks them (dates, prices).
 */

/** Unsigned integers as a typed array: Int32Array when they fit 31 bits, Float64Array otherwise. */
export type UnsignedArray = Int32Array | Float64Array;

/** Zero bytes after packed data: unpacking reads 4 bytes per value and may run up to 3 past the last. */
export const packedTailBytes = 4;

/** Bytes of `count` values packed at `bits` bits, tail included. */
export function packedBytes(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8) + packedTailBytes;
}

/** Packs `values` (each < 2^bits, bits ≤ 24) LSB-first into at least `minimumBytes` bytes. */
export function packBits(values: Int32Array, bits: number, minimumBytes = 0): Uint8Array {
  const out = new Uint8Array(Math.max(minimumBytes, packedBytes(values.length, bits)));
  if (bits === 0) return out;
  for (let i = 0, position = 0; i < values.length; i++, position += bits) {
    const at = position >>> 3;
    const word = values[i] << (position & 7);
    out[at] |= word;
    out[at + 1] |= word >>> 8;
    out[at + 2] |= word >>> 16;
    out[at + 3] |= word >>> 24;
  }
  return out;
}

/** Unpacks `count` values of `bits` bits (≤ 24) from `bytes` into `out`; bytes must hold packedBytes(count, bits). */
export function unpackBits(bytes: Uint8Array, bits: number, count: number, out: UnsignedArray): void {
  if (bits === 0) {
    out.fill(0, 0, count);
    return;
  }
  // 1, 2 and 4 bits never straddle a byte: one load per value. Hot in scans of flags and small codes.
  if (bits === 1 || bits === 2 || bits === 4) return unpackWithinBytes(bytes, bits, count, out);
  const mask = (1 << bits) - 1;
  if (bits <= 9) {
    for (let i = 0, position = 0; i < count; i++, position += bits) {
      const at = position >>> 3;
      out[i] = ((bytes[at] | (bytes[at + 1] << 8)) >>> (position & 7)) & mask;
    }
    return;
  }
  for (let i = 0, position = 0; i < count; i++, position += bits) {
    const at = position >>> 3;
    const word = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
    out[i] = (word >>> (position & 7)) & mask;
  }
}

function unpackWithinBytes(bytes: Uint8Array, bits: number, count: number, out: UnsignedArray): void {
  const perByteShift = bits === 1 ? 3 : bits === 2 ? 2 : 1; // log2 of values per byte
  const slotMask = (1 << perByteShift) - 1;
  const mask = (1 << bits) - 1;
  for (let i = 0; i < count; i++) out[i] = (bytes[i >>> perByteShift] >>> ((i & slotMask) * bits)) & mask;
}

/** Byte planes of `values` (each < 2^(8·planes)): plane k holds byte k of every value. */
export function splitBytes(values: UnsignedArray, planes: number): Uint8Array {
  const count = values.length;
  const out = new Uint8Array(count * planes);
  if (values instanceof Int32Array) {
    for (let k = 0; k < planes && k < 4; k++) {
      const shift = 8 * k;
      const offset = k * count;
      for (let i = 0; i < count; i++) out[offset + i] = values[i] >>> shift;
    }
    return out;
  }
  for (let i = 0; i < count; i++) {
    let value = values[i];
    for (let k = 0; k < planes; k++) {
      const low = value % 256;
      out[k * count + i] = low;
      value = (value - low) / 256;
    }
  }
  return out;
}

/** Joins byte planes back into `count` values; `out` may be an Int32Array only when every value fits 31 bits. */
export function joinBytes(bytes: Uint8Array, planes: number, count: number, out: UnsignedArray): void {
  if (out instanceof Int32Array) {
    out.set(bytes.subarray(0, count));
    for (let k = 1; k < planes; k++) {
      const shift = 8 * k;
      const offset = k * count;
      for (let i = 0; i < count; i++) out[i] |= bytes[offset + i] << shift;
    }
    return;
  }
  out.fill(0, 0, count);
  for (let k = planes - 1; k >= 0; k--) {
    const offset = k * count;
    for (let i = 0; i < count; i++) out[i] = out[i] * 256 + bytes[offset + i];
  }
}
