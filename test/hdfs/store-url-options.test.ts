/**
 * The HDFS store URL's own options, ?timeoutMs=N&retries=N (for the CLI and node configs, which
 * hold only a URL): they reach the WebHDFS client, explicit options win, they are not part of the
 * store's name, and anything else in the query is refused. No HDFS needed: a silent TCP server
 * stands for a hung NameNode.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { HdfsStore, StrataError, openStore } from '../../storage/index.js';

/** Runs `action` against a NameNode address that accepts connections and never answers. */
async function withSilentNamenode<T>(action: (host: string) => Promise<T>): Promise<T> {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => { sockets.push(socket); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    return await action(`127.0.0.1:${(silent.address() as net.AddressInfo).port}`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
}

async function openError(url: string, options: Parameters<typeof openStore>[1] = {}): Promise<StrataError> {
  try {
    await openStore(url, options);
  } catch (error) {
    assert.ok(error instanceof StrataError, String(error));
    return error;
  }
  assert.fail(`openStore('${url}') succeeded`);
}

describe('HDFS store URL options (?timeoutMs=, ?retries=)', () => {
  it('timeoutMs and retries from the URL reach the client', async () => {
    await withSilentNamenode(async (host) => {
      const error = await openError(`hdfs://${host}/strata?timeoutMs=300&retries=0`);
      assert.equal(error.code, 'STORE_UNAVAILABLE');
      assert.match(error.message, /no answer within 300 ms/);
      assert.match(error.message, /gave up after 1 attempt$/);
    });
  });

  it('options given in code win over the URL', async () => {
    await withSilentNamenode(async (host) => {
      const error = await openError(`hdfs://${host}/strata?timeoutMs=60000&retries=3`, { requestTimeoutMs: 200, retriesMax: 0 });
      assert.equal(error.code, 'STORE_UNAVAILABLE');
      assert.match(error.message, /no answer within 200 ms/);
    });
  });

  it('the options are not part of the store name', () => {
    const store = new HdfsStore({ namenodeUrl: 'http://127.0.0.1:9870', root: '/strata', user: 'alice', requestTimeoutMs: 500 });
    assert.equal(store.url, 'hdfs://alice@127.0.0.1:9870/strata');
  });

  for (const [query, problem] of [
    ['?timeout=5', /unknown query parameter 'timeout' \(known: timeoutMs, retries\)/],
    ['?timeoutMs=0', /'timeoutMs=0' is not a positive number of milliseconds/],
    ['?timeoutMs=1e3', /'timeoutMs=1e3' is not a positive number of milliseconds/],
    ['?timeoutMs=', /'timeoutMs=' is not a positive number of milliseconds/],
    ['?retries=-1', /'retries=-1' is not a whole number >= 0/],
    ['?retries=1&retries=2', /sets 'retries' twice/],
    ['#top', /it has a fragment/],
  ] as const) {
    it(`refuses ${query} with STORE_URL_INVALID`, async () => {
      const error = await openError(`hdfs://127.0.0.1:9/strata${query}`);
      assert.equal(error.code, 'STORE_URL_INVALID');
      assert.equal(error.kind, 'input');
      assert.match(error.message, problem);
    });
  }
});
