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
      --threads N              worker threads of a local load of 16 MiB or more (default: the CPUs, at most 4)
  strata sql --url ws://HOST:PORT [--token T] [--format …] ["SQL"]  the same against a running node
  strata ingest --url ws://HOST:PORT [--token T] --table NAME [options] FILE...
                                                              load through a cluster: files are split over the
                                                              live nodes, one commit (paths must be readable by
                                                              every node, e.g. on shared storage)
  strata node start --store DIR [--id ID] [--port N] [--host ADDR] [--token T] [--config FILE] [--ingest-root DIR]...
                                                              run a service manager (binds 127.0.0.1 by default;
                                                              another address requires --token; ingest by path
                                                              reads only under --ingest-root directories)
      --advertise-host NAME    the host peers reach this node by and HDFS block locations are matched against
                               (default: the bind address; the machine's host name when binding 0.0.0.0)
  strata cluster list | remove ID | activate ID --url http://HOST:PORT [--token T]
                                                              membership: a removed node drains and goes dormant
  strata backup create --store SRC --to DEST [--type full|incremental|differential] [--tables T1,T2] [--no-resume]
  strata backup list --from DEST [--format json]              backups in DEST: id, type, status, parent, tables@versions
  strata backup verify --from DEST [--backup ID]              every checksum and chain link; exits 1 naming each problem
  strata backup restore --from DEST --store TARGET [--backup ID] [--as-of VERSION|TIME] [--table T [--as NEW]]
  strata backup restore --repair --from DEST --store S [--table T]   replace corrupt partitions from the backups
  strata scrub --store S [--tables T1,T2]                     verify every partition; exits 1 naming each corrupt file
  strata table history --store S TABLE [--format json]        versions: time, operation, rows
  strata table hold --store S TABLE --name N --reason TEXT [--column C [--from A] [--to B]]   legal hold (blocks purge, expiry)
  strata table release|holds --store S TABLE [--name N]       release a hold / list holds and the retention policy
  strata table retention --store S TABLE --column C --keep-days N | --off    retention by a DATE/TIMESTAMP column
  strata table key --store S TABLE --columns C1,C2 | --off   record key: loads drop records whose key the table holds
  strata table expire --store S [TABLE]                       delete rows older than the retention period
  strata table purge --store S TABLE --column C (--equals V... | [--from A] [--to B])   delete rows (copy-on-write)
  strata table audit --store S [--table T] [--since TIME]     the store's audit log of administrative actions
  strata vacuum --store S [--table T] [--retain-hours N] [--dry-run]  delete files no version in the window needs (default 168 h)
  strata compact --store S --table T [--sort-key C1,C2] [--zstd-level N]   merge small partitions, re-sort, re-encode
                                                              fresh ones at the archive level (default zstd 19)
  strata stats --store S TABLE [--format json]                per column: encodings, raw and stored bytes, ratio;
                                                              per table: partitions (fresh / archive), rows, bytes
  strata export --store S --table T --format arrow|csv --out FILE   the table's rows as one plain Arrow IPC file or CSV
                                                              (parquet: not supported yet)
  strata replicate --store SRC --to DEST [--once] [--interval-ms N] [--tables T1,T2]  ship new commits continuously, report lag
  strata demo [--store DIR]                                   create a store with sample data and open the REPL
  strata help | version

--store takes a directory (created if needed), file:///path, or hdfs://namenode:port/path.
`;

/** Thrown for a malformed command line; the CLI prints it with the usage and exits 2. */
export function usageError(message: string): StrataError {
  return new StrataError('input', 'CLI_USAGE', `${message}; run 'strata help' for usage`);
}
