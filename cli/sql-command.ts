/** `strata sql`: one statement, or the REPL when no statement is given. */
import { Database, StrataClient } from '../service-manager/index.js';
import { parseOutputFormat, renderRemoteResult, renderResult, type OutputFormat } from './output.js';
import { runRepl } from './repl.js';
import { usageError } from './usage.js';

/** Options of `strata sql`. */
export interface SqlCommandOptions {
  readonly store?: string;
  readonly url?: string;
  readonly token?: string;
  readonly format?: string;
  readonly statement?: string;
}

/** Runs `strata sql`. */
export async function sqlCommand(options: SqlCommandOptions): Promise<void> {
  if ((options.store === undefined) === (options.url === undefined)) throw usageError('strata sql needs --store DIR or --url ws://HOST:PORT (one of them)');
  const format = parseOutputFormat(options.format);
  if (options.url !== undefined) return remoteSql(options.url, options.token, format, options.statement);
  const database = await Database.open(options.store!);
  try {
    if (options.statement === undefined) {
      await runRepl(async (sql, currentFormat) => renderResult(await database.sql(sql), currentFormat), format);
    } else {
      const result = await database.sql(options.statement);
      process.stdout.write(renderResult(result, format));
    }
  } finally {
    await database.close();
  }
}

async function remoteSql(url: string, token: string | undefined, format: OutputFormat, statement: string | undefined): Promise<void> {
  const client = await StrataClient.connect(url, { token });
  try {
    if (statement === undefined) {
      await runRepl(async (sql, currentFormat) => renderRemoteResult(await client.query(sql), currentFormat), format);
    } else {
      process.stdout.write(renderRemoteResult(await client.query(statement), format));
    }
  } finally {
    await client.close();
  }
}
