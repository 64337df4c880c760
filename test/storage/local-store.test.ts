/**
 * LocalStore beyond the shared store contract: no temp files left behind, file:// URL, error
 * kinds that name the path, permission and type errors, and processes racing createIfAbsent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalStore, validateStorePath, validateTableName } from '../../storage/index.js';
import { rejection, temporaryStore } from './storage-fixtures.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('LocalStore', () => {
  let store: LocalStore;
  let directory: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, directory, cleanup } = await temporaryStore('local'));
  });
  afterEach(() => cleanup());

  it('opens (creating) a directory and names it by a file:// URL', async () => {
    const nested = await LocalStore.open(path.join(directory, 'a', 'b'));
    assert.equal(nested.url, `file://${await fs.realpath(path.join(directory, 'a', 'b'))}`);
    assert.ok((await fs.stat(path.join(directory, 'a', 'b'))).isDirectory());
  });

  it('leaves no temporary file behind after writes, lost createIfAbsent races and refused writes', async () => {
    await store.write('d/file', [text('a'), text('b')]);
    assert.equal(await store.createIfAbsent('d/once', text('1')), true);
    assert.equal(await store.createIfAbsent('d/once', text('2')), false);
    await rejection(store.write('d/file', text('again')), 'STORE_FILE_EXISTS');
    assert.deepEqual((await fs.readdir(path.join(directory, 'd'))).sort(), ['file', 'once']);
    assert.equal(Buffer.from(await store.read('d/once')).toString(), '1');
  });

  it('errors say the path: not_found for absent files, input for bad paths', async () => {
    const missing = await rejection(store.read('no/such/file'), 'STORE_FILE_NOT_FOUND');
    assert.equal(missing.kind, 'not_found');
    assert.equal(missing.details.path, 'no/such/file');
    assert.match(missing.message, /no\/such\/file/);
    await rejection(store.readRange('no/such/file', 0, 4), 'STORE_FILE_NOT_FOUND');
    await rejection(store.rename('no/such/file', 'x'), 'STORE_FILE_NOT_FOUND');
    for (const bad of ['/etc/passwd', '../up', 'a/../b', 'a//b', './a', 'a/', 'nul\0byte', '']) {
      const error = await rejection(store.read(bad), 'STORE_PATH_INVALID');
      assert.equal(error.kind, 'input');
    }
    await rejection(store.readRange('x', -1, 4), 'STORE_RANGE_INVALID');
  });

  it('maps other system errors to io STORE_IO_ERROR naming the path', async () => {
    await store.write('plain', text('file'));
    const error = await rejection(store.write('plain/child', text('x')), 'STORE_IO_ERROR');
    assert.equal(error.kind, 'io');
    assert.match(error.message, /plain\/child/);
    assert.equal(await store.stat('plain/child'), null);
  });

  it('refuses a rename onto an existing file or directory, even an empty one', async () => {
    await store.write('src/f', text('f'));
    await store.mkdirs('empty');
    await rejection(store.rename('src', 'empty'), 'STORE_FILE_EXISTS');
    await store.write('g', text('g'));
    await rejection(store.rename('src/f', 'g'), 'STORE_FILE_EXISTS');
    assert.equal(Buffer.from(await store.read('g')).toString(), 'g');
    await store.rename('src', 'dst/moved');
    assert.equal(Buffer.from(await store.read('dst/moved/f')).toString(), 'f');
  });

  it(`createIfAbsent: three processes racing on the same paths, exactly one wins each`, async function () {
    this.timeout(60_000);
    const rounds = 40;
    const script = fileURLToPath(new URL('./local-store-race-child.js', import.meta.url));
    const racers = ['a', 'b', 'c'].map((id) => {
      const child = spawn(process.execPath, [script, directory, id, String(rounds)], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (data: Buffer) => { err += data.toString(); });
      const ready = new Promise<void>((resolve) => {
        child.stdout.on('data', (data: Buffer) => {
          out += data.toString();
          if (out.startsWith('ready\n')) resolve();
        });
      });
      const done = new Promise<boolean[]>((resolve, reject) => child.once('close', (code) => (code === 0
        ? resolve(JSON.parse(out.slice('ready\n'.length)) as boolean[])
        : reject(new Error(`racer ${id}: ${err}`)))));
      return { child, ready, done };
    });
    await Promise.all(racers.map((racer) => racer.ready));
    for (const racer of racers) racer.child.stdin.end('go\n');
    const results = await Promise.all(racers.map((racer) => racer.done));
    for (let round = 0; round < rounds; round++) {
      const winners = results.map((wins, i) => (wins[round] ? 'abc'[i] : '')).join('');
      assert.equal(winners.length, 1, `round ${round}: winners '${winners}'`);
      assert.equal(Buffer.from(await store.read(`race/${round}`)).toString(), `written by ${winners}`);
    }
  });
});

describe('store paths and table names', () => {
  it('validateStorePath accepts relative paths and the root only when allowed', () => {
    validateStorePath('tables/t1/_log/00000000000000000000.json');
    validateStorePath('', true);
    assert.throws(() => validateStorePath(''), /empty/);
    assert.throws(() => validateStorePath('a/./b'), /'\.' segment/);
  });

  it('validateTableName lower-cases valid names and explains the rule otherwise', () => {
    assert.equal(validateTableName('Call_Records_2024'), 'call_records_2024');
    assert.equal(validateTableName('_x'), '_x');
    assert.equal(validateTableName('a'.repeat(128)), 'a'.repeat(128));
    for (const bad of ['', '1abc', 'a-b', 'a b', 'a.b', 'a'.repeat(129), 'é']) {
      assert.throws(() => validateTableName(bad), (error: Error & { code?: string }) =>
        error.code === 'TABLE_NAME_INVALID' && /starts with a letter or '_'/.test(error.message));
    }
  });
});
