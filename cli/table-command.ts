/**
 * `strata table history --store S TABLE` (every version: time, operation, rows) and
 * `strata vacuum --store S [--table T] [--retain-hours N] [--dry-run]` (delete files no retained
 * version needs, after a safety window of 7 days by default, as Delta Lake does).
 */
import { openStore, StoreCatalog, Table, type CommitEntry, type Store } from '../storage/index.js';
import { formatBytes, renderColumns } from './backup-command.js';
import { usageError } from './usage.js';

/** Safety window of vacuum unless --retain-hours says otherwise: 7 days, Delta Lake's default. */
export const vacuumRetainHoursDefault = 168;

/** Options of `strata table`. */
export interface TableCommandOptions {
  /** history (the first positional). */
  readonly action?: string;
  /** The table (the second positional, or --table). */
  readonly table?: string;
  readonly store?: string;
  /** table (default) or json. */
  readonly format?: string;
}

/** One line of `strata table history`. */
export interface HistoryRow {
  readonly version: number;
  readonly committedAtMs: number;
  readonly operation: string;
  /** Rows the commit added minus rows it removed. */
  readonly rowsChanged: number;
  /** Rows in the table at this version. */
  readonly rows: number;
  readonly partitionsAdded: number;
  readonly partitionsRemoved: number;
  /** False when vacuum deleted files this version needs. */
  readonly readable: boolean;
}

/** Runs `strata table ACTION`. */
export async function tableCommand(options: TableCommandOptions): Promise<void> {
  if (options.action !== 'history') throw usageError(`strata table takes history${options.action === undefined ? '' : `, not '${options.action}'`}`);
  if (options.store === undefined) throw usageError('strata table history needs --store S');
  if (options.table === undefined) throw usageError('strata table history needs a TABLE');
  const store = await openStore(options.store);
  try {
    const table = await Table.open(store, options.table);
    const rows = historyRows(await table.history(), await table.oldestReadableVersion());
    if (options.format === 'json') {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return;
    }
    process.stdout.write(renderColumns(['version', 'committed', 'operation', 'rows', 'change', 'partitions', 'readable'], rows.map((row) => [
      String(row.version), new Date(row.committedAtMs).toISOString(), row.operation, row.rows.toLocaleString('en-US'),
      `${row.rowsChanged >= 0 ? '+' : ''}${row.rowsChanged.toLocaleString('en-US')}`, `+${row.partitionsAdded} -${row.partitionsRemoved}`,
      row.readable ? 'yes' : 'vacuumed',
    ])));
  } finally {
    await store.close();
  }
}

/** The history lines of a log, replaying partition row counts to give each version's total. */
export function historyRows(entries: readonly CommitEntry[], readableFromVersion: number): HistoryRow[] {
  const rowsById = new Map<string, number>();
  let total = 0;
  return entries.map((entry) => {
    let change = 0;
    for (const id of entry.remove) change -= rowsById.get(id) ?? 0;
    for (const meta of entry.add) {
      rowsById.set(meta.id, meta.rows);
      change += meta.rows;
    }
    total += change;
    return {
      version: entry.version, committedAtMs: entry.committedAtMs, operation: String(entry.info.operation ?? '-'), rowsChanged: change, rows: total,
      partitionsAdded: entry.add.length, partitionsRemoved: entry.remove.length, readable: entry.version >= readableFromVersion,
    };
  });
}

/** Options of `strata vacuum`. */
export interface VacuumCommandOptions {
  readonly store?: string;
  /** Only this table (default: every table). */
  readonly table?: string;
  /** Safety window in hours (default 168): files removed more recently are kept for time travel and in-flight loads. */
  readonly retainHours?: string;
  /** List what would be deleted without deleting it. */
  readonly dryRun?: boolean;
}

/** Runs `strata vacuum`: one line per table with the files and bytes removed and the oldest readable version. */
export async function vacuumCommand(options: VacuumCommandOptions): Promise<void> {
  if (options.store === undefined) throw usageError('strata vacuum needs --store S');
  const hours = options.retainHours === undefined ? vacuumRetainHoursDefault : Number(options.retainHours);
  if (!Number.isFinite(hours) || hours < 0 || options.retainHours?.trim() === '') {
    throw usageError(`--retain-hours takes a number of hours >= 0, not '${options.retainHours}'`);
  }
  const store = await openStore(options.store);
  try {
    const names = options.table === undefined ? await new StoreCatalog(store).listTables() : [options.table];
    for (const name of names) await vacuumTable(store, name, hours, options.dryRun === true);
  } finally {
    await store.close();
  }
}

async function vacuumTable(store: Store, name: string, hours: number, dryRun: boolean): Promise<void> {
  const table = await Table.open(store, name);
  const result = await table.vacuum({ retainMs: hours * 3_600_000, dryRun });
  const verb = dryRun ? 'would remove' : 'removed';
  process.stdout.write(`${table.name}: ${verb} ${result.removed.length} file(s), ${formatBytes(result.bytes)}; ` +
    `versions ${result.readableFromVersion} and later are readable (retaining ${hours} h)\n`);
  if (dryRun) for (const path of result.removed) process.stdout.write(`  ${table.directory}/${path}\n`);
}
