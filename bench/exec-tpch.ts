/**
 * Micro-benchmark of query execution alone: TPC-H Q1 and Q6 (SQL text through the query engine)
 * over lineitem held in memory as the batches a partition reader yields (64 Ki rows, decimals as
 * scaled doubles, dates as day numbers, flags dictionary-encoded), beside DuckDB on the same data
 * in the same run. Storage decoding is not measured here (bench/run.ts measures end to end).
 * Not a test.
 *
 *   node dist/bench/exec-tpch.js [--scale sf0.1|sf1] [--runs 5]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { numericVector, stringVector, Types, type Batch, type ColumnStats, type Schema } from '../storage/index.js';
import { QueryEngine, type QueryCatalog, type ScanPartition, type TableSource } from '../query/index.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tpch = join(repoRoot, '..', 'shared', 'data', 'tpch');
const batchRows = 65_536;

const dec = (p: number, s: number) => Types.decimal(p, s);
const schema: Schema = {
  fields: [
    { name: 'l_quantity', type: dec(15, 2), nullable: false }, { name: 'l_extendedprice', type: dec(15, 2), nullable: false },
    { name: 'l_discount', type: dec(15, 2), nullable: false }, { name: 'l_tax', type: dec(15, 2), nullable: false },
    { name: 'l_returnflag', type: Types.string, nullable: false }, { name: 'l_linestatus', type: Types.string, nullable: false },
    { name: 'l_shipdate', type: Types.date, nullable: false },
  ],
};

/** Reads the lineitem columns out of DuckDB into batches of the in-memory format. */
async function loadBatches(connection: DuckDBConnection): Promise<Batch[]> {
  const result = await connection.runAndReadAll(`SELECT CAST(l_quantity * 100 AS BIGINT), CAST(l_extendedprice * 100 AS BIGINT),
    CAST(l_discount * 100 AS BIGINT), CAST(l_tax * 100 AS BIGINT), l_returnflag, l_linestatus, CAST(l_shipdate - DATE '1970-01-01' AS INTEGER)
    FROM lineitem`);
  const columns = result.getColumnsJS() as unknown[][];
  const n = columns[0].length;
  const batches: Batch[] = [];
  for (let start = 0; start < n; start += batchRows) {
    const end = Math.min(start + batchRows, n);
    const decimal = (c: number) => numericVector(schema.fields[c].type, Float64Array.from(columns[c].slice(start, end) as bigint[], Number));
    const flag = (c: number) => {
      const dictionary: string[] = [];
      const codes = Int32Array.from(columns[c].slice(start, end) as string[], (s) => {
        const at = dictionary.indexOf(s);
        return at >= 0 ? at : dictionary.push(s) - 1;
      });
      return stringVector(Types.string, codes, dictionary);
    };
    const dates = numericVector(Types.date, Int32Array.from(columns[6].slice(start, end) as number[]));
    batches.push({ length: end - start, columns: [decimal(0), decimal(1), decimal(2), decimal(3), flag(4), flag(5), dates] });
  }
  return batches;
}

function columnStats(batch: Batch): ColumnStats[] {
  return batch.columns.map((vector) => {
    let min: number | string | null = null;
    let max: number | string | null = null;
    for (let i = 0; i < batch.length; i++) {
      const value = vector.kind === 'string' ? vector.dictionary[vector.codes[i]] : vector.values[i] as number;
      if (min === null || value < min) min = value;
      if (max === null || value > max) max = value;
    }
    return { min, max, nullCount: 0, bytes: vector.kind === 'string' ? vector.codes.byteLength : vector.values.byteLength };
  });
}

/** One partition per batch, with the statistics pruning reads (as a table loaded in date order would have). */
function memorySource(batches: Batch[]): TableSource {
  const partitions: ScanPartition[] = batches.map((batch, i) => {
    const columns = columnStats(batch);
    return { id: `p${i}`, rows: batch.length, bytes: columns.reduce((sum, c) => sum + c.bytes, 0), columns };
  });
  return {
    name: 'lineitem', schema, version: 1, partitions,
    async *scan(id: string, columns: readonly number[]) {
      const batch = batches[Number(id.slice(1))];
      yield { length: batch.length, columns: columns.map((c) => batch.columns[c]) };
    },
  };
}

/** A catalog holding only the in-memory lineitem. */
function catalogOf(source: TableSource): QueryCatalog {
  const readOnly = async (): Promise<never> => { throw new Error('the benchmark catalog is read-only'); };
  return {
    listTables: async () => ['lineitem'],
    getTable: async (name) => (name.toLowerCase() === 'lineitem' ? source : null),
    createTable: readOnly, dropTable: readOnly, insert: readOnly,
  };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'sf0.1' }, runs: { type: 'string', default: '5' } } });
  const file = join(tpch, values.scale ?? 'sf0.1', 'lineitem.tbl.zst');
  if (!existsSync(file)) throw new Error(`no ${file}`);
  const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await duck.connect();
  process.stderr.write(`loading ${file} into DuckDB…\n`);
  await connection.run(`CREATE TABLE lineitem AS SELECT column04::DECIMAL(15,2) l_quantity, column05::DECIMAL(15,2) l_extendedprice,
    column06::DECIMAL(15,2) l_discount, column07::DECIMAL(15,2) l_tax, column08 l_returnflag, column09 l_linestatus, column10::DATE l_shipdate
    FROM read_csv('${file}', delim='|', header=false, compression='zstd', all_varchar=true)`);
  const source = memorySource(await loadBatches(connection));
  const runs = Number(values.runs ?? 5);
  const engine = new QueryEngine(catalogOf(source));
  for (const name of ['q1', 'q6']) {
    const sql = readFileSync(join(tpch, 'queries', `${name}.sql`), 'utf8');
    const strata: number[] = [];
    const duckdb: number[] = [];
    await engine.execute(sql);
    for (let r = 0; r < runs; r++) {
      let start = performance.now();
      await engine.execute(sql);
      strata.push(performance.now() - start);
      start = performance.now();
      await connection.runAndReadAll(sql);
      duckdb.push(performance.now() - start);
    }
    const s = median(strata);
    const d = median(duckdb);
    process.stdout.write(`${name}: strata executor ${s.toFixed(1)} ms, DuckDB ${d.toFixed(1)} ms, ratio ${(s / d).toFixed(1)}x\n`);
  }
}

await main();
