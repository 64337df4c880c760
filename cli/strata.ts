#!/usr/bin/env node
/** The strata command line: a thin layer over the public API (service-manager/index.ts). */
import { parseArgs } from 'node:util';
import { toStrataError } from '../storage/index.js';
import { demoCommand } from './demo-command.js';
import { formatError } from './errors.js';
import { ingestCommand } from './ingest-command.js';
import { nodeCommand } from './node-command.js';
import { clusterCommand } from './cluster-command.js';
import { sqlCommand } from './sql-command.js';
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
      tpch: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      id: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      config: { type: 'string' },
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
      });
    case 'ingest':
      return ingestCommand({
        store: values.store, table: values.table, format: values.format, delimiter: values.delimiter,
        header: values.header, noHeader: values['no-header'], nullMarkers: values.null, onError: values['on-error'],
        rejects: values.rejects, force: values.force, partitionRows: values['partition-rows'], files: positionals,
      });
    case 'cluster':
      return clusterCommand({ action: positionals[0], id: positionals[1], url: values.url, token: values.token });
    case 'demo':
      return demoCommand({ store: values.store, tpch: values.tpch });
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
