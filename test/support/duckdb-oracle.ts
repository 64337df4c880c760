/**
 * DuckDB as the oracle for SQL results: loads the same files strata loads and answers the same
 * queries; values come back as canonical text for comparison.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A DuckDB database in memory. */
export class DuckDbOracle {
  private constructor(private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  /** Opens an in-memory DuckDB with `threads` worker threads. */
  static async open(threads = 1): Promise<DuckDbOracle> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    return new DuckDbOracle(instance, await instance.connect());
  }

  /** Runs a statement, ignoring its result. */
  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Creates the TPC-H tables from schema.sql and loads `tables` from `<dir>/<scale>/<name>.tbl.zst`. */
  async loadTpch(tpchDirectory: string, scale: string, tables: readonly string[]): Promise<void> {
    const ddl = readFileSync(join(tpchDirectory, 'schema.sql'), 'utf8').split(';').map((s) => s.trim()).filter((s) => s.length > 0);
    for (const statement of ddl) {
      const name = /create\s+table\s+(\w+)/i.exec(statement)?.[1]?.toLowerCase();
      if (name === undefined || !tables.includes(name)) continue;
      await this.connection.run(statement);
      const file = join(tpchDirectory, scale, `${name}.tbl.zst`).replace(/'/g, "''");
      // dbgen ends every line with '|': DuckDB sees one extra, empty column, which we drop.
      await this.connection.run(`INSERT INTO ${name} SELECT * EXCLUDE (extra) FROM read_csv('${file}', delim='|', header=false, ` +
        `compression='zstd', columns=${this.columnsSpec(ddl.find((s) => s === statement) ?? '')})`);
    }
  }

  private columnsSpec(createStatement: string): string {
    const body = createStatement.slice(createStatement.indexOf('(') + 1, createStatement.lastIndexOf(')'));
    const columns = body.split(/,(?![^()]*\))/).map((part) => part.trim()).filter((part) => part.length > 0);
    const entries = columns.map((column) => {
      const match = /^(\w+)\s+(.+?)(\s+not\s+null)?$/i.exec(column);
      if (match === null) throw new Error(`cannot read column definition '${column}'`);
      return `'${match[1]}': '${match[2].trim()}'`;
    });
    entries.push("'extra': 'VARCHAR'");
    return `{${entries.join(', ')}}`;
  }

  /** Column names, DuckDB type names and rows as canonical text (null for NULL). */
  async query(sql: string): Promise<{ columns: string[]; types: string[]; rows: (string | null)[][] }> {
    const reader = await this.connection.runAndReadAll(sql);
    const rows = reader.getRows().map((row) => row.map((value) => (value === null ? null : String(value))));
    return { columns: reader.columnNames(), types: reader.columnTypes().map((type) => type.toString()), rows };
  }

  /** Closes the connection. */
  close(): void {
    this.connection.closeSync();
  }
}
