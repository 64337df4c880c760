/**
 * Differential test: the same generated table in strata (eight partitions of 50 rows) and in
 * DuckDB (the oracle), the same queries, the same answers. Values are compared as text; DOUBLE
 * values within a relative 1e-9.
 */
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Types, type Schema } from '../../storage/index.js';
import { QueryEngine } from '../../query/index.js';
import { MemoryCatalog } from './support/memory-catalog.js';
import { batchFromRows, type TestValue } from './support/memory-table.js';
import { formatValue } from './slt/runner.js';

const rowCount = 400;
const partitionRows = 50;

const schema: Schema = {
  fields: [
    { name: 'id', type: Types.int32, nullable: false },
    { name: 'grp', type: Types.string, nullable: false },
    { name: 'k', type: Types.int16, nullable: true },
    { name: 'amount', type: Types.decimal(12, 2), nullable: true },
    { name: 'ratio', type: Types.float64, nullable: true },
    { name: 'note', type: Types.string, nullable: true },
    { name: 'day', type: Types.date, nullable: true },
    { name: 'ts', type: Types.timestamp, nullable: true },
    { name: 'flag', type: Types.boolean, nullable: true },
    { name: 'big', type: Types.int64, nullable: true },
  ],
};

const createSql = 'CREATE TABLE d (id INTEGER NOT NULL, grp VARCHAR NOT NULL, k SMALLINT, amount DECIMAL(12,2), ratio DOUBLE, note VARCHAR, day DATE, ts TIMESTAMP, flag BOOLEAN, big BIGINT)';

/** Deterministic pseudo-random rows (a linear congruential generator; no Math.random in tests). */
function generateRows(): TestValue[][] {
  let seed = 20240601;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const maybe = <T>(value: T, nullChance = 0.1): T | null => (next() < nullChance ? null : value);
  const notes = ['alpha', 'Beta gamma', 'delta_1', '', 'épsilon', 'zeta%eta', 'Theta', 'iota  kappa'];
  const rows: TestValue[][] = [];
  for (let id = 1; id <= rowCount; id++) {
    const day = 19_000 + Math.floor(next() * 900);
    const cents = Math.floor(next() * 2_000_000) - 500_000;
    rows.push([
      id,
      pick(['north', 'south', 'east', 'west', 'center']),
      maybe(Math.floor(next() * 20) - 5),
      maybe(`${(cents / 100).toFixed(2)}`),
      maybe(Math.round((next() * 200 - 50) * 1000) / 1000),
      maybe(pick(notes), 0.15),
      maybe(day),
      maybe(day * 86_400_000_000 + Math.floor(next() * 86_400) * 1_000_000),
      maybe(next() < 0.5),
      maybe(Math.floor(next() * 1e12) - 5e11),
    ]);
  }
  return rows;
}

function sqlLiteral(value: TestValue, type: Schema['fields'][number]['type']): string {
  if (value === null) return 'NULL';
  if (type.id === 'string') return `'${String(value).split("'").join("''")}'`;
  if (type.id === 'date') return `DATE '${new Date(Number(value) * 86_400_000).toISOString().slice(0, 10)}'`;
  if (type.id === 'timestamp') return `TIMESTAMP '${new Date(Number(value) / 1000).toISOString().replace('T', ' ').slice(0, 19)}'`;
  return String(value);
}

const queries = [
  'SELECT grp, count(*), count(k), sum(amount), min(day), max(ts), sum(big) FROM d GROUP BY grp ORDER BY grp',
  'SELECT id, amount * 2 - 1, ratio / 3, amount / 7, k * id, big - id FROM d WHERE id % 7 = 3 ORDER BY id',
  "SELECT id FROM d WHERE (k BETWEEN 0 AND 5 OR grp IN ('east', 'west')) AND NOT flag AND amount > -100.5 ORDER BY id",
  "SELECT id, note FROM d WHERE note LIKE '%a%' AND note NOT ILIKE 'b%' AND day >= DATE '2022-06-01' ORDER BY id",
  'SELECT k, avg(amount), count(DISTINCT grp), min(note), max(note) FROM d GROUP BY k HAVING count(*) > 3 ORDER BY k NULLS FIRST',
  'SELECT upper(note), lower(note), length(note), substring(note, 2, 3), note || \'!\', replace(note, \'a\', \'A\'), strpos(note, \'a\'), concat(grp, \'-\', note) FROM d WHERE id < 40 ORDER BY id',
  "SELECT extract(year FROM day), extract(month FROM day), extract(dow FROM ts), extract(doy FROM day), date_trunc('month', ts), day - DATE '2022-01-01', CAST(day + INTERVAL '3' DAY AS DATE) FROM d WHERE id > 360 ORDER BY id",
  "SELECT CASE WHEN amount > 5000 THEN 'high' WHEN amount < 0 THEN 'negative' ELSE 'mid' END AS band, count(*), coalesce(sum(k), 0) FROM d GROUP BY band ORDER BY band",
  'SELECT id, k, ratio FROM d ORDER BY k DESC NULLS FIRST, ratio, id LIMIT 15 OFFSET 5',
  'SELECT DISTINCT grp, flag FROM d ORDER BY grp, flag',
  'SELECT sum(DISTINCT k), count(DISTINCT note), min(grp), max(grp), count(*) FILTER (WHERE flag) FROM d',
  'SELECT id, round(amount, 1), floor(amount), ceil(amount), abs(ratio), round(ratio, 2), sign(k) FROM d WHERE id BETWEEN 100 AND 130 ORDER BY id',
  'SELECT grp, sum(amount * amount), avg(ratio), sum(ratio) FROM d WHERE ratio IS NOT NULL AND amount IS NOT NULL GROUP BY grp ORDER BY 1',
  'SELECT count(*), sum(amount), avg(k) FROM d WHERE id > 10000',
  'SELECT id, greatest(k, 3), least(amount, 10), nullif(k, 0), coalesce(note, grp) FROM d WHERE id <= 25 ORDER BY id DESC',
  "SELECT id FROM d WHERE ts < TIMESTAMP '2022-03-01 12:00:00' AND ts >= '2022-02-01' ORDER BY id",
  'SELECT day, count(*) FROM d GROUP BY day HAVING count(*) > 1 ORDER BY count(*) DESC, day LIMIT 10',
  'SELECT grp, id FROM d ORDER BY grp DESC, amount DESC NULLS LAST, id LIMIT 12',
  'SELECT k % 3, count(*) FROM d WHERE k IS NOT NULL GROUP BY 1 ORDER BY 1',
  'SELECT CAST(amount AS INTEGER), CAST(k AS VARCHAR), CAST(ratio AS DECIMAL(10,1)), CAST(id AS DOUBLE) / 8 FROM d WHERE id < 20 ORDER BY id',
];

async function duckRows(connection: DuckDBConnection, sql: string): Promise<string[][]> {
  const result = await connection.runAndReadAll(sql);
  return result.getRowsJson().map((row) => row.map((value) => {
    if (value === null) return 'NULL';
    if (typeof value === 'number') return String(value);
    const text = String(value);
    return text === '' ? '(empty)' : text;
  }));
}

function sameValue(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  const a = Number(actual);
  const b = Number(expected);
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

describe('engine against DuckDB', function () {
  this.timeout(60_000);
  let engine: QueryEngine;
  let duck: DuckDBConnection;

  before(async () => {
    const rows = generateRows();
    const catalog = new MemoryCatalog({ partitionRowsMax: partitionRows });
    engine = new QueryEngine(catalog);
    await engine.execute(createSql);
    await catalog.insert('d', [batchFromRows(schema, rows)]);
    const instance = await DuckDBInstance.create(':memory:');
    duck = await instance.connect();
    await duck.run(createSql);
    const values = rows.map((row) => `(${row.map((v, c) => sqlLiteral(v, schema.fields[c].type)).join(', ')})`);
    await duck.run(`INSERT INTO d VALUES ${values.join(', ')}`);
  });

  for (const sql of queries) {
    it(sql, async () => {
      const expected = await duckRows(duck, sql);
      const result = await engine.execute(sql);
      const actual: string[][] = [];
      for (const batch of result.batches) {
        for (let i = 0; i < batch.length; i++) {
          actual.push(batch.columns.map((v) => (v.kind === 'numeric' && v.type.id === 'float64' && !(v.nulls?.[i] === 1) ? String(v.values[i]) : formatValue(v, i))));
        }
      }
      assert.equal(actual.length, expected.length, `row count\nstrata: ${JSON.stringify(actual.slice(0, 5))}\nduckdb: ${JSON.stringify(expected.slice(0, 5))}`);
      actual.forEach((row, r) => {
        const same = row.length === expected[r].length && row.every((value, c) => sameValue(value, expected[r][c]));
        assert.ok(same, `row ${r + 1}\nstrata: ${JSON.stringify(row)}\nduckdb: ${JSON.stringify(expected[r])}`);
      });
    });
  }
});
