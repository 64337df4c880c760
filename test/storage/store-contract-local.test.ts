/** The store contract on LocalStore, opened through openStore, plus openStore's URL forms. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../storage/index.js';
import { defineStoreContract, rejectsWith } from './store-contract.js';

defineStoreContract('LocalStore', async () => {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-store-contract-'));
  return {
    store: await openStore(directory),
    cleanup: () => fs.rm(directory, { recursive: true, force: true }),
  };
});

describe('openStore', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-open-store-'));
  });

  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('opens a bare directory path and a file:// URL as the same local store', async () => {
    const byPath = await openStore(path.join(directory, 'root'));
    await byPath.write('x', new TextEncoder().encode('via path'));
    const byUrl = await openStore(pathToFileURL(path.join(directory, 'root')).href);
    assert.equal(new TextDecoder().decode(await byUrl.read('x')), 'via path');
    assert.equal(byUrl.url, byPath.url);
    assert.ok(byPath.url.startsWith('file:///'), byPath.url);
    // The store's own URL opens it again: what child processes and other nodes rely on.
    assert.equal(new TextDecoder().decode(await (await openStore(byPath.url)).read('x')), 'via path');
  });

  it('refuses other schemes and malformed URLs with input STORE_URL_INVALID naming the accepted forms', async () => {
    for (const url of ['s3://bucket/strata', 'ftp://host/x', 'file://remote-host/x', '', 'hdfs://:9870/x', 'hdfs://user:secret@nn:9870/x', 'hdfs://nn:9870/x?op=OPEN']) {
      const error = await rejectsWith(openStore(url), 'STORE_URL_INVALID', 'input');
      assert.match(error.message, /hdfs:\/\/\[user@\]namenode:httpport/, error.message);
    }
  });
});
