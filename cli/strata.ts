#!/usr/bin/env node
/** The strata command line: a thin layer over the public API (service-manager/index.ts). */
import { parseArgs } from 'node:util';
import { toStrataError } from '../storage/index.js';
import { backupCommand } from './backup-command.js';
import { demoCommand } from './demo-command.js';
import { formatError } from './errors.js';
import { exportCommand } from './export-command.js';
import { ingestCommand } from './ingest-command.js';
import { keyCommand } from './key-command.js';
import { nodeCommand } from './node-command.js';
import { clusterCommand } from './cluster-command.js';
import { compactCommand } from './compact-command.js';
import { replicateCommand } from './replicate-command.js';
import { scrubCommand } from './scrub-command.js';
import { sqlCommand } from './sql-command.js';
import { statsCommand } from './stats-command.js';
import { tableCommand, vacuumCommand } from './table-command.js';
import { usageError, usageText } from './usage.js';

const version = '0.1.0';

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      store: { type: 'string' },
      format: { type: 'string' },
      table: { type: 'string' },
      delimiter: { type: 'string' },
      header: { type: 'boolean' },
      'no-header': { type: 'boolean' },
      null: { type: 'string', multiple: true },
      'on-error': { type: 'string' },
      rejects: { type: 'string' },
      force: { type: 'boolean' },
      'partition-rows': { type: 'string' },
      threads: { type: 'string' },
      tpch: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      id: { type: 'string' },
      host: { type: 'string' },
      'advertise-host': { type: 'string' },
      port: { type: 'string' },
      config: { type: 'string' },
      'ingest-root': { type: 'string', multiple: true },
      to: { type: 'string' },
      from: { type: 'string' },
      type: { type: 'string' },
      tables: { type: 'string', multiple: true },
      backup: { type: 'string' },
      'as-of': { type: 'string' },
      as: { type: 'string' },
      repair: { type: 'boolean' },
      'no-resume': { type: 'boolean' },
      once: { type: 'boolean' },
      'interval-ms': { type: 'string' },
      'retain-hours': { type: 'string' },
      'dry-run': { type: 'boolean' },
      name: { type: 'string' },
      reason: { type: 'string' },
      column: { type: 'string' },
      equals: { type: 'string', multiple: true },
      'keep-days': { type: 'string' },
      off: { type: 'boolean' },
      since: { type: 'string' },
      'sort-key': { type: 'string' },
      'zstd-level': { type: 'string' },
      out: { type: 'string' },
      columns: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usageText);
    return;
  }
  if (command === 'version' || command === '--version') {
    process.stdout.write(`strata ${version}\n`);
    return;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  switch (command) {
    case 'sql':
      if (positionals.length > 1) throw usageError('strata sql takes one SQL statement; quote it');
      return sqlCommand({ store: values.store, url: values.url, token: values.token, format: values.format, statement: positionals[0] });
    case 'node':
      if (positionals.length > 1) throw usageError('strata node start takes options only');
      return nodeCommand(positionals[0], {
        id: values.id, store: values.store, host: values.host, port: values.port, token: values.token, configFile: values.config,
        advertiseHost: values['advertise-host'],
        ingestRoots: values['ingest-root'],
      });
    case 'ingest':
      return ingestCommand({
        store: values.store, url: values.url, token: values.token, table: values.table, format: values.format, delimiter: values.delimiter,
        header: values.header, noHeader: values['no-header'], nullMarkers: values.null, onError: values['on-error'],
        rejects: values.rejects, force: values.force, partitionRows: values['partition-rows'], threads: values.threads, files: positionals,
      });
    case 'cluster':
      return clusterCommand({ action: positionals[0], id: positionals[1], url: values.url, token: values.token });
    case 'demo':
      return demoCommand({ store: values.store, tpch: values.tpch });
    case 'backup':
      return backupCommand({
        action: positionals[0], store: values.store, to: values.to, from: values.from, type: values.type, tables: values.tables,
        backup: values.backup, asOf: values['as-of'], table: values.table, as: values.as, repair: values.repair,
        noResume: values['no-resume'], format: values.format,
      });
    case 'scrub':
      return scrubCommand({ store: values.store, tables: values.tables ?? (values.table === undefined ? undefined : [values.table]), format: values.format });
    case 'table':
      if (positionals[0] === 'key') return keyCommand({ store: values.store, table: positionals[1] ?? values.table, columns: values.columns, off: values.off });
      return tableCommand({
        action: positionals[0], table: positionals[1] ?? values.table, store: values.store, format: values.format,
        name: values.name, reason: values.reason, column: values.column, equals: values.equals, from: values.from, to: values.to,
        keepDays: values['keep-days'], off: values.off, since: values.since,
      });
    case 'vacuum':
      return vacuumCommand({ store: values.store, table: values.table, retainHours: values['retain-hours'], dryRun: values['dry-run'] });
    case 'compact':
      return compactCommand({ store: values.store, table: values.table ?? positionals[0], sortKey: values['sort-key'], zstdLevel: values['zstd-level'] });
    case 'stats':
      return statsCommand({ store: values.store, table: positionals[0] ?? values.table, format: values.format });
    case 'export':
      return exportCommand({ store: values.store, table: values.table ?? positionals[0], format: values.format, out: values.out });
    case 'replicate':
      return replicateCommand({ store: values.store, to: values.to, once: values.once, intervalMs: values['interval-ms'], tables: values.tables });
    default:
      throw usageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  () => { process.exitCode = process.exitCode ?? 0; },
  (error: unknown) => {
    const strataError = toStrataError(error);
    process.stderr.write(`${formatError(strataError)}\n`);
    if (strataError.code === 'CLI_USAGE') process.stderr.write(`\n${usageText}`);
    process.exitCode = strataError.code === 'CLI_USAGE' ? 2 : 1;
  },
);
