/**
 * A hash table keyed by raw bytes, so that a string column decodes each distinct value once:
 * repeated values (flags, modes, host names) are found by their UTF-8 bytes and reuse the code
 * of the string decoded the first time.
 */

/** Slots a new table starts with; it doubles at half load. */
const slotsInitial = 1024;
/** Arena bytes a new table starts with; it doubles as needed. */
const arenaBytesInitial = 16_384;

/** FNV-1a over data[start, end), as a 32-bit integer. */
export function hashBytes(data: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ data[i], 0x01000193);
  return hash;
}

/** Maps byte strings to dictionary codes. */
export class ByteDictionary {
  /** Number of distinct keys held. */
  size = 0;
  /** Bytes of key text held. */
  arenaLength = 0;
  private slots: Int32Array = new Int32Array(slotsInitial).fill(-1);
  private hashes: Int32Array = new Int32Array(slotsInitial / 2);
  private offsets: Int32Array = new Int32Array(slotsInitial / 2);
  private lengths: Int32Array = new Int32Array(slotsInitial / 2);
  private codes: Int32Array = new Int32Array(slotsInitial / 2);
  private arena: Uint8Array = new Uint8Array(arenaBytesInitial);

  /** The code stored for data[start, end) (whose hash is `hash`), or -1. */
  find(data: Uint8Array, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry < 0) return -1;
      if (this.hashes[entry] === hash && this.lengths[entry] === length && this.equals(entry, data, start, length)) return this.codes[entry];
    }
  }

  /** Stores `code` for data[start, end), which must not be present yet. */
  insert(data: Uint8Array, start: number, end: number, hash: number, code: number): void {
    if ((this.size + 1) * 2 > this.slots.length) this.growSlots();
    const entry = this.size++;
    const length = end - start;
    if (this.arenaLength + length > this.arena.length) this.growArena(this.arenaLength + length);
    this.arena.set(data.subarray(start, end), this.arenaLength);
    this.hashes[entry] = hash;
    this.offsets[entry] = this.arenaLength;
    this.lengths[entry] = length;
    this.codes[entry] = code;
    this.arenaLength += length;
    this.place(entry, hash);
  }

  private equals(entry: number, data: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena;
    const offset = this.offsets[entry];
    for (let i = 0; i < length; i++) if (arena[offset + i] !== data[start + i]) return false;
    return true;
  }

  private place(entry: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] >= 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry;
  }

  private growSlots(): void {
    const slots = this.slots.length * 2;
    this.slots = new Int32Array(slots).fill(-1);
    this.hashes = resize(this.hashes, slots / 2);
    this.offsets = resize(this.offsets, slots / 2);
    this.lengths = resize(this.lengths, slots / 2);
    this.codes = resize(this.codes, slots / 2);
    for (let entry = 0; entry < this.size; entry++) this.place(entry, this.hashes[entry]);
  }

  private growArena(bytes: number): void {
    const arena = new Uint8Array(Math.max(bytes, this.arena.length * 2));
    arena.set(this.arena.subarray(0, this.arenaLength));
    this.arena = arena;
  }
}

function resize(array: Int32Array, length: number): Int32Array {
  const resized = new Int32Array(length);
  resized.set(array);
  return resized;
}
