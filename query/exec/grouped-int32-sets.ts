/**
 * count(DISTINCT x) under a GROUP BY of few groups, for x held as 32-bit integers (int16, int32,
 * date, interned strings): one open-addressing set of values per group, the value stored in the
 * slot itself. The general (group, value) pair table touches four arrays per row at random;
 * this touches one, which is what a distinct count over millions of keys is bound by (memory).
 */
import { PairTable, keyValue } from './pair-table.js';

/**
 * Groups beyond which the per-group sets give way to one pair table: each set costs a few KiB
 * even when nearly empty, so many groups (GROUP BY a key) are cheaper in one shared table.
 */
export const distinctGroupSetsMax = 1024;

/** Slot value of an empty slot; the value itself (-2^31) is tracked by a flag instead. */
const emptySlot = -2_147_483_648;
const initialSlotsLog2 = 6;
/** Largest fraction of slots in use before a set doubles (keeps linear probes short). */
const loadFactorMax = 0.5;

/** A set of int32 values, open addressing with linear probing and Fibonacci hashing. */
class Int32Set {
  size = 0;
  hasEmptyValue = false;
  slots = new Int32Array(1 << initialSlotsLog2).fill(emptySlot);
  private shift = 32 - initialSlotsLog2;

  /** Adds a value; true when it was not there. */
  add(value: number): boolean {
    if (value === emptySlot) {
      if (this.hasEmptyValue) return false;
      this.hasEmptyValue = true;
      return true;
    }
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = Math.imul(value, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const held = slots[slot];
      if (held === value) return false;
      if (held === emptySlot) break;
      slot = (slot + 1) & mask;
    }
    slots[slot] = value;
    if (++this.size > slots.length * loadFactorMax) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2).fill(emptySlot);
    this.shift -= 1;
    const mask = slots.length - 1;
    for (let i = 0; i < old.length; i++) {
      const value = old[i];
      if (value === emptySlot) continue;
      let slot = Math.imul(value, 0x9e3779b1) >>> this.shift;
      while (slots[slot] !== emptySlot) slot = (slot + 1) & mask;
      slots[slot] = value;
    }
    this.slots = slots;
  }
}

/** The (group, value) pairs a DISTINCT aggregate has seen, as per-group sets. */
export class GroupedInt32Sets {
  private readonly sets: Int32Set[] = [];

  /** Bytes the sets hold. */
  bytes(): number {
    let total = 0;
    for (const set of this.sets) if (set !== undefined) total += set.slots.byteLength;
    return total;
  }

  /** True while every group id in `groups` stays within the group limit of these sets. */
  accepts(groups: Int32Array, n: number): boolean {
    for (let i = 0; i < n; i++) if (groups[i] >= distinctGroupSetsMax) return false;
    return true;
  }

  /**
   * isNew[i] = 1 for the first row of each (groups[i], values[i]) pair ever seen, 0 for repeats
   * and NULL rows. Values must be integers within int32.
   */
  markNew(groups: Int32Array, values: ArrayLike<number>, nulls: Uint8Array | null, n: number, isNew: Uint8Array): void {
    const sets = this.sets;
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) {
        isNew[i] = 0;
        continue;
      }
      const group = groups[i];
      let set = sets[group];
      if (set === undefined) {
        set = new Int32Set();
        sets[group] = set;
      }
      isNew[i] = set.add(values[i] | 0) ? 1 : 0;
    }
  }

  /** The pairs seen so far in a pair table (when the groups outgrow the sets). */
  toPairTable(): PairTable {
    const table = new PairTable();
    for (let group = 0; group < this.sets.length; group++) {
      const set = this.sets[group];
      if (set === undefined) continue;
      if (set.hasEmptyValue) table.find(group, emptySlot, keyValue);
      for (const value of set.slots) if (value !== emptySlot) table.find(group, value, keyValue);
    }
    return table;
  }
}
