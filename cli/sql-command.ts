/** `strata sql`: one statement, or the REPL when no statement is given. */
import { Database, StrataClient } from '../service-manager/index.js';
import { parseOutputFormat, RemoteRowsWriter, renderRemoteResult, renderResult, summaryOf, type OutputFormat } from './output.js';
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
      await runRepl(async (sql, currentFormat) => withSummary(await database.sql(sql), currentFormat, renderResult), format);
    } else {
      const result = await database.sql(options.statement);
      process.stdout.write(renderResult(result, format));
      process.stderr.write(summaryOf(result));
    }
  } finally {
    await database.close();
  }
}

async function remoteSql(url: string, token: string | undefined, format: OutputFormat, statement: string | undefined): Promise<void> {
  const client = await StrataClient.connect(url, { token });
  try {
    if (statement === undefined) {
      await runRepl(async (sql, currentFormat) => withSummary(await client.query(sql), currentFormat, renderRemoteResult), format);
    } else if (format === 'table') {
      const result = await client.query(statement);
      process.stdout.write(renderRemoteResult(result, format));
      process.stderr.write(summaryOf(result));
    } else {
      await streamRemote(client, statement, format);
    }
  } finally {
    await client.close();
  }
}

/**
 * CSV and JSON rows go to stdout as they arrive. When stdout cannot keep up (a slow pipe), the
 * client stops reading until it drains, so the node pauses the query instead of this process
 * buffering the result.
 */
async function streamRemote(client: StrataClient, statement: string, format: 'csv' | 'json'): Promise<void> {
  let paused = false;
  const writer = new RemoteRowsWriter(format, (text) => {
    if (process.stdout.write(text) || paused) return;
    paused = true;
    client.pause();
    process.stdout.once('drain', () => { paused = false; client.resume(); });
  });
  const summary = await client.stream(statement, { onColumns: (columns) => writer.columns(columns), onRows: (rows) => writer.rows(rows) });
  writer.finish(summary);
  process.stderr.write(summaryOf({ columns: [], rows: [], summary }));
}

/** At the prompt, a table is followed by the query's summary line (CSV and JSON stay bare for copying). */
function withSummary<R extends Parameters<typeof summaryOf>[0]>(result: R, format: OutputFormat, render: (result: R, format: OutputFormat) => string): string {
  return render(result, format) + (format === 'table' ? summaryOf(result) : '');
}
