/**
 * The DuckDB side of differential executor tests: loads the same rows strata evaluates into a
 * DuckDB table and reads query results back as JSON values.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { formatDate, formatDecimal, formatTimestamp, typeToSql, type Schema } from '../../../storage/index.js';
import type { TestValue } from '../support/memory-table.js';

/** A DuckDB connection for one test file. */
export class Duck {
  private constructor(private readonly connection: DuckDBConnection) {}

  /** An in-memory DuckDB with one thread (the machine is shared). */
  static async open(): Promise<Duck> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new Duck(await instance.connect());
  }

  /** Rows of a query as JSON values (decimals, bigints and dates as text). */
  async rows(sql: string): Promise<unknown[][]> {
    const result = await this.connection.runAndReadAll(sql);
    return result.getRowsJson() as unknown[][];
  }

  /** Runs a statement. */
  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Creates table `name` with the schema's columns and inserts the rows (in-memory units as memory-table takes them). */
  async load(name: string, schema: Schema, rows: readonly (readonly TestValue[])[]): Promise<void> {
    const columns = schema.fields.map((f) => `"${f.name}" ${typeToSql(f.type)}`).join(', ');
    await this.run(`CREATE OR REPLACE TABLE ${name} (${columns})`);
    for (let start = 0; start < rows.length; start += 1000) {
      const values = rows.slice(start, start + 1000).map((row) => `(${row.map((v, c) => sqlLiteral(v, schema, c)).join(', ')})`);
      if (values.length > 0) await this.run(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
    }
  }
}

function sqlLiteral(value: TestValue, schema: Schema, c: number): string {
  if (value === null) return 'NULL';
  const type = schema.fields[c].type;
  const text = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  if (typeof value === 'string') return `CAST(${text(value)} AS ${typeToSql(type)})`;
  switch (type.id) {
    case 'date': return `DATE ${text(formatDate(Number(value)))}`;
    case 'timestamp': return `TIMESTAMP ${text(formatTimestamp(Number(value)))}`;
    case 'decimal': return `CAST(${text(formatDecimal(Number(value), type.scale ?? 0))} AS ${typeToSql(type)})`;
    case 'float64': return Number.isFinite(value as number) ? `CAST('${Object.is(value, -0) ? '-0.0' : String(value)}' AS DOUBLE)` : `CAST('${String(value)}' AS DOUBLE)`;
    case 'boolean': return value === true || value === 1 ? 'TRUE' : 'FALSE';
    default: return `CAST(${String(value)} AS ${typeToSql(type)})`;
  }
}
