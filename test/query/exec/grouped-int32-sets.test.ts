/** Per-group int32 sets of count(DISTINCT) agree with a plain Set of (group, value) pairs, also after moving to a pair table. */
import assert from 'node:assert/strict';
import { distinctGroupSetsMax, GroupedInt32Sets } from '../../../query/exec/grouped-int32-sets.js';

/** Deterministic pseudo-random integers below `limit` (a linear congruential generator). */
function generator(seed: number): (limit: number) => number {
  let state = seed;
  return (limit) => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state % limit;
  };
}

describe('GroupedInt32Sets', () => {
  it('marks the first row of each (group, value) pair, never NULL rows, across batches and growth', () => {
    const next = generator(11);
    const sets = new GroupedInt32Sets();
    const seen = new Set<string>();
    // Extremes and the empty-slot value itself (-2^31) are ordinary values here.
    const specials = [-2_147_483_648, 2_147_483_647, 0, -1];
    for (let batch = 0; batch < 6; batch++) {
      const n = 5000;
      const groups = new Int32Array(n);
      const values = new Int32Array(n);
      const nulls = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        groups[i] = next(7);
        values[i] = i % 97 === 0 ? specials[next(4)] : next(3000) - 1500;
        nulls[i] = next(20) === 0 ? 1 : 0;
      }
      const isNew = new Uint8Array(n);
      assert.ok(sets.accepts(groups, n));
      sets.markNew(groups, values, nulls, n, isNew);
      for (let i = 0; i < n; i++) {
        const key = `${groups[i]}:${values[i]}`;
        const expected = nulls[i] === 0 && !seen.has(key);
        if (expected) seen.add(key);
        assert.equal(isNew[i], expected ? 1 : 0, `batch ${batch} row ${i} (${key}, null ${nulls[i]})`);
      }
    }
    // The pair table built from the sets knows every pair: finding one adds nothing.
    const table = sets.toPairTable();
    assert.equal(table.size, seen.size);
    for (const key of seen) {
      const [group, value] = key.split(':').map(Number);
      table.find(group, value, 0);
    }
    assert.equal(table.size, seen.size);
  });

  it('refuses group ids from distinctGroupSetsMax on', () => {
    const sets = new GroupedInt32Sets();
    assert.equal(sets.accepts(Int32Array.of(0, distinctGroupSetsMax - 1), 2), true);
    assert.equal(sets.accepts(Int32Array.of(0, distinctGroupSetsMax), 2), false);
  });
});
