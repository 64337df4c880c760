/** `strata scrub --store S [--tables T,…]`: verifies every partition file; exits non-zero naming each damaged one. */
import { openStore, scrubStore, StrataError } from '../storage/index.js';
import { formatBytes, tableList } from './backup-command.js';
import { usageError } from './usage.js';

/** Options of `strata scrub`. */
export interface ScrubCommandOptions {
  readonly store?: string;
  /** Tables to scrub: repeated and/or comma-separated (default: every table). */
  readonly tables?: readonly string[];
  /** table (default) or json. */
  readonly format?: string;
}

/** Runs `strata scrub`: prints one line per damaged file and a summary; throws SCRUB_CORRUPTION_FOUND when any is damaged. */
export async function scrubCommand(options: ScrubCommandOptions): Promise<void> {
  if (options.store === undefined) throw usageError('strata scrub needs --store S');
  const store = await openStore(options.store);
  try {
    const report = await scrubStore(store, { tables: tableList(options.tables) });
    if (options.format === 'json') process.stdout.write(`${JSON.stringify({ ...report, problems: report.problems.map(({ partition: _, ...rest }) => rest) })}\n`);
    else {
      for (const problem of report.problems) process.stdout.write(`CORRUPT ${problem.path} [${problem.code}]: ${problem.message}\n`);
      process.stdout.write(`scrubbed ${report.tables.length} table(s), ${report.partitionsChecked} partition file(s), ${formatBytes(report.bytesChecked)}: ` +
        `${report.problems.length === 0 ? 'all intact' : `${report.problems.length} damaged`}\n`);
    }
    if (report.problems.length > 0) {
      throw new StrataError('corruption', 'SCRUB_CORRUPTION_FOUND',
        `${report.problems.length} damaged file(s) in ${store.url}: ${report.problems.map((problem) => problem.path).join(', ')}; ` +
        `repair them from a backup with strata backup restore --repair --from DEST --store ${options.store}`,
        { paths: report.problems.map((problem) => problem.path) });
    }
  } finally {
    await store.close();
  }
}
