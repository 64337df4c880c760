/**
 * ShuffleCoordinator end to end (real coordinator, worker, store, shuffle routes over HTTP): a
 * shuffle that expired mid-join reruns the round instead of losing rows, only a lost node is
 * marked failed, and the reduce output held on the coordinator is bounded.
 */
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { QueryEngine } from '../../query/index.js';
import { StrataError, toStrataError, Types, type Batch } from '../../storage/index.js';
import type { ClusterMembership } from '../../service-manager/cluster-membership.js';
import type { Database } from '../../service-manager/database.js';
import { ShuffleCoordinator } from '../../service-manager/shuffle-coordinator.js';
import { registerShuffleRoutes } from '../../service-manager/shuffle-routes.js';
import { ShuffleStore } from '../../service-manager/shuffle-store.js';
import { ShuffleWorker, type ShuffleReduceOrder } from '../../service-manager/shuffle-worker.js';
import { MemoryCatalog } from '../query/support/memory-catalog.js';
import { batchFromRows } from '../query/support/memory-table.js';

const factRows = 4000;
const dims = 200;
const sql = 'SELECT f.id, g.name FROM f JOIN g ON f.dim = g.dim';

interface Peer { readonly id: string; readonly url: string }

/** A membership of fixed workers that records which ones the coordinator marked failed. */
function membershipOf(workers: Peer[], failed: string[]): ClusterMembership {
  return { workers: () => workers, markFailed: (id: string) => { failed.push(id); }, markSeen: () => undefined } as unknown as ClusterMembership;
}

async function catalogWithTables(): Promise<MemoryCatalog> {
  const memory = new MemoryCatalog({ partitionRowsMax: 400 });
  const engine = new QueryEngine(memory);
  await engine.execute('CREATE TABLE f (id INTEGER NOT NULL, dim INTEGER)');
  await engine.execute('CREATE TABLE g (dim INTEGER, name VARCHAR NOT NULL)');
  await memory.insert('f', [batchFromRows({ fields: [{ name: 'id', type: Types.int32, nullable: false }, { name: 'dim', type: Types.int32, nullable: true }] },
    Array.from({ length: factRows }, (_, i) => [i, i % dims]))]);
  await memory.insert('g', [batchFromRows({ fields: [{ name: 'dim', type: Types.int32, nullable: true }, { name: 'name', type: Types.string, nullable: false }] },
    Array.from({ length: dims }, (_, d) => [d, `n${d}`]))]);
  return memory;
}

/** A query engine whose joins all go through `coordinator` (no broadcast). */
function shuffleEngine(memory: MemoryCatalog, coordinator: ShuffleCoordinator): QueryEngine {
  const local = new QueryEngine(memory);
  const executor = {
    execute: async function* (task: any, signal: AbortSignal | undefined, progress: any): AsyncIterable<Batch> {
      const request = { fragment: task.fragment, table: task.table, version: task.version, partitionIds: task.partitions.map((p: { id: string }) => p.id) };
      for await (const output of local.executeFragment(request, signal)) {
        if (output.type === 'batch') yield output.batch;
        else progress.partitionDone();
      }
    },
    shuffle: (task: any, signal: AbortSignal | undefined, progress: any) => coordinator.run(task, signal, progress),
  };
  return new QueryEngine(memory, { fragmentExecutor: executor as any, distribute: { broadcastRowsMax: 0, shuffleRowsMin: 1 } });
}

function databaseOf(memory: MemoryCatalog): () => Database {
  const engine = new QueryEngine(memory);
  return () => ({ runFragment: (request: any, signal: AbortSignal) => engine.executeFragment(request, signal) }) as unknown as Database;
}

async function rowsOf(engine: QueryEngine): Promise<number> {
  let rows = 0;
  for await (const batch of (await engine.stream(sql)).batches) rows += batch.length;
  return rows;
}

/** A worker whose first reduce of bucket 1 starts after the shuffle sat idle past its lifetime (a slow consumer held it back). */
class LateReduceWorker extends ShuffleWorker {
  private late = true;
  constructor(store: ShuffleStore, database: () => Database, private readonly advance: () => void) {
    super('self', null, store, database, 1 << 30);
  }

  override reduce(order: ShuffleReduceOrder, signal: AbortSignal): AsyncIterable<Batch> {
    if (order.bucket === 1 && this.late) {
      this.late = false;
      this.advance();
    }
    return super.reduce(order, signal);
  }
}

/** A peer node serving the real shuffle routes over HTTP, its fragments run by `database`. */
async function peerNode(id: string, database: () => Database): Promise<{ app: FastifyInstance; peer: Peer }> {
  const app = Fastify();
  const membership = { refresh: async () => undefined, selfState: () => 'active' } as unknown as ClusterMembership;
  const sendError = (reply: FastifyReply, error: unknown) => reply.code(500).send({ error: toStrataError(error).toJSON() });
  registerShuffleRoutes(app, { nodeId: id, membership, worker: new ShuffleWorker(id, null, new ShuffleStore(), database, 1 << 30), sendError });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, peer: { id, url } };
}

describe('ShuffleCoordinator', () => {
  let memory: MemoryCatalog;
  before(async () => {
    memory = await catalogWithTables();
  });

  it('reruns a round whose buckets expired before their reduce: every row, no node blamed', async () => {
    let now = 0;
    const ttlMs = 1_000;
    const store = new ShuffleStore({ ttlMs, now: () => now });
    const worker = new LateReduceWorker(store, databaseOf(memory), () => { now += 2 * ttlMs; });
    const failed: string[] = [];
    const coordinator = new ShuffleCoordinator(() => membershipOf([{ id: 'self', url: 'http://127.0.0.1:1' }], failed), 'self', null, worker);
    assert.equal(await rowsOf(shuffleEngine(memory, coordinator)), factRows);
    assert.equal(store.counters.shufflesExpired, 1);
    assert.equal(store.counters.roundsRetried, 1);
    assert.deepEqual(failed, []);
    assert.equal(store.bytesHeld(), 0);
  });

  it('marks an unreachable node failed and runs the join on the nodes left', async () => {
    const store = new ShuffleStore();
    const failed: string[] = [];
    const workers = [{ id: 'self', url: 'http://127.0.0.1:1' }, { id: 'gone', url: 'http://127.0.0.1:1' }];
    const coordinator = new ShuffleCoordinator(() => membershipOf(workers.filter((w) => !failed.includes(w.id)), failed), 'self', null,
      new ShuffleWorker('self', null, store, databaseOf(memory), 1 << 30));
    assert.equal(await rowsOf(shuffleEngine(memory, coordinator)), factRows);
    assert.deepEqual(failed, ['gone']);
  });

  it('fails the query on a peer\'s io error that is not a lost node, without marking the peer failed', async () => {
    const broken = () => ({
      runFragment: async function* () { throw new StrataError('io', 'SPILL_IO_FAILED', 'spill write failed: disk full'); },
    }) as unknown as Database;
    const { app, peer } = await peerNode('peer', broken);
    try {
      const failed: string[] = [];
      const coordinator = new ShuffleCoordinator(() => membershipOf([{ id: 'self', url: 'http://127.0.0.1:1' }, peer], failed), 'self', null,
        new ShuffleWorker('self', null, new ShuffleStore(), databaseOf(memory), 1 << 30));
      await assert.rejects(rowsOf(shuffleEngine(memory, coordinator)),
        (error: StrataError) => error.code === 'SPILL_IO_FAILED' && /node peer/.test(error.message));
      assert.deepEqual(failed, []);
    } finally {
      await app.close();
    }
  });

  it('fails clearly when unfinished buckets hold more output than its limit', async () => {
    const failed: string[] = [];
    const coordinator = new ShuffleCoordinator(() => membershipOf([{ id: 'self', url: 'http://127.0.0.1:1' }], failed), 'self', null,
      new ShuffleWorker('self', null, new ShuffleStore(), databaseOf(memory), 1 << 30), 4_096);
    await assert.rejects(rowsOf(shuffleEngine(memory, coordinator)),
      (error: StrataError) => error.kind === 'resources' && error.code === 'SHUFFLE_OUTPUT_EXCEEDED' && /4096 bytes/.test(error.message));
    const roomy = new ShuffleCoordinator(() => membershipOf([{ id: 'self', url: 'http://127.0.0.1:1' }], failed), 'self', null,
      new ShuffleWorker('self', null, new ShuffleStore(), databaseOf(memory), 1 << 30), 1 << 20);
    assert.equal(await rowsOf(shuffleEngine(memory, roomy)), factRows);
  });
});
