/** Optimizer rules: EXPLAIN golden plans, partition pruning on min/max, switching rules off. */
import assert from 'node:assert/strict';
import { StrataError, Types, type Schema } from '../../../storage/index.js';
import { QueryEngine, type Expr } from '../../../query/index.js';
import { canMatch } from '../../../query/optimize/prune-partitions.js';
import { columnRef, literal, call } from '../../../query/plan/expr-utils.js';
import type { Scan } from '../../../query/plan/logical-plan.js';
import type { ScanPartition } from '../../../query/catalog.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { batchFromRows, memoryPartition, type TestValue } from '../support/memory-table.js';
import { formatValue } from '../slt/runner.js';

const schema: Schema = {
  fields: [
    { name: 'id', type: Types.int32, nullable: false },
    { name: 'day', type: Types.date, nullable: true },
    { name: 'tag', type: Types.string, nullable: true },
    { name: 'amount', type: Types.decimal(10, 2), nullable: true },
  ],
};

/** Four partitions of three rows: ids 1-3, 4-6, 7-9, 10-12; days follow ids in January 2024; the last partition has no days. */
function partitions(): ReturnType<typeof memoryPartition>[] {
  const result = [];
  for (let p = 0; p < 4; p++) {
    const rows: TestValue[][] = [];
    for (let r = 1; r <= 3; r++) {
      const id = p * 3 + r;
      rows.push([id, p === 3 ? null : `2024-01-${String(id).padStart(2, '0')}`, ['red', 'green', 'blue'][r - 1], p === 1 ? null : `${id}.50`]);
    }
    result.push(memoryPartition(`p${p}`, schema, [batchFromRows(schema, rows)]));
  }
  return result;
}

function engineWith(disabledRules: string[] = []): QueryEngine {
  const catalog = new MemoryCatalog();
  catalog.addTable('events', schema, partitions());
  return new QueryEngine(catalog, { disabledRules });
}

async function rows(engine: QueryEngine, sql: string): Promise<string[]> {
  const result = await engine.execute(sql);
  const out: string[] = [];
  for (const batch of result.batches) {
    for (let i = 0; i < batch.length; i++) out.push(batch.columns.map((v) => formatValue(v, i)).join(' '));
  }
  return out;
}

describe('optimizer', () => {
  it('EXPLAIN shows the optimized plan (golden)', async () => {
    const engine = engineWith();
    assert.equal(await engine.explain("SELECT tag, count(*) AS n, sum(amount) FROM events WHERE day >= DATE '2024-01-01' + INTERVAL '5' DAY AND amount IS NOT NULL GROUP BY tag ORDER BY n DESC, tag LIMIT 2"), [
      'TopN: n DESC, tag ASC limit=2 offset=0',
      '  Project: tag, count_star() AS n, sum(amount)',
      '    Aggregate: groupBy=[tag] aggregates=[count(*), sum(amount)]',
      "      Scan: events projection=[day, tag, amount] filters=[day >= DATE '2024-01-06', amount IS NOT NULL] partitions=1/4 (3 pruned)",
      'Optimizer rules applied: FoldConstants, PushDownFilter, PushDownProjection, PrunePartitions, FuseTopN',
    ].join('\n'));
    assert.equal(await engine.explain('EXPLAIN SELECT id FROM events WHERE NOT (id > 2 AND true) ORDER BY id'), [
      'Sort: id ASC',
      '  Project: id',
      '    Scan: events projection=[id] filters=[NOT (id > 2)] partitions=4/4 (0 pruned)',
      'Optimizer rules applied: SimplifyBooleans, PushDownFilter, PushDownProjection',
    ].join('\n'));
  });

  it('pushes filters through projections and below aggregates on group keys', async () => {
    const engine = engineWith();
    assert.equal(await engine.explain('SELECT tag, max(id) FROM events GROUP BY tag HAVING tag = \'red\' AND max(id) > 3'), [
      'Project: tag, max(id)',
      '  Filter: max(id) > 3',
      '    Aggregate: groupBy=[tag] aggregates=[max(id)]',
      "      Scan: events projection=[id, tag] filters=[tag = 'red'] partitions=4/4 (0 pruned)",
      'Optimizer rules applied: PushDownFilter, PushDownProjection',
    ].join('\n'));
    assert.deepEqual(await rows(engine, "SELECT tag, max(id) FROM events GROUP BY tag HAVING tag = 'red' AND max(id) > 3"), ['red 10']);
  });

  it('prunes partitions only when no row can match', async () => {
    const engine = engineWith();
    const cases: [string, number, string[]][] = [
      ['id = 5', 1, ['5']],
      ['id < 4', 1, ['1', '2', '3']],
      ['id >= 12 OR id <= 1', 2, ['1', '12']],
      ['id BETWEEN 3 AND 4', 2, ['3', '4']],
      ['id IN (2, 11)', 2, ['2', '11']],
      ["day > DATE '2024-01-08'", 1, ['9']],
      ['day IS NULL', 1, ['10', '11', '12']],
      ['day IS NOT NULL', 3, ['1', '2', '3', '4', '5', '6', '7', '8', '9']],
      ['amount IS NULL', 1, ['4', '5', '6']],
      ['amount > 9.5', 1, ['10', '11', '12']],
      ["tag = 'red' AND id > 9", 1, ['10']],
      ["tag < 'a'", 0, []],
      ['id <> 1', 4, ['2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']],
      ['id + 0 = 5', 4, ['5']],
    ];
    for (const [where, scanned, expected] of cases) {
      const sql = `SELECT id FROM events WHERE ${where} ORDER BY id`;
      const result = await engine.execute(sql);
      assert.equal(result.stats.partitionsTotal, 4, where);
      assert.equal(result.stats.partitionsPruned, 4 - scanned, where);
      assert.equal(result.stats.partitionsScanned, scanned, where);
      assert.deepEqual(await rows(engine, sql), expected, where);
    }
  });

  it('keeps partitions when statistics cannot decide', () => {
    const stats = (min: number | null, max: number | null, nullCount: number): ScanPartition => ({
      id: 'p', rows: 3, bytes: 0, columns: [{ min, max, nullCount, bytes: 0 }],
    });
    const column = columnRef(0, 'x', Types.decimal(10, 2));
    const scan = { projection: [0] } as unknown as Scan;
    const compare = (fn: 'eq' | 'lt', value: Expr): Expr => call(fn, [column, value], Types.boolean);
    // Same scale compares directly; a different scale is not the same unit: keep.
    assert.equal(canMatch(compare('eq', literal(500, Types.decimal(10, 2))), { scan, partition: stats(100, 200, 0) }), false);
    assert.equal(canMatch(compare('eq', literal(500, Types.decimal(10, 3))), { scan, partition: stats(100, 200, 0) }), true);
    // All NULL: no comparison can be true; NULL literal: never true.
    assert.equal(canMatch(compare('lt', literal(500, Types.decimal(10, 2))), { scan, partition: stats(null, null, 3) }), false);
    assert.equal(canMatch(compare('eq', literal(null, Types.decimal(10, 2))), { scan, partition: stats(100, 200, 0) }), false);
    // Statistics that cannot order (NaN max, or min/max lost while some rows are not NULL): keep.
    assert.equal(canMatch(compare('lt', literal(500, Types.decimal(10, 2))), { scan, partition: stats(900, Number.NaN, 0) }), true);
    assert.equal(canMatch(compare('lt', literal(500, Types.decimal(10, 2))), { scan, partition: stats(null, null, 1) }), true);
    // NOT and expressions over the column are not understood: keep.
    assert.equal(canMatch(call('not', [compare('lt', literal(500, Types.decimal(10, 2)))], Types.boolean), { scan, partition: stats(100, 200, 0) }), true);
  });

  it('switches rules off by name, with the same results', async () => {
    const queries = [
      "SELECT tag, count(*), sum(amount) FROM events WHERE id > 2 AND day < '2024-01-08' GROUP BY tag ORDER BY tag",
      'SELECT DISTINCT tag FROM events WHERE amount IS NULL OR id = 12 ORDER BY tag',
      'SELECT id, amount * 2 FROM events WHERE 1 + 1 = 2 ORDER BY amount DESC, id LIMIT 3 OFFSET 1',
    ];
    const optimized = engineWith();
    const plain = engineWith(['FoldConstants', 'SimplifyBooleans', 'PushDownFilter', 'PushDownProjection', 'PrunePartitions', 'FuseTopN']);
    for (const sql of queries) assert.deepEqual(await rows(plain, sql), await rows(optimized, sql), sql);
    const noPruning = engineWith(['PrunePartitions']);
    assert.match(await noPruning.explain('SELECT id FROM events WHERE id = 5'), /filters=\[id = 5\] partitions=4\/4 \(0 pruned\)/);
    assert.equal((await noPruning.execute('SELECT id FROM events WHERE id = 5')).stats.partitionsScanned, 4);
    assert.match(await engineWith(['PushDownFilter']).explain('SELECT id FROM events WHERE id = 5'), /Filter: id = 5\n\s+Scan: events projection=\[id\] partitions=4\/4/);
    assert.match(await plain.explain('SELECT id FROM events ORDER BY id LIMIT 1'), /Optimizer rules applied: none/);
  });

  it('rejects unknown rule names', () => {
    assert.throws(() => engineWith(['PushDownFilters']), (error: unknown) => error instanceof StrataError && error.code === 'UNKNOWN_OPTIMIZER_RULE' && /PushDownFilter,/.test(error.message));
  });

  it('leaves constant expressions that fail for the rows that evaluate them', async () => {
    const engine = engineWith();
    assert.deepEqual(await rows(engine, "SELECT CASE WHEN id > 100 THEN CAST('x' AS INTEGER) ELSE id END FROM events WHERE id = 1"), ['1']);
    await assert.rejects(engine.execute("SELECT CAST('x' AS INTEGER) FROM events WHERE id = 1"), (error: unknown) => error instanceof StrataError && error.code === 'INVALID_CAST');
  });
});
