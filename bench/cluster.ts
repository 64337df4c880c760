/**
 * `node dist/bench/cluster.js [--scale sf0.1|sf1]`: the same queries embedded (in-process), on a
 * 1-node cluster and on a 3-node cluster (real processes on 127.0.0.1, pinned to CPUs with
 * taskset), so the coordinator's fan-out / merge overhead and per-node throughput show as ratios.
 * This machine has 2 vCPUs that behave like one core and its hyper-thread: 3 nodes cannot be
 * faster than 1 here; the figures measure overhead, not scale-out. Not a test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Database, StrataClient } from '../service-manager/index.js';
import { median, repoRoot, writeBenchSection } from './bench-report.js';

const tpch = join(repoRoot, '..', 'shared', 'data', 'tpch');
const cli = join(repoRoot, 'dist', 'cli', 'strata.js');
/** Warm runs per query; the median is reported. */
const runsPerQuery = 5;
/** Rows per partition: enough partitions for every node to get several. */
const partitionRows = 250_000;

const queries = [
  { name: 'Q1', sql: readFileSync(join(tpch, 'queries', 'q1.sql'), 'utf8') },
  { name: 'Q6', sql: readFileSync(join(tpch, 'queries', 'q6.sql'), 'utf8') },
  { name: 'week range count', sql: "SELECT count(*) FROM lineitem WHERE l_shipdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-07'" },
  { name: 'distinct orders per ship mode', sql: 'SELECT l_shipmode, count(DISTINCT l_orderkey) FROM lineitem GROUP BY 1 ORDER BY 1' },
];

async function timeMedian(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runsPerQuery; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

function startNode(store: string, id: string, cpu: number | null): Promise<{ child: ChildProcess; url: string }> {
  const args = [cli, 'node', 'start', '--store', store, '--id', id, '--port', '0'];
  const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
  const child = cpu !== null && hasTaskset ? spawn('taskset', ['-c', String(cpu), process.execPath, ...args]) : spawn(process.execPath, args);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`node ${id} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening') resolve({ child, url: String(entry.url).replace(/^http/, 'ws') });
      } catch { /* not a log line */ }
    });
  });
}

async function clusterTimes(store: string, nodeCount: number): Promise<{ times: number[]; nodesUsed: number }> {
  const cpuCount = cpus().length;
  const nodes = [];
  for (let i = 0; i < nodeCount; i++) nodes.push(await startNode(store, `bench-${nodeCount}-${i}`, i % cpuCount));
  await new Promise((resolve) => setTimeout(resolve, 3000)); // heartbeats: every node sees every other as live
  const client = await StrataClient.connect(nodes[0].url);
  try {
    let nodesUsed = 0;
    const times: number[] = [];
    for (const query of queries) {
      times.push(await timeMedian(async () => { nodesUsed = (await client.query(query.sql)).summary.nodes.length; }));
    }
    return { times, nodesUsed };
  } finally {
    await client.close();
    for (const node of nodes) node.child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'sf0.1' } } });
  const scale = values.scale ?? 'sf0.1';
  const source = join(tpch, scale, 'lineitem.tbl.zst');
  if (!existsSync(source)) throw new Error(`no ${source}`);
  const work = mkdtempSync(join(tmpdir(), 'strata-bench-cluster-'));
  try {
    const store = join(work, 'store');
    const database = await Database.open(store);
    await database.sql(readFileSync(join(tpch, 'schema.sql'), 'utf8').split(';').find((s) => /create table lineitem/i.test(s))!);
    process.stderr.write(`loading ${scale} lineitem…\n`);
    await database.ingest('lineitem', [source], { delimiter: '|', header: false, partitionRowsTarget: partitionRows });
    const embedded: number[] = [];
    for (const query of queries) embedded.push(await timeMedian(() => database.sql(query.sql)));
    await database.close();
    process.stderr.write('1-node cluster…\n');
    const one = await clusterTimes(store, 1);
    process.stderr.write('3-node cluster…\n');
    const three = await clusterTimes(store, 3);
    report(scale, embedded, one.times, three.times, three.nodesUsed);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function report(scale: string, embedded: number[], one: number[], three: number[], nodesUsed: number): void {
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    `## Cluster: TPC-H ${scale} lineitem on 1 and 3 nodes`,
    '',
    `Run ${date} on ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} vCPUs (one core and its hyper-thread), Node ${process.version}.`,
    `Nodes are real processes on 127.0.0.1 pinned round-robin to CPUs with taskset; the 3-node queries used ${nodesUsed} nodes.`,
    'Medians of 5 warm runs in ms. "1 node / embedded" is the cost of the service manager, WebSocket and',
    'fragment RPC around the same engine; "3 nodes / 1 node" is the fan-out and merge overhead on a machine',
    'that cannot run 3 nodes in parallel (per-node throughput = 1 / (3 x that ratio) of a dedicated core).',
    '',
    '| query | embedded | 1 node | 3 nodes | 1 node / embedded | 3 nodes / 1 node |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...queries.map((query, i) => `| ${query.name} | ${embedded[i].toFixed(1)} | ${one[i].toFixed(1)} | ${three[i].toFixed(1)} | ${(one[i] / embedded[i]).toFixed(2)} | ${(three[i] / one[i]).toFixed(2)} |`),
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  writeBenchSection('cluster', text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
