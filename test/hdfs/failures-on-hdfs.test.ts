/**
 * Acceptance (issue 5), failures of strata on HDFS, end to end on a real minicluster (one
 * NameNode, three DataNodes, replication 2): a DataNode stopped while a query reads lineitem, a
 * NameNode that is down or hung (the real CLI exits with STORE_UNAVAILABLE, not a hang), and a
 * permission error that names the HDFS path and user.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { QueryEngine } from '../../query/index.js';
import { StorageQueryCatalog, textRowsOf } from '../../service-manager/index.js';
import {
  HdfsStore, StoreCatalog, WebHdfsClient, openStore,
  type Store, type StoreFileStatus,
} from '../../storage/index.js';
import { runCli, runCliOk } from '../support/cli.js';
import { startMiniHdfs, type MiniHdfs } from '../support/hdfs/minicluster.js';
import { tpchDirectory } from '../support/paths.js';
import { tpchCreateTable } from '../support/tpch-schema.js';

/** Rows per lineitem partition: sf0.1 (600,572 rows) becomes 7 partitions, so a query spans several files. */
const lineitemPartitionRows = 100_000;
/** Partitions a query reads in full before the DataNode is stopped. */
const partitionsBeforeStop = 2;
/** Kill limit for one CLI run that is expected to fail on its own well before it. */
const cliKillAfterMs = 60_000;

describe('strata on HDFS: a lost DataNode, a NameNode that is down, a permission error', function () {
  this.timeout(120_000);
  let hdfs: MiniHdfs | undefined;
  /** hdfs://SUPERUSER@127.0.0.1:PORT/strata-e2e/failures-…: the store holding lineitem. */
  let storeUrl: string;

  before(async function () {
    // The first run on a machine builds the launcher with Maven and may download Hadoop's jars.
    this.timeout(900_000);
    hdfs = await startMiniHdfs();
    storeUrl = `hdfs://${hdfs.superuser}@${new URL(hdfs.namenodeUrl).host}/strata-e2e/failures-${randomBytes(4).toString('hex')}`;
    await runCliOk(['sql', '--store', storeUrl, tpchCreateTable('lineitem')]);
    const run = await runCliOk(['ingest', '--store', storeUrl, '--table', 'lineitem', '--delimiter', '|', '--no-header',
      '--partition-rows', String(lineitemPartitionRows), join(tpchDirectory, 'sf0.1', 'lineitem.tbl.zst')], { timeoutMs: 300_000 });
    assert.match(run.stdout, /lineitem: loaded 600,572 rows/);
  });

  after(async () => {
    await hdfs?.stop();
  });

  const cluster = (): MiniHdfs => {
    assert.ok(hdfs, 'the minicluster did not start (see the before hook)');
    return hdfs;
  };

  it('a NameNode that is down: strata sql exits 1 with STORE_UNAVAILABLE within the timeout set in the URL', async () => {
    const port = await closedPort();
    const run = await runCli(['sql', '--store', `hdfs://127.0.0.1:${port}/strata?timeoutMs=2000`, 'SELECT 1'], { timeoutMs: cliKillAfterMs });
    // Exited by itself (the kill limit sends SIGKILL), with a message that says what to check.
    assert.equal(run.signal, null, `strata hung until killed; stderr: ${run.stderr}`);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^error \[STORE_UNAVAILABLE\]: /);
    assert.match(run.stderr, new RegExp(`NameNode at http://127\\.0\\.0\\.1:${port} is unreachable`));
    assert.match(run.stderr, /ECONNREFUSED/);
    assert.match(run.stderr, /timeout 2000 ms/);
    assert.equal(run.stdout, '');
  });

  it('a NameNode that accepts connections but never answers: STORE_UNAVAILABLE after timeoutMs, not a hang', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const run = await runCli(['sql', '--store', `hdfs://127.0.0.1:${port}/strata?timeoutMs=1000&retries=1`, 'SHOW TABLES'],
        { timeoutMs: cliKillAfterMs });
      assert.equal(run.signal, null, `strata hung until killed; stderr: ${run.stderr}`);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^error \[STORE_UNAVAILABLE\]: /);
      assert.match(run.stderr, /no answer within 1000 ms/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a bad timeout in the URL is refused with STORE_URL_INVALID naming the parameter', async () => {
    const run = await runCli(['sql', '--store', 'hdfs://127.0.0.1:9870/strata?timeoutMs=soon', 'SELECT 1']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^error \[STORE_URL_INVALID\]: .*'timeoutMs=soon' is not a positive number of milliseconds/);
  });

  /**
   * A store directory the superuser (who runs the NameNode) gives to alice with `mode`, holding
   * alice's table notes (2 rows); returns the store URLs as alice and as bob. New directories
   * take their mode from the NameNode (inherited or the default), so each mode gets its own store.
   */
  async function aliceStore(mode: string): Promise<{ alice: string; bob: string; directory: string }> {
    const host = new URL(cluster().namenodeUrl).host;
    const directory = `/strata-e2e/alice-${mode}-${randomBytes(4).toString('hex')}`;
    const superuser = new WebHdfsClient({ namenodeUrl: cluster().namenodeUrl, user: cluster().superuser });
    const context = { operation: 'prepare', storePath: directory };
    await superuser.mkdirs(directory, context);
    await superuser.setOwner(directory, 'alice', undefined, context);
    await superuser.setPermission(directory, mode, context);
    const alice = `hdfs://alice@${host}${directory}`;
    await runCliOk(['sql', '--store', alice, 'CREATE TABLE notes (id INTEGER, body VARCHAR)']);
    await runCliOk(['sql', '--store', alice, "INSERT INTO notes VALUES (1, 'mine'), (2, 'also mine')"]);
    return { alice, bob: `hdfs://bob@${host}${directory}`, directory };
  }

  it('a permission error through the CLI names the HDFS path and the user', async () => {
    const { alice, bob, directory } = await aliceStore('700');
    const host = new URL(cluster().namenodeUrl).host;
    for (const statement of ['SELECT count(*) FROM notes', "INSERT INTO notes VALUES (3, 'bob was here')"]) {
      const run = await runCli(['sql', '--store', bob, statement]);
      assert.equal(run.code, 1, `${statement}: ${run.stderr}`);
      assert.match(run.stderr, /^error \[STORE_PERMISSION_DENIED\]: /, statement);
      assert.match(run.stderr, new RegExp(`hdfs://${host.replace(/\./g, '\\.')}${directory}/`), statement);
      assert.match(run.stderr, /as HDFS user 'bob'/, statement);
    }
    const check = await runCliOk(['sql', '--store', alice, '--format', 'csv', 'SELECT count(*) FROM notes']);
    assert.match(check.stdout, /^[^\n]*\n2\n$/);
  });

  it('a refused write names the file being written, not its temporary upload name', async () => {
    // Readable by everyone, writable by alice only.
    const { bob } = await aliceStore('755');
    const read = await runCliOk(['sql', '--store', bob, '--format', 'csv', 'SELECT count(*) FROM notes']);
    assert.match(read.stdout, /^[^\n]*\n2\n$/);
    const write = await runCli(['sql', '--store', bob, "INSERT INTO notes VALUES (3, 'bob was here')"]);
    assert.equal(write.code, 1, write.stderr);
    assert.match(write.stderr, /^error \[STORE_PERMISSION_DENIED\]: cannot write hdfs:\/\/\S+\/tables\/notes\/data\/[^/\s]+\.arrow as HDFS user 'bob'/);
    assert.doesNotMatch(write.stderr, /strata-tmp/);
  });

  it('a DataNode stopped while a query reads lineitem: the query still answers, identically', async function () {
    this.timeout(240_000);
    const store = await openStore(storeUrl);
    assert.ok(store instanceof HdfsStore);
    const q1 = readFileSync(join(tpchDirectory, 'queries', 'q1.sql'), 'utf8');
    const before = textRowsOf((await engineOver(store).execute(q1)).batches);
    assert.equal(before.length, 4);

    const partitions = (await store.list('tables/lineitem/data')).filter((entry) => entry.path.endsWith('.arrow'));
    assert.equal(partitions.length, Math.ceil(600_572 / lineitemPartitionRows));
    const holders = await replicaHolders(store, partitions);
    // The DataNode with the most replicas: with 3 nodes, replication 2 and 7 partitions it holds
    // at least 5, so at least 3 of the 5 partitions read after the stop have a replica on it.
    const [victimAddress] = [...holders.entries()].sort((a, b) => b[1].size - a[1].size)[0]!;
    const victim = cluster().dataNodes.find((node) => node.xferAddress === victimAddress);
    assert.ok(victim, `no DataNode has transfer address ${victimAddress}`);

    const stopping = new StopDataNodeMidQuery(store, partitionsBeforeStop, () => cluster().stopDataNode(victim.index));
    const during = textRowsOf((await engineOver(stopping).execute(q1)).batches);
    assert.ok(stopping.stopped, 'the query never got past the partitions to read before the stop');
    const readAfterStop = [...stopping.partitionsReadAfterStop].filter((path) => holders.get(victimAddress)!.has(path));
    assert.ok(readAfterStop.length > 0, 'no partition read after the stop had a replica on the stopped DataNode');
    assert.deepEqual(during, before);
  });
});

/** A query engine over a store, wired as the Database API wires it. */
function engineOver(store: Store): QueryEngine {
  return new QueryEngine(new StorageQueryCatalog(new StoreCatalog(store)));
}

/** DataNode transfer address → the partition files that have a replica on it. */
async function replicaHolders(store: HdfsStore, partitions: readonly StoreFileStatus[]): Promise<Map<string, Set<string>>> {
  const holders = new Map<string, Set<string>>();
  for (const partition of partitions) {
    const blocks = await store.blockLocations(partition.path);
    for (const name of blocks.flatMap((block) => block.names)) {
      if (!holders.has(name)) holders.set(name, new Set());
      holders.get(name)!.add(partition.path);
    }
  }
  return holders;
}

/**
 * The real HDFS store, with one hook: when the query first touches its (partitionsBefore + 1)-th
 * partition file, the DataNode is stopped before that read goes out. This puts the stop in the
 * middle of the query deterministically, with no timing.
 */
class StopDataNodeMidQuery implements Store {
  readonly url: string;
  stopped = false;
  readonly partitionsReadAfterStop = new Set<string>();
  private readonly partitionsSeen = new Set<string>();
  private stopping: Promise<void> | undefined;

  constructor(private readonly store: Store, private readonly partitionsBefore: number, private readonly stop: () => Promise<void>) {
    this.url = store.url;
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    if (path.endsWith('.arrow')) {
      this.partitionsSeen.add(path);
      if (this.partitionsSeen.size > this.partitionsBefore) {
        this.stopping ??= this.stop().then(() => { this.stopped = true; });
        await this.stopping;
        this.partitionsReadAfterStop.add(path);
      }
    }
    return this.store.readRange(path, offset, length);
  }

  read(path: string): Promise<Uint8Array> { return this.store.read(path); }
  stat(path: string): Promise<StoreFileStatus | null> { return this.store.stat(path); }
  write(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> { return this.store.write(path, data); }
  createIfAbsent(path: string, data: Uint8Array): Promise<boolean> { return this.store.createIfAbsent(path, data); }
  rename(from: string, to: string): Promise<void> { return this.store.rename(from, to); }
  list(directory: string): Promise<StoreFileStatus[]> { return this.store.list(directory); }
  delete(path: string): Promise<void> { return this.store.delete(path); }
  mkdirs(path: string): Promise<void> { return this.store.mkdirs(path); }
  close(): Promise<void> { return this.store.close(); }
}

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
