/** The CLI's help text and its usage error. */
import { StrataError } from '../storage/index.js';

/** Full help, printed by `strata help` and on a usage error. */
export const usageText = `strata — columnar, compressed archive SQL database

Usage:
  strata sql --store DIR [--format table|csv|json] ["SQL"]   run one statement (no SQL: interactive REPL)
  strata ingest --store DIR --table NAME [options] FILE...    load CSV / NDJSON files (.gz, .zst) in one commit
      --format csv|ndjson      input format (default from the file name: .ndjson/.jsonl → ndjson, else csv)
      --delimiter C            CSV field delimiter (default ',' ; '|' for .tbl files)
      --header | --no-header   first line is / is not a header (default: header for .csv, none for .tbl)
      --null MARKER            text that means NULL (repeatable; default: empty unquoted field)
      --on-error abort|reject  abort the whole load (default) or write bad lines to a rejects file
      --rejects FILE           where rejected lines go (default: FILE.rejects)
      --force                  load again even if the same file content was loaded before
      --partition-rows N       rows per partition (default 1,048,576)
  strata sql --url ws://HOST:PORT [--token T] [--format …] ["SQL"]  the same against a running node
  strata node start --store DIR [--id ID] [--port N] [--host ADDR] [--token T] [--config FILE]
                                                              run a service manager (binds 127.0.0.1 by default;
                                                              another address requires --token)
  strata cluster list | remove ID | activate ID --url http://HOST:PORT [--token T]
                                                              membership: a removed node drains and goes dormant
  strata demo [--store DIR]                                   create a store with sample data and open the REPL
  strata help | version

--store takes a directory (created if needed), file:///path, or hdfs://namenode:port/path.
`;

/** Thrown for a malformed command line; the CLI prints it with the usage and exits 2. */
export function usageError(message: string): StrataError {
  return new StrataError('input', 'CLI_USAGE', `${message}; run 'strata help' for usage`);
}
