import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ingestFiles, rangeBytesMin } from '../../ingest/index.js';
import { Types } from '../../storage/index.js';
import { newTable, rejection, schema, tableRows, TempDir } from './load-helpers.js';

/**
 * Loads on worker threads: a plain file of at least two rangeBytesMin is cut into one range per
 * thread. Each test compares a two-thread load with the same load on the calling thread.
 */
describe('ingest/parallel load (worker threads)', function () {
  this.timeout(120_000);
  let dir: TempDir;
  beforeEach(async () => { dir = await TempDir.create(); });
  afterEach(async () => { await dir.remove(); });

  const columns = schema(['id', Types.int32, false], ['kind', Types.string], ['amount', Types.decimal(12, 2)], ['day', Types.date], ['note', Types.string]);
  const kinds = ['alpha', 'beta', 'gamma', 'delta'];

  /** CSV lines (header first) just over 2 * rangeBytesMin bytes; `edit` may change a line by its 1-based number. */
  function lines(edit: (line: number, text: string) => string = (_, text) => text): string[] {
    const out = ['id,kind,amount,day,note'];
    let bytes = 0;
    for (let id = 1; bytes < 2 * rangeBytesMin + 4096; id++) {
      const text = edit(id + 1, `${id},${kinds[id % 4]},${(id % 100_000) / 100},2020-0${1 + (id % 9)}-1${id % 10},note number ${id * 7919}`);
      out.push(text);
      bytes += text.length + 1;
    }
    return out;
  }

  async function loadBoth(text: string, options: Parameters<typeof ingestFiles>[2] = {}) {
    const path = await dir.file('data.csv', text);
    const results = [];
    for (const threads of [1, 2]) {
      const table = await newTable(dir, columns, `t${threads}`);
      const summary = await ingestFiles(table, [path], { ...options, threads, rejectsPath: `${path}.${threads}.rejects` });
      results.push({ table, summary, path });
    }
    return results;
  }

  it('loads the same rows in the same order as one thread, and a second load is skipped', async () => {
    const [one, two] = await loadBoth(lines().join('\n') + '\n');
    assert.ok(two.summary.partitions >= 2, 'two ranges give at least two partitions');
    assert.equal(two.summary.bytesIn, one.summary.bytesIn);
    assert.equal(two.summary.rowsLoaded, one.summary.rowsLoaded);
    assert.deepEqual(await tableRows(two.table), await tableRows(one.table));
    assert.deepEqual([...(await two.table.snapshot()).loadHashes], [...(await one.table.snapshot()).loadHashes]);
    const again = await ingestFiles(two.table, [two.path], { threads: 2 });
    assert.equal(again.skipped, true);
  });

  it('reports a bad value in a later range with its absolute line, as one thread does', async () => {
    const all = lines();
    const badLine = all.length - 5;
    const text = lines((line, text) => (line === badLine ? text.replace(',2020-', ',20x0-') : text)).join('\n') + '\n';
    const path = await dir.file('data.csv', text);
    const errors = [];
    for (const threads of [1, 2]) {
      const table = await newTable(dir, columns, `t${threads}`);
      errors.push(await rejection(ingestFiles(table, [path], { threads })));
      assert.equal((await table.snapshot()).partitions.length, 0, 'nothing is committed');
    }
    assert.equal(errors[1].code, 'INGEST_BAD_VALUE');
    assert.equal(errors[1].details.line, badLine);
    assert.equal(errors[1].details.column, 4);
    assert.equal(errors[1].message, errors[0].message);
  });

  it('writes the same rejects file as one thread, records in file order', async () => {
    const total = lines().length;
    const bad = new Set([3, Math.floor(total / 2) + 1, total - 2]);
    const text = lines((line, text) => (bad.has(line) ? text.replace(/,[0-9.]+,2020/, ',1.2.3,2020') : text)).join('\n') + '\n';
    const [one, two] = await loadBoth(text, { onError: 'reject' });
    assert.equal(two.summary.rowsRejected, 3);
    assert.equal(two.summary.rowsLoaded, one.summary.rowsLoaded);
    const rejected = await readFile(`${two.path}.2.rejects`, 'utf8');
    assert.equal(rejected, await readFile(`${one.path}.1.rejects`, 'utf8'));
    assert.equal(rejected.split('\n').length, 4);
    assert.deepEqual(two.summary.rejectSamples.map((sample) => sample.message), one.summary.rejectSamples.map((sample) => sample.message));
  });

  it('falls back to one thread when the range cut falls inside a quoted field holding a line break', async () => {
    const all = lines();
    const text = all.join('\n') + '\n';
    // The two ranges meet at the first line feed at or after the middle byte - 1: put one there,
    // inside a quoted note of the same length, so the cut goes through the quoted field.
    const middle = Math.floor(text.length / 2);
    let line = text.lastIndexOf('\n', middle - 1) + 1;
    for (;;) {
      const end = text.indexOf('\n', line);
      const noteStart = text.lastIndexOf(',', end) + 1;
      const room = end - noteStart - 3;
      const before = Math.max(0, middle - 1 - (noteStart + 1));
      if (before <= room) {
        const note = `"${'a'.repeat(before)}\n${'b'.repeat(room - before)}"`;
        const edited = text.slice(0, noteStart) + note + text.slice(end);
        assert.equal(edited.length, text.length);
        const [one, two] = await loadBoth(edited);
        assert.equal(two.summary.rowsLoaded, all.length - 1);
        assert.deepEqual(await tableRows(two.table), await tableRows(one.table));
        return;
      }
      line = end + 1;
    }
  });

  it('cancels on the signal, commits nothing and reports progress up to the file size at most', async () => {
    const path = await dir.file('data.csv', lines().join('\n') + '\n');
    const table = await newTable(dir, columns);
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await rejection(ingestFiles(table, [path], {
      threads: 2,
      signal: controller.signal,
      onProgress: (progress) => {
        seen.push(progress.bytesRead);
        assert.ok(progress.bytesRead <= progress.bytesTotal);
        if (progress.rows > 0) controller.abort();
      },
    }));
    assert.equal(error.code, 'INGEST_CANCELLED');
    assert.ok(seen.length > 0);
    assert.equal((await table.snapshot()).partitions.length, 0);
  });

  it('loads a split file and a whole one in file order, with both load hashes', async () => {
    const big = await dir.file('big.csv', lines().join('\n') + '\n');
    const small = await dir.file('small.csv', 'id,kind,amount,day,note\n-1,x,1.5,2021-01-01,last\n');
    const tables = [];
    for (const threads of [1, 2]) {
      const table = await newTable(dir, columns, `t${threads}`);
      await ingestFiles(table, [big, small], { threads });
      tables.push(table);
    }
    const rows = await tableRows(tables[1]);
    assert.deepEqual(rows.at(-1), [-1, 'x', '1.50', '2021-01-01', 'last']);
    assert.deepEqual(rows, await tableRows(tables[0]));
    assert.deepEqual([...(await tables[1].snapshot()).loadHashes], [...(await tables[0].snapshot()).loadHashes]);
    assert.equal((await tables[1].snapshot()).loadHashes.size, 2);
  });
});
