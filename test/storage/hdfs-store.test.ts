/**
 * HdfsStore against a real HDFS (MiniDFSCluster: one NameNode, three DataNodes, replication 2,
 * permissions on), started once for this file: the store contract, plus what only HDFS has —
 * an unreachable NameNode, permissions, a lost DataNode, block locations.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { HdfsStore, WebHdfsClient, openStore } from '../../storage/index.js';
import { startMiniHdfs, type MiniHdfs } from '../support/hdfs/minicluster.js';
import { defineStoreContract, rejectsWith } from './store-contract.js';

/** Directory of the HDFS namespace all tests of this file write under. */
const testRoot = 'strata-test';

describe('HdfsStore on a real HDFS minicluster', function () {
  this.timeout(120_000);
  let hdfs: MiniHdfs | undefined;
  let admin: HdfsStore;

  before(async function () {
    // The first run builds the launcher with Maven and may download Hadoop's jars.
    this.timeout(900_000);
    hdfs = await startMiniHdfs();
    admin = new HdfsStore({ namenodeUrl: hdfs.namenodeUrl, root: '/', user: hdfs.superuser });
  });

  after(async () => {
    await hdfs?.stop();
  });

  const cluster = (): MiniHdfs => {
    assert.ok(hdfs, 'the minicluster did not start (see the before hook)');
    return hdfs;
  };
  const host = (): string => new URL(cluster().namenodeUrl).host;

  it('opens by hdfs:// URL with the user from the URL, and names itself by URL', async () => {
    const name = `url-${randomBytes(4).toString('hex')}`;
    const store = await openStore(`hdfs://${cluster().superuser}@${host()}/${testRoot}/${name}`);
    assert.equal(store.url, `hdfs://${cluster().superuser}@${host()}/${testRoot}/${name}`);
    await store.write('f', new TextEncoder().encode('by url'));
    const again = await openStore(store.url);
    assert.equal(new TextDecoder().decode(await again.read('f')), 'by url');
    assert.equal((await admin.stat(`${testRoot}/${name}/f`))?.size, 6);
  });

  it('createIfAbsent leaves no temporary file behind, won or lost', async () => {
    const store = new HdfsStore({ namenodeUrl: cluster().namenodeUrl, root: `/${testRoot}/temp-${randomBytes(4).toString('hex')}`, user: cluster().superuser });
    assert.equal(await store.createIfAbsent('log/0.json', new TextEncoder().encode('{}')), true);
    assert.equal(await store.createIfAbsent('log/0.json', new TextEncoder().encode('{"late":1}')), false);
    await rejectsWith(store.write('log/0.json', new Uint8Array(1)), 'STORE_FILE_EXISTS', 'conflict');
    assert.deepEqual((await store.list('log')).map((entry) => entry.path), ['log/0.json']);
  });

  it('lists a directory of many LISTSTATUS_BATCH pages (the minicluster pages every 4 entries)', async () => {
    const store = new HdfsStore({ namenodeUrl: cluster().namenodeUrl, root: `/${testRoot}/pages-${randomBytes(4).toString('hex')}`, user: cluster().superuser });
    const names = Array.from({ length: 23 }, (_, index) => `part-${String(index).padStart(3, '0')}`);
    await Promise.all(names.map((name) => store.write(`many/${name}`, new Uint8Array([1, 2, 3]))));
    const entries = await store.list('many');
    assert.deepEqual(entries.map((entry) => entry.path), names.map((name) => `many/${name}`));
    assert.ok(entries.every((entry) => entry.size === 3 && !entry.isDirectory));
  });

  it('an unreachable NameNode (closed port) is io STORE_UNAVAILABLE naming the URL and the timeout', async () => {
    const port = await closedPort();
    const store = new HdfsStore({ namenodeUrl: `http://127.0.0.1:${port}`, root: '/strata', requestTimeoutMs: 3_000, retriesMax: 2 });
    const error = await rejectsWith(store.read('anything'), 'STORE_UNAVAILABLE', 'io');
    assert.match(error.message, new RegExp(`http://127\\.0\\.0\\.1:${port}`));
    assert.match(error.message, /ECONNREFUSED/);
    assert.match(error.message, /3000 ms/);
    assert.match(error.message, /gave up after 3 attempts/);
  });

  it('a NameNode that accepts connections but never answers fails with STORE_UNAVAILABLE, not a hang', async () => {
    const sockets: net.Socket[] = [];
    // Accepts and says nothing, like a hung NameNode.
    const silent = net.createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const store = new HdfsStore({ namenodeUrl: `http://127.0.0.1:${port}`, root: '/strata', requestTimeoutMs: 500 });
      const error = await rejectsWith(store.stat('x'), 'STORE_UNAVAILABLE', 'io');
      assert.match(error.message, /no answer within 500 ms/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a NameNode in safe mode: reads work, writes are retried then fail with io STORE_UNAVAILABLE', async () => {
    const store = new HdfsStore({ namenodeUrl: cluster().namenodeUrl, root: `/${testRoot}/safe-${randomBytes(4).toString('hex')}`,
      user: cluster().superuser, requestTimeoutMs: 5_000, retriesMax: 2 });
    await store.write('before', new TextEncoder().encode('readable'));
    await cluster().enterSafeMode();
    try {
      assert.equal(new TextDecoder().decode(await store.read('before')), 'readable');
      const error = await rejectsWith(store.write('during', new Uint8Array(1)), 'STORE_UNAVAILABLE', 'io');
      assert.match(error.message, /SafeModeException/);
      assert.match(error.message, /gave up after 3 attempts/);
    } finally {
      await cluster().leaveSafeMode();
    }
    await store.write('after', new Uint8Array(1));
  });

  it('permission denied is auth STORE_PERMISSION_DENIED naming the path and the user', async () => {
    const directory = `${testRoot}/private-${randomBytes(4).toString('hex')}`;
    await admin.write(`${directory}/secret`, new TextEncoder().encode('alice only'));
    // Only the superuser (the user running the NameNode) may give a directory away.
    const superuser = new WebHdfsClient({ namenodeUrl: cluster().namenodeUrl, user: cluster().superuser });
    const context = { operation: 'prepare', storePath: directory };
    await superuser.setOwner(`/${directory}`, 'alice', undefined, context);
    await superuser.setPermission(`/${directory}`, '700', context);
    const bob = new HdfsStore({ namenodeUrl: cluster().namenodeUrl, root: `/${directory}`, user: 'bob' });
    const readError = await rejectsWith(bob.read('secret'), 'STORE_PERMISSION_DENIED', 'auth');
    assert.match(readError.message, new RegExp(`/${directory}/secret`));
    assert.match(readError.message, /'bob'/);
    assert.equal(readError.details.user, 'bob');
    await rejectsWith(bob.write('mine', new Uint8Array(3)), 'STORE_PERMISSION_DENIED', 'auth');
    await rejectsWith(bob.list(''), 'STORE_PERMISSION_DENIED', 'auth');
    const alice = new HdfsStore({ namenodeUrl: cluster().namenodeUrl, root: `/${directory}`, user: 'alice' });
    assert.equal(new TextDecoder().decode(await alice.read('secret')), 'alice only');
  });

  it('blockLocations names the DataNodes holding each block (replication 2)', async () => {
    const data = new Uint8Array(randomBytes(300_000));
    const file = `${testRoot}/blocks-${randomBytes(4).toString('hex')}`;
    await admin.write(file, data);
    const blocks = await admin.blockLocations(file);
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0]!.offset, 0);
    assert.equal(blocks[0]!.length, data.length);
    assert.equal(blocks[0]!.hosts.length, 2);
    assert.deepEqual(blocks[0]!.hosts, ['127.0.0.1', '127.0.0.1']);
    const known = cluster().dataNodes.map((node) => node.xferAddress);
    for (const name of blocks[0]!.names) assert.ok(known.includes(name), `${name} is one of ${known.join(', ')}`);
    await rejectsWith(admin.blockLocations(`${testRoot}/absent`), 'STORE_FILE_NOT_FOUND', 'not_found');
  });

  it('reads still work after a DataNode holding a replica is stopped', async function () {
    this.timeout(240_000);
    const data = new Uint8Array(randomBytes(1_000_000));
    const file = `${testRoot}/replicated-${randomBytes(4).toString('hex')}`;
    await admin.write(file, data);
    const [block] = await admin.blockLocations(file);
    const victim = cluster().dataNodes.find((node) => node.xferAddress === block!.names[0]);
    assert.ok(victim, `no DataNode has transfer address ${block!.names[0]}`);
    await cluster().stopDataNode(victim.index);
    try {
      // Several reads: the NameNode picks a replica per request, and does not yet know the
      // node is gone, so some requests are sent to the dead node and must be retried elsewhere.
      for (let round = 0; round < 6; round += 1) {
        assert.ok(Buffer.from(await admin.read(file)).equals(data), `round ${round}: content differs`);
        const range = await admin.readRange(file, 500_000 + round, 1000);
        assert.ok(Buffer.from(range).equals(data.subarray(500_000 + round, 501_000 + round)), `round ${round}: range differs`);
      }
    } finally {
      await cluster().restartDataNode(victim.index);
    }
  });

  defineStoreContract('HdfsStore', async () => {
    const name = `contract-${randomBytes(6).toString('hex')}`;
    const store = await openStore(`hdfs://${cluster().superuser}@${host()}/${testRoot}/${name}`);
    return { store, cleanup: () => admin.delete(`${testRoot}/${name}`) };
  });
});

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
