/** QueryEngine.stream: a SELECT's plan runs only as its batches are pulled; stats complete at the end; errors and cancels arrive mid-stream. */
import assert from 'node:assert/strict';
import { StrataError, Types, type Schema } from '../../storage/index.js';
import { QueryEngine } from '../../query/index.js';
import { MemoryCatalog } from './support/memory-catalog.js';
import { batchFromRows, memoryPartition } from './support/memory-table.js';

const numbers: Schema = { fields: [{ name: 'n', type: Types.int32, nullable: false }] };
const partitionCount = 10;
const partitionRows = 100;

/** Table `numbers`: partitionCount partitions of partitionRows consecutive integers each. */
function numbersEngine(): QueryEngine {
  const catalog = new MemoryCatalog();
  catalog.addTable('numbers', numbers, Array.from({ length: partitionCount }, (_, p) => memoryPartition(`p${p}`, numbers, [
    batchFromRows(numbers, Array.from({ length: partitionRows }, (_, r) => [p * partitionRows + r])),
  ])));
  return new QueryEngine(catalog);
}

function firstValues(values: ArrayLike<number | bigint>): number {
  return Number(values[0]);
}

describe('QueryEngine.stream', () => {
  it('runs the plan only as batches are pulled, and stats are complete once the stream ends', async () => {
    let partitionsDone = () => -1;
    const stream = await numbersEngine().stream('SELECT n FROM numbers', { onProgress: (progress) => { partitionsDone = () => progress.partitionsDone(); } });
    assert.equal(stream.command, 'SELECT');
    assert.deepEqual(stream.schema.fields.map((field) => field.name), ['n']);
    assert.equal(partitionsDone(), 0, 'nothing is read before the first pull');
    const iterator = stream.batches[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    const column = first.value!.columns[0];
    assert.ok(column.kind === 'numeric');
    assert.equal(firstValues(column.values), 0);
    assert.equal(partitionsDone(), 1, 'one pull reads one partition');
    assert.equal(stream.stats().partitionsScanned, 1);
    let rows = first.value!.length;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) rows += next.value.length;
    assert.equal(rows, partitionCount * partitionRows);
    const stats = stream.stats();
    assert.equal(stats.partitionsScanned, partitionCount);
    assert.equal(stats.rowsScanned, partitionCount * partitionRows);
    assert.equal(stream.stats().elapsedMs, stats.elapsedMs, 'elapsed time stops with the stream');
  });

  it('stops reading when the consumer leaves early', async () => {
    let partitionsDone = () => -1;
    const stream = await numbersEngine().stream('SELECT n FROM numbers', { onProgress: (progress) => { partitionsDone = () => progress.partitionsDone(); } });
    let batches = 0;
    for await (const batch of stream.batches) {
      batches += 1;
      assert.equal(batch.length, partitionRows);
      if (batches === 3) break;
    }
    assert.equal(partitionsDone(), 3);
    assert.equal(stream.stats().partitionsScanned, 3);
  });

  it('throws a typed error mid-stream, after the batches before it', async () => {
    const stream = await numbersEngine().stream(`SELECT CAST(CASE WHEN n < 500 THEN '1' ELSE 'x' || CAST(n AS VARCHAR) END AS INTEGER) FROM numbers`);
    let rows = 0;
    await assert.rejects(async () => { for await (const batch of stream.batches) rows += batch.length; },
      (error: unknown) => error instanceof StrataError && error.code === 'INVALID_CAST');
    assert.equal(rows, 500);
  });

  it('a cancel through the signal ends the stream with QUERY_CANCELLED', async () => {
    const controller = new AbortController();
    const stream = await numbersEngine().stream('SELECT n FROM numbers', { signal: controller.signal });
    let rows = 0;
    await assert.rejects(async () => {
      for await (const batch of stream.batches) {
        rows += batch.length;
        controller.abort();
      }
    }, (error: unknown) => error instanceof StrataError && error.code === 'QUERY_CANCELLED');
    assert.equal(rows, partitionRows);
    assert.equal(stream.stats().partitionsScanned, 1);
  });

  it('planning errors are thrown by stream() itself; other statements stream their small results', async () => {
    const engine = numbersEngine();
    await assert.rejects(engine.stream('SELECT nope FROM numbers'), (error: unknown) => error instanceof StrataError && error.code === 'COLUMN_NOT_FOUND');
    const show = await engine.stream('SHOW TABLES');
    const batches = [];
    for await (const batch of show.batches) batches.push(batch);
    assert.equal(show.command, 'SHOW TABLES');
    assert.equal(batches.length, 1);
    assert.equal(batches[0].length, 1);
    const collected = await engine.execute('SELECT n FROM numbers WHERE n >= 950');
    assert.equal(collected.batches.reduce((sum, batch) => sum + batch.length, 0), 50);
    assert.equal(collected.stats.partitionsScanned, 1, 'pruning still applies');
  });
});
