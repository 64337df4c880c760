/**
 * A cluster load's byte counts match a local load's: bytesIn is the text parsed (decompressed
 * for .zst), bytesRead the file as stored (absent when the same), for one small .zst file and
 * its plain copy loaded through 2 real node processes.
 */
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compress } from 'zstd-napi';
import { Database, ingestRemote } from '../../service-manager/index.js';
import { startNodeProcess, waitForLiveMembers, type NodeProcess } from '../support/node-process.js';
import { makeTempDirectory } from '../support/paths.js';

describe('distributed ingest byte counts (bytesIn decompressed, bytesRead as stored)', function () {
  this.timeout(120_000);
  const temp = makeTempDirectory('strata-dingest-bytes-');
  const store = join(temp.path, 'store');
  const plainFile = join(temp.path, 'items.csv');
  const zstFile = join(temp.path, 'items.csv.zst');
  const text = ['id,name,price', ...Array.from({ length: 5000 }, (_, i) => `${i},item number ${i % 97},${(i * 37) % 1000}.25`)].join('\n') + '\n';
  const nodes: NodeProcess[] = [];

  before(async () => {
    writeFileSync(plainFile, text);
    writeFileSync(zstFile, compress(Buffer.from(text)));
    const database = await Database.open(store);
    try {
      for (const name of ['items_local', 'items_zst', 'items_plain']) await database.sql(`CREATE TABLE ${name} (id INTEGER NOT NULL, name VARCHAR, price DECIMAL(10,2))`);
    } finally {
      await database.close();
    }
    for (const id of ['n1', 'n2']) nodes.push(await startNodeProcess(['--store', store, '--id', id]));
    await waitForLiveMembers(nodes[0], 2);
  });

  after(async () => {
    for (const node of nodes) await node.kill();
    temp.remove();
  });

  it('counts a .zst file like a local load: decompressed text in, compressed bytes read', async () => {
    const summary = await ingestRemote(nodes[0].wsUrl, 'items_zst', [zstFile], {});
    assert.equal(summary.rowsLoaded, 5000);
    assert.equal(summary.bytesIn, Buffer.byteLength(text));
    assert.equal(summary.bytesRead, statSync(zstFile).size);
    assert.ok(summary.bytesRead! < summary.bytesIn);
    assert.equal(summary.nodes.reduce((total, share) => total + share.bytesIn, 0), summary.bytesIn);
    // The same file loaded locally (into another table of the store; the nodes only read it).
    const database = await Database.open(store);
    try {
      const local = await database.ingest('items_local', [zstFile], {});
      assert.equal(local.bytesIn, summary.bytesIn);
      assert.equal(local.bytesRead, summary.bytesRead);
    } finally {
      await database.close();
    }
  });

  it('reports no bytesRead for a plain file: what was read is the text', async () => {
    const summary = await ingestRemote(nodes[1].wsUrl, 'items_plain', [plainFile], {});
    assert.equal(summary.rowsLoaded, 5000);
    assert.equal(summary.bytesIn, statSync(plainFile).size);
    assert.equal(summary.bytesRead, undefined);
  });
});
