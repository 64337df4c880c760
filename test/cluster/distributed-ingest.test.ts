/**
 * Acceptance (issue 4, point 5): `strata ingest --url` through a cluster of real node processes
 * on 127.0.0.1 sharing one store. TPC-H sf0.1 lineitem loaded through 3 nodes (the .zst whole,
 * a plain copy split into byte ranges) equals a single-node load; partitions come from every
 * node; SIGKILL of a worker or of the coordinator mid-load leaves the previous version or the
 * whole load; a malformed file is refused with file:line:column and nothing committed; paths
 * outside a node's ingest roots are refused.
 */
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DecompressStream } from 'zstd-napi';
import { Database, ingestRemote, StrataClient, type DistributedIngestSummary } from '../../service-manager/index.js';
import { openStore, Table } from '../../storage/index.js';
import { runCli, runCliOk } from '../support/cli.js';
import { startNodeProcess, waitFor, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory, tpchDirectory } from '../support/paths.js';
import { tpchCreateTable } from '../support/tpch-schema.js';

const lineitemRows = 600_572;
/** Small partitions so every node writes several. */
const partitionRows = 100_000;

/** Order-independent checksums of a lineitem table: they tie every column to its row. */
const checksumQueries = [
  `SELECT count(*), count(DISTINCT l_orderkey), sum(l_quantity), sum(l_extendedprice), sum(l_discount), sum(l_tax),
     sum(l_orderkey * 8 + l_linenumber), sum((l_partkey % 1000) * l_linenumber + l_suppkey), sum(length(l_comment) * l_linenumber),
     min(l_shipdate), max(l_receiptdate), min(l_commitdate) FROM TABLE`,
  `SELECT l_returnflag, l_linestatus, count(*), sum(l_extendedprice * (1 - l_discount)), sum(l_quantity * l_linenumber), sum(length(l_shipmode || l_shipinstruct))
     FROM TABLE GROUP BY 1, 2 ORDER BY 1, 2`,
];

async function liveMembers(node: NodeProcess): Promise<string[]> {
  const body = await (await fetch(`${node.httpUrl}/v1/cluster`)).json() as { members: { id: string; live: boolean; state: string }[] };
  return body.members.filter((member) => member.live && member.state === 'active').map((member) => member.id).sort();
}

describe('distributed ingest through a cluster', function () {
  this.timeout(300_000);
  const temp = makeTempDirectory('strata-dingest-');
  const store = join(temp.path, 'store');
  const zstFile = join(tpchDirectory, 'sf0.1', 'lineitem.tbl.zst');
  const plainFile = join(temp.path, 'data', 'lineitem.tbl');
  const nodes: NodeProcess[] = [];
  let client: StrataClient;

  before(async () => {
    await mkdir(join(temp.path, 'data'));
    const database = await Database.open(store);
    for (const name of ['lineitem', 'lineitem_zst', 'lineitem_plain', 'lineitem_bad']) await database.sql(tpchCreateTable('lineitem').replace(/^create\s+table\s+lineitem\b/i, `CREATE TABLE ${name}`));
    // The reference (a single-node load of the same file), the plain copy and the nodes' start-up overlap.
    await Promise.all([
      database.ingest('lineitem', [zstFile], { partitionRowsTarget: 100_000 }).finally(() => database.close()),
      pipeline(createReadStream(zstFile), new DecompressStream(), createWriteStream(plainFile)),
      ...['n1', 'n2', 'n3'].map(async (id, i) => { nodes[i] = await startNodeProcess(['--store', store, '--id', id]); }),
    ]);
    await waitFor(async () => (await liveMembers(nodes[0])).length === 3, '3 live members');
    client = await StrataClient.connect(nodes[0].wsUrl);
  });

  after(async () => {
    await client?.close();
    for (const node of nodes) await node?.kill();
    temp.remove();
  });

  let reference: unknown[][][] | null = null;

  /** The checksums of the single-node load (computed once). */
  async function expected(): Promise<unknown[][][]> {
    reference ??= await checksums('lineitem');
    return reference;
  }

  async function checksums(table: string): Promise<unknown[][][]> {
    const results = [];
    for (const sql of checksumQueries) results.push((await client.query(sql.replace('TABLE', table))).rows);
    return results;
  }

  async function rowCount(table: string): Promise<number> {
    return Number((await client.query(`SELECT count(*) FROM ${table}`)).rows[0][0]);
  }

  it('loads the .zst through the CLI and the cluster exactly like a single-node load', async () => {
    const run = await runCliOk(['ingest', '--url', nodes[0].wsUrl, '--table', 'lineitem_zst', '--partition-rows', String(partitionRows), zstFile]);
    assert.match(run.stdout, /lineitem_zst: loaded 600,572 rows from 1 file\(s\) .* version 1\n/);
    assert.match(run.stdout, /built on 1 node\(s\)/, 'a compressed file is one part, parsed by one node');
    assert.equal(Number((await expected())[0][0][0]), lineitemRows);
    assert.deepEqual(await checksums('lineitem_zst'), await expected());
    const again = await runCliOk(['ingest', '--url', nodes[1].wsUrl, '--table', 'lineitem_zst', zstFile]);
    assert.match(again.stdout, /already loaded/);
  });

  it('splits a plain copy into byte ranges parsed by all 3 nodes, committed once, equal to a single-node load', async () => {
    const summary = await ingestRemote(nodes[1].wsUrl, 'lineitem_plain', [plainFile], { partitionRowsTarget: partitionRows });
    assert.equal(summary.rowsLoaded, lineitemRows);
    assert.equal(summary.version, 1, 'one commit for the whole load');
    assert.deepEqual(summary.nodes.map((share) => share.node), ['n1', 'n2', 'n3']);
    for (const share of summary.nodes) assert.ok(share.partitions >= 1 && share.rows > 0, `${share.node} built nothing`);
    assert.equal(summary.nodes.reduce((sum, share) => sum + share.rows, 0), lineitemRows);
    assert.deepEqual(await checksums('lineitem_plain'), await expected());
    // The commit log records who built what, and holds every partition the nodes wrote.
    const shared = await openStore(store);
    try {
      const entry = (await (await Table.open(shared, 'lineitem_plain')).history(1, 1))[0];
      assert.equal(entry.add.length, summary.partitions);
      assert.deepEqual((entry.info.nodes as { node: string }[]).map((share) => share.node), ['n1', 'n2', 'n3']);
    } finally {
      await shared.close();
    }
  });

  it('refuses a malformed file with file:line:column from a range mid-file, committing nothing', async () => {
    // A bad l_quantity (column 5) early in the second of three ranges: its node knows only the
    // range's byte offset, yet the error names the file's line.
    const badLine = 250_001;
    const data = readFileSync(plainFile);
    let start = 0;
    for (let line = 1; line < badLine; line++) start = data.indexOf(0x0a, start) + 1;
    let field = start;
    for (let column = 1; column < 5; column++) field = data.indexOf(0x7c, field) + 1;
    const badFile = join(temp.path, 'data', 'lineitem-bad.tbl');
    writeFileSync(badFile, Buffer.concat([data.subarray(0, field), Buffer.from('12x.5'), data.subarray(data.indexOf(0x7c, field))]));
    const run = await runCli(['ingest', '--url', nodes[2].wsUrl, '--table', 'lineitem_bad', badFile]);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, new RegExp(`INGEST_BAD_VALUE.*lineitem-bad\\.tbl:${badLine}:5: cannot read '12x\\.5' as DECIMAL\\(15,2\\) for column l_quantity`));
    assert.equal(await rowCount('lineitem_bad'), 0);
  });

  it('completes the load or leaves the previous version when a worker is SIGKILLed mid-load', async () => {
    let killed: Promise<void> | null = null;
    const load = ingestRemote(nodes[0].wsUrl, 'lineitem_plain', [plainFile], { partitionRowsTarget: partitionRows, force: true }, {
      onProgress: (progress) => { if (progress.rows > 0) killed ??= nodes[2].kill(); },
    });
    const outcome = await load.then((summary) => summary, (error: Error) => error);
    await killed;
    assert.ok(killed !== null, 'the load finished before any progress was reported');
    const count = await rowCount('lineitem_plain');
    if (outcome instanceof Error) {
      assert.equal(count, lineitemRows, `the load failed (${outcome.message}) but the table changed`);
      assert.deepEqual(await checksums('lineitem_plain'), await expected());
    } else {
      assert.equal(outcome.rowsLoaded, lineitemRows);
      assert.equal(count, 2 * lineitemRows, 'the load succeeded but the table does not hold it whole');
      assert.equal((outcome as DistributedIngestSummary).nodes.reduce((sum, share) => sum + share.rows, 0), lineitemRows);
      const [quantity, identity] = (await client.query('SELECT sum(l_quantity), sum(l_orderkey * 8 + l_linenumber) FROM lineitem_plain')).rows[0];
      const once = (await expected())[0][0];
      assert.deepEqual([Number(quantity), Number(identity)], [2 * Number(once[2]), 2 * Number(once[6])], 'every row loaded exactly twice');
    }
    await waitFor(async () => !(await liveMembers(nodes[0])).includes('n3'), 'n3 to be seen dead');
  });

  it('leaves the previous version when the coordinator is SIGKILLed mid-load', async () => {
    nodes.push(await startNodeProcess(['--store', store, '--id', 'n4', '--ingest-root', temp.path]));
    await waitFor(async () => (await liveMembers(nodes[0])).includes('n4'), 'n4 to join');
    const countBefore = await rowCount('lineitem_plain');
    let killed: Promise<void> | null = null;
    const load = ingestRemote(nodes[3].wsUrl, 'lineitem_plain', [plainFile], { partitionRowsTarget: partitionRows, force: true }, {
      onProgress: (progress) => { if (progress.rows > 0) killed ??= nodes[3].kill(); },
    });
    const outcome = await load.then((summary) => summary, (error: Error & { code?: string }) => error);
    await killed;
    assert.ok(killed !== null, 'the load finished before any progress was reported');
    const count = await rowCount('lineitem_plain');
    if (outcome instanceof Error) {
      assert.equal((outcome as { code?: string }).code, 'CONNECTION_CLOSED');
      assert.equal(count, countBefore, 'a coordinator died mid-load yet the table changed');
    } else {
      assert.equal(count, countBefore + lineitemRows);
    }
  });

  it('refuses paths outside a node\'s ingest roots, through links and .., and relative paths', async () => {
    const node = await startNodeProcess(['--store', store, '--id', 'n5', '--ingest-root', join(temp.path, 'data')]);
    nodes.push(node);
    const outside = join(temp.path, 'outside.tbl');
    writeFileSync(outside, '1|2|3|4|5|6|7|8|N|O|1996-01-01|1996-01-01|1996-01-01|x|y|z|\n');
    symlinkSync(outside, join(temp.path, 'data', 'link.tbl'));
    for (const path of [zstFile, outside, join(temp.path, 'data', 'link.tbl'), `${temp.path}/data/../outside.tbl`]) {
      await assert.rejects(ingestRemote(node.wsUrl, 'lineitem_bad', [path], {}),
        (error: Error & { code?: string }) => error.code === 'INGEST_PATH_NOT_ALLOWED' && error.message.includes('outside the ingest roots of node n5'), path);
    }
    await assert.rejects(ingestRemote(node.wsUrl, 'lineitem_bad', [plainFile], { rejectsPath: join(temp.path, 'out.rejects') }),
      (error: Error & { code?: string }) => error.code === 'INGEST_PATH_NOT_ALLOWED');
    const response = await fetch(`${node.httpUrl}/v1/ingest`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ table: 'lineitem_bad', files: ['data/lineitem.tbl'] }),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'INGEST_PATH_NOT_ABSOLUTE');
    assert.equal(await rowCount('lineitem_bad'), 0);
  });
});
