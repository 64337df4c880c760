/**
 * The Store contract as mocha tests, run against every store (LocalStore, HdfsStore): the same
 * behaviour on a local directory and on HDFS is what lets the rest of strata ignore which it has.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { StrataError, type Store } from '../../storage/index.js';

/** A fresh, empty store for one test, and how to remove it. */
export interface StoreUnderTest {
  readonly store: Store;
  cleanup(): Promise<void>;
}

/** Rounds of the two-process createIfAbsent race. */
const raceRounds = 25;
/** Size of the large-file round trip, in bytes. */
const largeFileBytes = 20 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (value: string): Uint8Array => encoder.encode(value);

/** Asserts equal bytes (a Buffer and a Uint8Array with the same bytes are equal here). */
function assertBytes(actual: Uint8Array, expected: Uint8Array, message?: string): void {
  assert.equal(actual.length, expected.length, message);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected), message ?? 'bytes differ');
}

/** Asserts that `action` rejects with a StrataError of `code` (and `kind` when given). */
export async function rejectsWith(action: Promise<unknown>, code: string, kind?: string): Promise<StrataError> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof StrataError, `expected StrataError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (kind !== undefined) assert.equal(caught.kind, kind, caught.message);
  return caught;
}

/** Defines the contract tests for one store implementation. */
export function defineStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, function () {
    let current: StoreUnderTest | undefined;
    let store: Store;

    beforeEach(async () => {
      current = await makeStore();
      store = current.store;
    });

    afterEach(async () => {
      await current?.store.close();
      await current?.cleanup();
      current = undefined;
    });

    defineReadWriteTests(() => store);
    defineNamespaceTests(() => store);
    defineCreateIfAbsentTests(() => store);
  });
}

function defineReadWriteTests(storeOf: () => Store): void {
  it('writes and reads a file, creating parent directories; chunked writes concatenate', async () => {
    const store = storeOf();
    await store.write('a/b/c.bin', text('hello, store'));
    assert.equal(decoder.decode(await store.read('a/b/c.bin')), 'hello, store');
    await store.write('a/chunks', [text('one,'), new Uint8Array(0), text('two,'), text('three')]);
    assert.equal(decoder.decode(await store.read('a/chunks')), 'one,two,three');
    await store.write('empty', new Uint8Array(0));
    assert.equal((await store.read('empty')).length, 0);
  });

  it('reads ranges: inside, at the end, past the end, empty', async () => {
    const store = storeOf();
    await store.write('r', text('0123456789'));
    assert.equal(decoder.decode(await store.readRange('r', 2, 3)), '234');
    assert.equal(decoder.decode(await store.readRange('r', 0, 10)), '0123456789');
    assert.equal(decoder.decode(await store.readRange('r', 7, 100)), '789', 'a length past the end gives the rest');
    assert.equal((await store.readRange('r', 10, 5)).length, 0, 'an offset at the end gives no bytes');
    assert.equal((await store.readRange('r', 50, 5)).length, 0, 'an offset past the end gives no bytes');
    assert.equal((await store.readRange('r', 3, 0)).length, 0);
    await rejectsWith(store.readRange('r', -1, 2), 'STORE_RANGE_INVALID', 'input');
    await rejectsWith(store.readRange('r', 0, 1.5), 'STORE_RANGE_INVALID', 'input');
    await rejectsWith(store.readRange('absent', 0, 4), 'STORE_FILE_NOT_FOUND', 'not_found');
    await rejectsWith(store.readRange('absent', 0, 0), 'STORE_FILE_NOT_FOUND', 'not_found');
  });

  it('reading an absent file is not_found STORE_FILE_NOT_FOUND', async () => {
    await rejectsWith(storeOf().read('no/such/file'), 'STORE_FILE_NOT_FOUND', 'not_found');
  });

  it('round-trips every byte value and random binary data', async () => {
    const store = storeOf();
    const every = new Uint8Array(256 * 4);
    for (let index = 0; index < every.length; index += 1) every[index] = index & 0xff;
    const random = new Uint8Array(randomBytes(100_003));
    await store.write('bin/every', every);
    await store.write('bin/random', random);
    assertBytes(await store.read('bin/every'), every);
    assertBytes(await store.read('bin/random'), random);
    assertBytes(await store.readRange('bin/random', 99_000, 5_000), random.subarray(99_000));
  });

  it(`round-trips a large file (${largeFileBytes / 1024 / 1024} MiB) written in chunks, and reads a range across a chunk edge`, async () => {
    const store = storeOf();
    const chunkBytes = 4 * 1024 * 1024 + 7; // odd size: chunk edges fall off every natural boundary
    const chunks: Uint8Array[] = [];
    for (let written = 0; written < largeFileBytes; written += chunkBytes) {
      chunks.push(new Uint8Array(randomBytes(Math.min(chunkBytes, largeFileBytes - written))));
    }
    await store.write('large/file', chunks);
    const whole = await store.read('large/file');
    assert.equal(whole.length, largeFileBytes);
    let offset = 0;
    for (const chunk of chunks) {
      assertBytes(whole.subarray(offset, offset + chunk.length), chunk, `bytes from ${offset} differ`);
      offset += chunk.length;
    }
    const middle = await store.readRange('large/file', chunkBytes - 10, 20);
    assertBytes(middle, whole.subarray(chunkBytes - 10, chunkBytes + 10));
    assert.equal((await store.stat('large/file'))?.size, largeFileBytes);
  });

  it('write refuses an existing file with conflict STORE_FILE_EXISTS and keeps the old content', async () => {
    const store = storeOf();
    await store.write('immutable', text('first'));
    await rejectsWith(store.write('immutable', text('second')), 'STORE_FILE_EXISTS', 'conflict');
    assert.equal(decoder.decode(await store.read('immutable')), 'first');
  });
}

function defineNamespaceTests(storeOf: () => Store): void {
  it('stat gives size, kind and time of files and directories; null when absent', async () => {
    const store = storeOf();
    const before = Date.now();
    await store.write('d/f', text('12345'));
    const file = await store.stat('d/f');
    assert.ok(file !== null);
    assert.equal(file.path, 'd/f');
    assert.equal(file.size, 5);
    assert.equal(file.isDirectory, false);
    // Clocks of a remote store may differ a little from ours: only sanity is checked.
    assert.ok(file.modifiedMs > before - 3_600_000 && file.modifiedMs < before + 3_600_000, `modifiedMs ${file.modifiedMs}`);
    const directory = await store.stat('d');
    assert.equal(directory?.isDirectory, true);
    assert.equal(await store.stat('d/absent'), null);
    assert.equal(await store.stat('absent/deeper'), null);
    assert.equal((await store.stat(''))?.isDirectory, true, "'' is the store root");
  });

  it('lists a directory sorted, with full relative paths; [] when absent', async () => {
    const store = storeOf();
    for (const name of ['b', 'a', 'c10', 'c2', 'Z']) await store.write(`list/${name}`, text(name));
    await store.mkdirs('list/sub');
    await store.write('list/sub/inner', text('x'));
    const entries = await store.list('list');
    assert.deepEqual(entries.map((entry) => entry.path), ['list/Z', 'list/a', 'list/b', 'list/c10', 'list/c2', 'list/sub']);
    assert.deepEqual(entries.map((entry) => entry.isDirectory), [false, false, false, false, false, true]);
    assert.equal(entries[0]!.size, 1);
    assert.deepEqual(await store.list('list/none'), []);
    assert.deepEqual((await store.list('')).map((entry) => entry.path), ['list']);
  });

  it('mkdirs creates parents and is idempotent', async () => {
    const store = storeOf();
    await store.mkdirs('m/n/o');
    await store.mkdirs('m/n/o');
    assert.equal((await store.stat('m/n/o'))?.isDirectory, true);
    assert.deepEqual((await store.list('m/n/o')), []);
  });

  it('renames files and directories; refuses an existing target; not_found for an absent source', async () => {
    const store = storeOf();
    await store.write('from/file', text('moving'));
    await store.rename('from/file', 'to/deep/file');
    assert.equal(await store.stat('from/file'), null);
    assert.equal(decoder.decode(await store.read('to/deep/file')), 'moving');
    await store.write('other', text('other'));
    await rejectsWith(store.rename('other', 'to/deep/file'), 'STORE_FILE_EXISTS', 'conflict');
    assert.equal(decoder.decode(await store.read('other')), 'other', 'the source is untouched');
    assert.equal(decoder.decode(await store.read('to/deep/file')), 'moving', 'the target is untouched');
    await rejectsWith(store.rename('absent', 'anywhere'), 'STORE_FILE_NOT_FOUND', 'not_found');
    await store.rename('to', 'moved');
    assert.equal(decoder.decode(await store.read('moved/deep/file')), 'moving');
    assert.equal(await store.stat('to'), null);
    await store.mkdirs('existing-directory');
    await rejectsWith(store.rename('moved', 'existing-directory'), 'STORE_FILE_EXISTS', 'conflict');
  });

  it('deletes files and whole trees; deleting the absent is no error', async () => {
    const store = storeOf();
    await store.write('tree/a/1', text('1'));
    await store.write('tree/a/b/2', text('2'));
    await store.write('tree/keep', text('k'));
    await store.delete('tree/a');
    assert.equal(await store.stat('tree/a'), null);
    assert.equal(await store.stat('tree/a/b/2'), null);
    assert.equal(decoder.decode(await store.read('tree/keep')), 'k');
    await store.delete('tree/keep');
    assert.equal(await store.stat('tree/keep'), null);
    await store.delete('tree/never');
    await store.delete('nowhere/at/all');
  });

  it('refuses invalid paths with input STORE_PATH_INVALID', async () => {
    const store = storeOf();
    for (const bad of ['../escape', 'a/../../b', '/absolute', 'a//b', 'a/', './a', 'a/./b', '']) {
      await rejectsWith(store.write(bad, text('x')), 'STORE_PATH_INVALID', 'input');
      await rejectsWith(store.read(bad), 'STORE_PATH_INVALID', 'input');
      await rejectsWith(store.delete(bad), 'STORE_PATH_INVALID', 'input');
      await rejectsWith(store.createIfAbsent(bad, text('x')), 'STORE_PATH_INVALID', 'input');
      await rejectsWith(store.rename('x', bad), 'STORE_PATH_INVALID', 'input');
      if (bad !== '') await rejectsWith(store.stat(bad), 'STORE_PATH_INVALID', 'input');
      if (bad !== '') await rejectsWith(store.list(bad), 'STORE_PATH_INVALID', 'input');
    }
  });
}

function defineCreateIfAbsentTests(storeOf: () => Store): void {
  it('createIfAbsent creates once; later calls return false and leave the content', async () => {
    const store = storeOf();
    assert.equal(await store.createIfAbsent('log/0.json', text('{"v":0}')), true);
    assert.equal(await store.createIfAbsent('log/0.json', text('{"v":"other"}')), false);
    assert.equal(decoder.decode(await store.read('log/0.json')), '{"v":0}');
    await store.write('log/1.json', text('written'));
    assert.equal(await store.createIfAbsent('log/1.json', text('late')), false);
  });

  it('createIfAbsent: of concurrent callers in this process exactly one wins', async () => {
    const store = storeOf();
    const results = await Promise.all(Array.from({ length: 6 }, (_, index) => store.createIfAbsent('one/winner', text(`caller ${index}`))));
    assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results));
    assert.equal(decoder.decode(await store.read('one/winner')), `caller ${results.indexOf(true)}`);
  });

  it(`createIfAbsent: two processes racing on the same paths ${raceRounds} times, exactly one wins each`, async function () {
    this.timeout(240_000);
    const store = storeOf();
    const [first, second] = await Promise.all([startRacer(store.url, 'alpha'), startRacer(store.url, 'beta')]);
    first.go();
    second.go();
    const [alpha, beta] = await Promise.all([first.results, second.results]);
    for (let round = 0; round < raceRounds; round += 1) {
      assert.notEqual(alpha[round], beta[round], `round ${round}: alpha ${alpha[round]}, beta ${beta[round]}: exactly one must win`);
      const winner = alpha[round] ? 'alpha' : 'beta';
      assert.equal(decoder.decode(await store.read(`race/${round}`)), winner, `round ${round}: the winner's content is the file's`);
    }
  });
}

interface Racer {
  go(): void;
  readonly results: Promise<boolean[]>;
}

/** Starts a child process that opens the store by URL and waits for "go". */
async function startRacer(url: string, id: string): Promise<Racer> {
  const script = fileURLToPath(new URL('./store-contract-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, url, id, String(raceRounds), 'race'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString('utf8')).slice(-8192);
  });
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const received: string[] = [];
  let notify: (() => void) | undefined;
  lines.on('line', (line) => {
    received.push(line);
    notify?.();
  });
  const nextLine = async (): Promise<string> => {
    while (received.length === 0) {
      const closed = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => { notify = () => resolve(false); })]);
      if (closed && received.length === 0) throw new Error(`racer ${id} exited early: ${stderr}`);
    }
    return received.shift()!;
  };
  assert.equal(await nextLine(), 'ready');
  return {
    go: () => child.stdin.end('go\n'),
    results: (async () => {
      const results = JSON.parse(await nextLine()) as boolean[];
      assert.equal(await exited, 0, `racer ${id} failed: ${stderr}`);
      assert.equal(results.length, raceRounds);
      return results;
    })(),
  };
}
