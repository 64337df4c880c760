/**
 * Crash safety: a writer SIGKILLed at any moment (while writing a partition, between the write
 * and the commit, inside a commit or a checkpoint) leaves the table at a committed version,
 * readable, holding exactly the rows of its commits; vacuum then removes the orphans.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readPartition, Table, Types, verifyPartition, type LocalStore, type Schema } from '../../storage/index.js';
import { collect, columnsOf, temporaryStore } from './storage-fixtures.js';

const schema: Schema = { fields: [{ name: 'id', type: Types.int64, nullable: false }] };
const kills = 5;

/** Runs the writer child until it has committed `commitsBeforeKill` times, then SIGKILLs it after a random pause. */
async function runAndKill(directory: string, commitsBeforeKill: number): Promise<void> {
  const script = fileURLToPath(new URL('./table-crash-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, directory, 'crashy'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => { stderr += data.toString('utf8'); });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
  let commits = 0;
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('committed')) commits++;
      if (commits === commitsBeforeKill) resolve();
    });
    exited.then(() => reject(new Error(`writer exited before it was killed: ${stderr}`)));
  });
  // A random pause puts the kill at a different point of the write/commit cycle each time.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 25));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', stderr);
}

/** Asserts the table holds exactly the rows its commits added, and every partition verifies. */
async function checkConsistent(store: LocalStore): Promise<number> {
  const table = await Table.open(store, 'crashy');
  const snapshot = await table.snapshot();
  const history = await table.history();
  assert.equal(history.length, snapshot.version + 1);
  const expected: number[] = [];
  for (const entry of history.slice(1)) {
    const { sequence, rows } = entry.info as { sequence: number; rows: number };
    assert.equal(sequence, entry.version, 'each commit took the version after the snapshot it read');
    for (let i = 0; i < rows; i++) expected.push(sequence * 1000 + i);
  }
  const actual: number[] = [];
  for (const meta of snapshot.partitions) {
    await verifyPartition(store, { ...meta, path: `${table.directory}/${meta.path}` });
    actual.push(...(columnsOf(await collect(table.readPartition(meta, [0])), 1)[0] as number[]));
  }
  assert.deepEqual(actual.sort((a, b) => a - b), expected.sort((a, b) => a - b));
  assert.equal(snapshot.loadHashes.size, snapshot.version);
  return snapshot.version;
}

describe('table crash safety', function () {
  this.timeout(120_000);
  let store: LocalStore;
  let directory: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, directory, cleanup } = await temporaryStore('crash'));
    await Table.create(store, 'crashy', schema, {}, { checkpointInterval: 3 });
  });
  after(() => cleanup());

  it(`survives ${kills} SIGKILLs at random moments with a consistent, readable table`, async () => {
    let version = 0;
    for (let kill = 0; kill < kills; kill++) {
      await runAndKill(directory, 2 + Math.floor(Math.random() * 4));
      const after = await checkConsistent(store);
      assert.ok(after >= version + 2, `version ${after} after kill ${kill}, was ${version}`);
      version = after;
    }
    const table = await Table.open(store, 'crashy');
    const referenced = new Set((await table.snapshot()).partitions.map((meta) => meta.path));
    const removed = await table.vacuum({ retainMs: 0 });
    assert.ok(removed.removed.every((path) => !referenced.has(path)));
    const left = (await store.list(`${table.directory}/data`)).map((file) => `data/${file.path.slice(file.path.lastIndexOf('/') + 1)}`);
    assert.deepEqual(left.sort(), [...referenced].sort(), 'after vacuum only committed partitions remain');
    assert.equal(await checkConsistent(store), version);
    // The direct reader agrees with the table's.
    const meta = (await table.snapshot()).partitions[0];
    assert.ok((await collect(readPartition(store, { ...meta, path: `${table.directory}/${meta.path}` }, schema, [0]))).length > 0);
  });
});
