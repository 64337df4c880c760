import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ingestFiles, type IngestProgress } from '../../ingest/index.js';
import { Types } from '../../storage/index.js';
import { newTable, rejection, schema, tableRows, TempDir } from './load-helpers.js';

describe('ingest/load policies', () => {
  let dir: TempDir;
  beforeEach(async () => { dir = await TempDir.create(); });
  afterEach(async () => { await dir.remove(); });

  const people = schema(['id', Types.int32, false], ['name', Types.string], ['born', Types.date]);

  it('rejects bad records verbatim to the rejects file and commits the good ones', async () => {
    const table = await newTable(dir, people);
    const bad = ['2,"bad, quoted",1990-13-01\r\n', '4,x\n', '5,"multi\nline",notadate\n', ',nobody,2000-01-01\n', '7,"open'];
    const text = `id,name,born\n1,ann,1990-01-01\n${bad[0]}3,bob,1991-02-03\n${bad[1]}${bad[2]}${bad[3]}6,cy,\n${bad[4]}`;
    const path = await dir.file('people.csv', text);
    const summary = await ingestFiles(table, [path], { onError: 'reject', readChunkBytes: 8 });
    assert.equal(summary.rowsLoaded, 3);
    assert.equal(summary.rowsRejected, 5);
    assert.equal(summary.rejectsPath, `${path}.rejects`);
    assert.equal(await readFile(`${path}.rejects`, 'utf8'), `${bad.join('')}\n`);
    assert.deepEqual(summary.rejectSamples.map((sample) => sample.code),
      ['INGEST_BAD_VALUE', 'INGEST_FIELD_COUNT', 'INGEST_BAD_VALUE', 'INGEST_NULL_VIOLATION', 'INGEST_BAD_QUOTE']);
    assert.deepEqual(await tableRows(table), [[1, 'ann', '1990-01-01'], [3, 'bob', '1991-02-03'], [6, 'cy', null]]);
  });

  it('writes rejects where rejectsPath says, and no file when nothing is rejected', async () => {
    const table = await newTable(dir, people);
    const rejectsPath = join(dir.path, 'out.rejects');
    const good = await ingestFiles(table, [await dir.file('good.csv', 'id,name,born\n1,a,\n')], { onError: 'reject', rejectsPath });
    assert.equal(good.rejectsPath, null);
    await assert.rejects(stat(rejectsPath));
    const some = await ingestFiles(table, [await dir.file('some.csv', 'id,name,born\nx,a,\n2,b,\n')], { onError: 'reject', rejectsPath });
    assert.equal(some.rejectsPath, rejectsPath);
    assert.equal(await readFile(rejectsPath, 'utf8'), 'x,a,\n');
  });

  it('keeps dictionaries exact when rejected rows are dropped from a batch', async () => {
    const table = await newTable(dir, schema(['id', Types.int32], ['tag', Types.string]));
    const lines = ['id,tag'];
    const expected: unknown[][] = [];
    for (let i = 0; i < 50; i++) {
      const bad = i % 5 === 0;
      lines.push(`${bad ? 'x' : i},${bad ? `only-in-bad-${i}` : `tag-${i % 3}`}`);
      if (!bad) expected.push([i, `tag-${i % 3}`]);
    }
    const summary = await ingestFiles(table, [await dir.file('t.csv', lines.join('\n'))], { onError: 'reject', batchRowsMax: 16 });
    assert.equal(summary.rowsRejected, 10);
    assert.deepEqual(await tableRows(table), expected);
  });

  it('aborts on the first bad record and leaves the table at its previous version', async () => {
    const table = await newTable(dir, people);
    await ingestFiles(table, [await dir.file('first.csv', 'id,name,born\n1,a,\n')], {});
    const lines = ['id,name,born'];
    for (let i = 0; i < 500; i++) lines.push(`${i},n${i},`);
    lines.push('oops,z,');
    const error = await rejection(ingestFiles(table, [await dir.file('second.csv', lines.join('\n'))], { partitionRowsTarget: 100 }));
    assert.equal(error.code, 'INGEST_BAD_VALUE');
    assert.equal(error.details.line, 502);
    const snapshot = await table.snapshot();
    assert.equal(snapshot.version, 1);
    assert.equal(snapshot.partitions.length, 1);
    assert.deepEqual(await tableRows(table), [[1, 'a', null]]);
    const files = await table.store.list(`${table.directory}/data`);
    assert.ok(files.length > 1, 'partitions written before the failure stay as orphans for vacuum');
  });

  it('makes several files visible in one commit', async () => {
    const table = await newTable(dir, people);
    const files = [await dir.file('a.csv', 'id,name,born\n1,a,\n'), await dir.file('b.csv', 'id,name,born\n2,b,\n')];
    const summary = await ingestFiles(table, files, {});
    assert.equal(summary.version, 1);
    assert.equal((await table.snapshot()).loadHashes.size, 2);
    assert.deepEqual(await tableRows(table), [[1, 'a', null], [2, 'b', null]]);
  });

  it('skips a file loaded before unless force, and writes nothing when skipping', async () => {
    const table = await newTable(dir, people);
    const path = await dir.file('once.csv', 'id,name,born\n1,a,\n');
    await ingestFiles(table, [path], {});
    const again = await ingestFiles(table, [path], {});
    assert.equal(again.skipped, true);
    assert.equal(again.version, null);
    assert.deepEqual(again.filesSkipped, [path]);
    assert.equal((await table.snapshot()).version, 1);
    assert.equal((await table.store.list(`${table.directory}/data`)).length, 1);
    const copy = await dir.file('renamed-copy.csv', await readFile(path));
    assert.equal((await ingestFiles(table, [copy], {})).skipped, true, 'the content decides, not the name');
    const forced = await ingestFiles(table, [path], { force: true });
    assert.equal(forced.skipped, false);
    assert.equal(forced.version, 2);
    assert.deepEqual(await tableRows(table), [[1, 'a', null], [1, 'a', null]]);
  });

  it('loads only the new files of a mixed load, and a file given twice once', async () => {
    const table = await newTable(dir, people);
    const old = await dir.file('old.csv', 'id,name,born\n1,a,\n');
    await ingestFiles(table, [old], {});
    const fresh = await dir.file('new.csv', 'id,name,born\n2,b,\n');
    const summary = await ingestFiles(table, [old, fresh, fresh], {});
    assert.equal(summary.skipped, false);
    assert.deepEqual(summary.filesSkipped, [old, fresh]);
    assert.equal(summary.rowsLoaded, 1);
    assert.deepEqual(await tableRows(table), [[1, 'a', null], [2, 'b', null]]);
  });

  it('stops on an aborted signal without committing', async () => {
    const table = await newTable(dir, people);
    const controller = new AbortController();
    const lines = ['id,name,born'];
    for (let i = 0; i < 2000; i++) lines.push(`${i},n,`);
    const path = await dir.file('big.csv', lines.join('\n'));
    const progress: IngestProgress[] = [];
    const onProgress = (p: IngestProgress): void => {
      progress.push(p);
      if (p.rows >= 500) controller.abort();
    };
    const error = await rejection(ingestFiles(table, [path], { signal: controller.signal, onProgress, readChunkBytes: 1024 }));
    assert.deepEqual([error.kind, error.code], ['cancelled', 'INGEST_CANCELLED']);
    assert.equal((await table.snapshot()).version, 0);
    assert.ok(progress.length >= 2);
    assert.ok(progress.every((p, i) => i === 0 || p.bytesRead >= progress[i - 1].bytesRead));
    assert.equal(progress[0].bytesTotal, (await stat(path)).size);
  });

  it('reports progress up to all bytes and rows', async () => {
    const table = await newTable(dir, people);
    const path = await dir.file('p.csv', 'id,name,born\n1,a,\n2,b,\n');
    let last: IngestProgress | null = null;
    const summary = await ingestFiles(table, [path], { onProgress: (p) => { last = p; } });
    assert.deepEqual(last, { bytesRead: summary.bytesIn, bytesTotal: summary.bytesIn, rows: 2 });
  });
});
