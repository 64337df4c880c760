/** `strata sql`: one statement, or the REPL when no statement is given. */
import { Database } from '../service-manager/index.js';
import { parseOutputFormat, renderResult } from './output.js';
import { runRepl } from './repl.js';
import { usageError } from './usage.js';

/** Options of `strata sql`. */
export interface SqlCommandOptions {
  readonly store?: string;
  readonly format?: string;
  readonly statement?: string;
}

/** Runs `strata sql`. */
export async function sqlCommand(options: SqlCommandOptions): Promise<void> {
  if (options.store === undefined) throw usageError('strata sql needs --store DIR');
  const format = parseOutputFormat(options.format);
  const database = await Database.open(options.store);
  try {
    if (options.statement === undefined) {
      await runRepl((sql) => database.sql(sql), format);
    } else {
      const result = await database.sql(options.statement);
      process.stdout.write(renderResult(result, format));
    }
  } finally {
    await database.close();
  }
}
