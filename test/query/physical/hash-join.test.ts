/**
 * HashJoinExec and the join rules through the engine: output larger than one batch, every join
 * type over a build side bigger than one batch, the memory budget (a hash table over it fails
 * cleanly naming HashJoinExec, and the engine keeps answering), cancellation, and EXPLAIN
 * showing hash keys taken from WHERE and the join order chosen from table sizes.
 */
import assert from 'node:assert/strict';
import { StrataError, Types, type Schema } from '../../../storage/index.js';
import { QueryEngine } from '../../../query/index.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { batchFromRows, memoryPartition } from '../support/memory-table.js';

const pairs: Schema = {
  fields: [
    { name: 'k', type: Types.int32, nullable: true },
    { name: 'v', type: Types.int64, nullable: false },
    { name: 's', type: Types.string, nullable: true },
  ],
};

/** A table of `rows` rows in partitions of `perPartition`: k = i % keys (NULL every 97th), v = i, s = 'x' + k. */
function addTable(catalog: MemoryCatalog, name: string, rows: number, keys: number, perPartition: number): void {
  const partitions = [];
  for (let start = 0; start < rows; start += perPartition) {
    const data = [];
    for (let i = start; i < Math.min(rows, start + perPartition); i++) data.push([i % 97 === 0 ? null : i % keys, i, `x${i % keys}`]);
    partitions.push(memoryPartition(`${name}${start}`, pairs, [batchFromRows(pairs, data)]));
  }
  catalog.addTable(name, pairs, partitions);
}

function isCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof StrataError && error.code === code;
}

async function scalar(engine: QueryEngine, sql: string): Promise<number> {
  const result = await engine.execute(sql);
  return Number(result.batches[0].columns[0].kind === 'numeric' ? result.batches[0].columns[0].values[0] : NaN);
}

describe('physical: HashJoinExec', function () {
  this.timeout(60_000);
  const catalog = new MemoryCatalog();
  addTable(catalog, 'big', 80_000, 1_000, 20_000);
  addTable(catalog, 'small', 3_000, 500, 1_000);
  addTable(catalog, 'tiny', 20, 10, 20);
  const engine = new QueryEngine(catalog);

  it('streams joins whose output is many batches long', async () => {
    // Each key matches ~80 rows of big on either side: twelve keys make more than 65,536 pairs.
    const count = await scalar(engine, 'SELECT count(*) FROM big AS a JOIN big AS b ON a.k = b.k WHERE a.k < 12');
    let expected = 0;
    const perKey = new Map<number, number>();
    for (let i = 0; i < 80_000; i++) if (i % 97 !== 0 && i % 1000 < 12) perKey.set(i % 1000, (perKey.get(i % 1000) ?? 0) + 1);
    for (const n of perKey.values()) expected += n * n;
    assert.equal(count, expected);
    assert.ok(expected > 65_536);
  });

  it('gives every join type the right row count over a build side of several partitions', async () => {
    const counts = async (sql: string): Promise<number> => scalar(engine, sql);
    const inner = await counts('SELECT count(*) FROM small JOIN big ON small.k = big.k');
    const left = await counts('SELECT count(*) FROM small LEFT JOIN big ON small.k = big.k');
    const unmatched = await counts('SELECT count(*) FROM small WHERE k IS NULL OR k NOT IN (SELECT k FROM big WHERE k IS NOT NULL)');
    assert.equal(left, inner + unmatched);
    const semi = await counts('SELECT count(*) FROM small WHERE EXISTS (SELECT 1 FROM big WHERE big.k = small.k)');
    const anti = await counts('SELECT count(*) FROM small WHERE NOT EXISTS (SELECT 1 FROM big WHERE big.k = small.k)');
    assert.equal(semi + anti, 3_000);
    assert.equal(anti, unmatched);
    const right = await counts('SELECT count(*) FROM big RIGHT JOIN small ON small.k = big.k');
    assert.equal(right, left);
    const full = await counts('SELECT count(*) FROM small FULL JOIN big ON small.k = big.k');
    const bigUnmatched = await counts('SELECT count(*) FROM big WHERE NOT EXISTS (SELECT 1 FROM small WHERE big.k = small.k)');
    assert.equal(full, left + bigUnmatched);
  });

  it('fails a hash table over the memory budget with RESOURCES_MEMORY_EXCEEDED naming HashJoinExec, and keeps serving', async () => {
    const limited = new QueryEngine(catalog, { memoryBytesMax: 512 * 1024 });
    // An outer join keeps its build side (the right input): all of big goes into the table.
    await assert.rejects(limited.execute('SELECT count(*) FROM tiny LEFT JOIN big ON tiny.v = big.v'), (error: unknown) => {
      assert.ok(isCode('RESOURCES_MEMORY_EXCEEDED')(error), String(error));
      const strata = error as StrataError;
      assert.equal(strata.kind, 'resources');
      assert.equal(strata.details.operator, 'HashJoinExec');
      assert.match(strata.message, /HashJoinExec needs more memory than the query may use/);
      return true;
    });
    // The same engine answers the next queries; a small build side fits.
    assert.equal(await scalar(limited, 'SELECT count(*) FROM big LEFT JOIN tiny ON tiny.v = big.v'), 80_000);
    assert.equal(await scalar(limited, 'SELECT count(*) FROM tiny'), 20);
  });

  it('stops when the query is cancelled', async () => {
    const controller = new AbortController();
    const running = engine.execute('SELECT count(*) FROM big AS a JOIN big AS b ON a.k = b.k', { signal: controller.signal });
    controller.abort();
    await assert.rejects(running, isCode('QUERY_CANCELLED'));
  });

  it('turns WHERE equalities into hash keys and builds the smaller side', async () => {
    const plan = await engine.explain('SELECT big.v, tiny.s FROM big, small, tiny WHERE big.k = small.k AND small.v = tiny.v AND tiny.k < 5');
    assert.match(plan, /HashJoin: inner keys=\[k = k\]/);
    assert.match(plan, /HashJoin: inner keys=\[v = v\]/);
    assert.doesNotMatch(plan, /CrossJoin/);
    // big (80,000 rows) is never the build (second) input of a join.
    const lines = plan.split('\n');
    const bigScan = lines.findIndex((line) => /Scan: big /.test(line));
    const parent = lines.slice(0, bigScan).reverse().find((line) => /HashJoin/.test(line)) as string;
    const parentIndent = parent.search(/\S/);
    const siblingsAfter = lines.slice(bigScan + 1).filter((line) => line.search(/\S/) === lines[bigScan].search(/\S/));
    assert.ok(siblingsAfter.length > 0 && parentIndent < lines[bigScan].search(/\S/), `big must be the probe (first) input:\n${plan}`);
    assert.match(plan, /ReorderJoins/);
  });
});
