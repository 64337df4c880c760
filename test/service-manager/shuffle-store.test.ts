/** ShuffleStore: buckets kept per shuffle, side and bucket; bytes, shuffle count and lifetime bounded; drop frees. */
import assert from 'node:assert/strict';
import { StrataError } from '../../storage/index.js';
import { ShuffleStore, shufflesMax, shuffleTombstonesMax, shuffleTombstoneTtlMs } from '../../service-manager/shuffle-store.js';

const bytes = (n: number): Uint8Array => new Uint8Array(n);

describe('ShuffleStore', () => {
  it('keeps each bucket apart and frees a shuffle on drop', () => {
    const store = new ShuffleStore({ bytesMax: 1000 });
    store.put('s1', 0, 4, new Map([[0, [bytes(10)]], [3, [bytes(20), bytes(5)]]]));
    store.put('s1', 1, 4, new Map([[3, [bytes(7)]]]));
    store.put('s1', 0, 4, new Map([[0, [bytes(1)]]]));
    assert.deepEqual(store.get('s1', 0, 0).map((ipc) => ipc.length), [10, 1]);
    assert.deepEqual(store.get('s1', 0, 3).map((ipc) => ipc.length), [20, 5]);
    assert.deepEqual(store.get('s1', 1, 3).map((ipc) => ipc.length), [7]);
    assert.deepEqual(store.get('s1', 1, 0), []);
    assert.equal(store.bytesHeld(), 43);
    store.drop('s1');
    assert.equal(store.bytesHeld(), 0);
  });

  it('fails a read of an unknown, dropped or expired shuffle instead of answering no rows', () => {
    let now = 0;
    const store = new ShuffleStore({ ttlMs: 600_000, now: () => now });
    store.put('q.0', 0, 4, new Map([[1, [bytes(10)]]]));
    store.put('q.1', 0, 4, new Map([[1, [bytes(10)]]]));
    store.drop('q.1');
    now = 600_001; // the reduce ran more than the lifetime after the map (a slow consumer)
    const fails = (id: string, code: string) => assert.throws(() => store.get(id, 0, 1),
      (error: StrataError) => error.kind === 'io' && error.code === code && error.message.includes(id) && /run the round again/.test(error.message));
    fails('q.0', 'SHUFFLE_EXPIRED');
    fails('q.1', 'SHUFFLE_EXPIRED');
    fails('never-mapped', 'SHUFFLE_NOT_FOUND');
    // A late map of a freed shuffle is refused too: it would hold memory nobody reads.
    assert.throws(() => store.put('q.0', 1, 4, new Map([[0, [bytes(3)]]])), (error: StrataError) => error.code === 'SHUFFLE_EXPIRED');
    assert.equal(store.bytesHeld(), 0);
  });

  it('begin opens an empty shuffle that reads as no rows', () => {
    const store = new ShuffleStore();
    store.begin('s', 2);
    assert.deepEqual(store.get('s', 1, 1), []);
  });

  it('extends a shuffle\'s lifetime on every put and get: only an idle shuffle expires', () => {
    let now = 0;
    const store = new ShuffleStore({ ttlMs: 500, now: () => now });
    store.put('s', 0, 2, new Map([[0, [bytes(8)]]]));
    for (now = 400; now <= 4_000; now += 400) assert.equal(store.get('s', 0, 0).length, 1);
    now = 4_300; // the last get was at 4_000
    store.put('s', 1, 2, new Map([[1, [bytes(2)]]]));
    now += 499;
    assert.equal(store.get('s', 1, 1).length, 1);
    now += 500;
    assert.throws(() => store.get('s', 1, 1), (error: StrataError) => error.code === 'SHUFFLE_EXPIRED');
    assert.equal(store.counters.shufflesExpired, 1);
  });

  it('forgets tombstones after their own lifetime and past their count limit', () => {
    let now = 0;
    const store = new ShuffleStore({ now: () => now });
    for (let i = 0; i <= shuffleTombstonesMax; i++) {
      store.put(`s${i}`, 0, 1, new Map());
      store.drop(`s${i}`);
    }
    // The oldest tombstone was evicted: its id reads as unknown, the newest as dropped.
    assert.throws(() => store.get('s0', 0, 0), (error: StrataError) => error.code === 'SHUFFLE_NOT_FOUND');
    assert.throws(() => store.get(`s${shuffleTombstonesMax}`, 0, 0), (error: StrataError) => error.code === 'SHUFFLE_EXPIRED');
    now = shuffleTombstoneTtlMs;
    assert.throws(() => store.get(`s${shuffleTombstonesMax}`, 0, 0), (error: StrataError) => error.code === 'SHUFFLE_NOT_FOUND');
  });

  it('refuses bucket data past its byte limit with SHUFFLE_MEMORY_EXCEEDED, keeping what it holds', () => {
    const store = new ShuffleStore({ bytesMax: 100 });
    store.put('s1', 0, 2, new Map([[1, [bytes(60)]]]));
    assert.throws(() => store.put('s2', 0, 2, new Map([[0, [bytes(41)]]])),
      (error: StrataError) => error.code === 'SHUFFLE_MEMORY_EXCEEDED' && error.kind === 'resources' && /100 bytes/.test(error.message));
    assert.equal(store.bytesHeld(), 60);
    store.drop('s1');
    store.put('s2', 0, 2, new Map([[0, [bytes(41)]]]));
    assert.equal(store.bytesHeld(), 41);
  });

  it('holds at most shufflesMax shuffles', () => {
    const store = new ShuffleStore();
    for (let i = 0; i < shufflesMax; i++) store.put(`s${i}`, 0, 1, new Map());
    assert.throws(() => store.put('one-more', 0, 1, new Map()), (error: StrataError) => error.code === 'SHUFFLE_MEMORY_EXCEEDED');
    store.drop('s0');
    store.put('one-more', 0, 1, new Map());
  });

  it('expires a shuffle nobody used for its lifetime', () => {
    let now = 1_000;
    const store = new ShuffleStore({ ttlMs: 500, now: () => now });
    store.put('old', 0, 1, new Map([[0, [bytes(8)]]]));
    now = 1_400;
    store.put('new', 0, 1, new Map([[0, [bytes(4)]]]));
    now = 1_501;
    assert.throws(() => store.get('old', 0, 0), (error: StrataError) => error.code === 'SHUFFLE_EXPIRED');
    assert.equal(store.get('new', 0, 0).length, 1);
    assert.equal(store.bytesHeld(), 4);
    assert.equal(store.counters.shufflesExpired, 1);
  });

  it('rejects a bucket outside the shuffle, and more buckets than shuffleBucketsMax', () => {
    const store = new ShuffleStore();
    assert.throws(() => store.put('s', 0, 2, new Map([[2, [bytes(1)]]])), (error: StrataError) => error.code === 'BAD_MESSAGE');
    assert.throws(() => store.put('t', 0, 1_000_000, new Map()), (error: StrataError) => error.code === 'BAD_MESSAGE' && /1 to \d+ are allowed/.test(error.message));
  });
});
