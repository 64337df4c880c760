/**
 * `strata table history|hold|release|holds|retention|expire|purge|audit --store S TABLE …` (a
 * table's versions, legal holds, retention, record-level purge, the store's audit log) and
 * `strata vacuum --store S [--table T] [--retain-hours N] [--dry-run]` (delete files no retained
 * version needs, after a safety window of 7 days by default, as Delta Lake does). docs/backup.md.
 */
import {
  applyRetention, holdsOf, openStore, parseDate, parseDecimal, parseTimestamp, placeHold, purgeRows, readAuditLog, releaseHold,
  retentionOf, setRetention, StoreCatalog, Table, type CommitEntry, type DataType, type DeleteResult, type PredicateValue, type Store,
} from '../storage/index.js';
import { formatBytes, renderColumns } from './backup-command.js';
import { usageError } from './usage.js';

/** Safety window of vacuum unless --retain-hours says otherwise: 7 days, Delta Lake's default. */
export const vacuumRetainHoursDefault = 168;

/** Options of `strata table`. */
export interface TableCommandOptions {
  /** history, hold, release, holds, retention, expire, purge or audit (the first positional). */
  readonly action?: string;
  /** The table (the second positional, or --table). */
  readonly table?: string;
  readonly store?: string;
  /** table (default) or json. */
  readonly format?: string;
  /** hold, release: the hold's name. */
  readonly name?: string;
  /** hold: why (a case number, a ticket). */
  readonly reason?: string;
  /** hold, retention, purge: the column of the condition. */
  readonly column?: string;
  /** purge: values to delete (repeatable), as text in the column's SQL form. */
  readonly equals?: readonly string[];
  /** hold, purge: range start (inclusive) as text in the column's SQL form. */
  readonly from?: string;
  /** hold, purge: range end (exclusive). */
  readonly to?: string;
  /** retention: keep this many days. */
  readonly keepDays?: string;
  /** retention: remove the policy. */
  readonly off?: boolean;
  /** audit: only actions at or after this ISO 8601 time. */
  readonly since?: string;
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
  const actions: Record<string, (store: Store, options: TableCommandOptions) => Promise<void>> = {
    history, hold, release, holds, retention, expire, purge, audit,
  };
  const action = options.action === undefined ? undefined : actions[options.action];
  if (action === undefined || !Object.hasOwn(actions, options.action!)) {
    throw usageError(`strata table takes ${Object.keys(actions).join(', ')}${options.action === undefined ? '' : `, not '${options.action}'`}`);
  }
  if (options.store === undefined) throw usageError(`strata table ${options.action} needs --store S`);
  const store = await openStore(options.store);
  try {
    await action(store, options);
  } finally {
    await store.close();
  }
}

function tableName(options: TableCommandOptions): string {
  if (options.table === undefined) throw usageError(`strata table ${options.action} needs a TABLE`);
  return options.table;
}

async function history(store: Store, options: TableCommandOptions): Promise<void> {
  const table = await Table.open(store, tableName(options));
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
}

async function hold(store: Store, options: TableCommandOptions): Promise<void> {
  const table = await Table.open(store, tableName(options));
  if (options.name === undefined || options.reason === undefined) throw usageError('strata table hold needs --name N and --reason TEXT');
  if (options.column === undefined && (options.from !== undefined || options.to !== undefined)) throw usageError('--from/--to of a hold need --column C');
  const type = options.column === undefined ? undefined : columnType(table, options.column);
  const version = await placeHold(table, {
    name: options.name, reason: options.reason, column: options.column,
    from: options.from === undefined ? undefined : parseValue(options.from, type!, '--from'),
    to: options.to === undefined ? undefined : parseValue(options.to, type!, '--to'),
  });
  process.stdout.write(`${table.name}: legal hold ${options.name} placed (version ${version})\n`);
}

async function release(store: Store, options: TableCommandOptions): Promise<void> {
  const table = await Table.open(store, tableName(options));
  if (options.name === undefined) throw usageError('strata table release needs --name N');
  const version = await releaseHold(table, options.name);
  process.stdout.write(`${table.name}: legal hold ${options.name} released (version ${version})\n`);
}

async function holds(store: Store, options: TableCommandOptions): Promise<void> {
  const table = await Table.open(store, tableName(options));
  const properties = await table.properties();
  const list = holdsOf(properties);
  const policy = retentionOf(properties);
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify({ holds: list, retention: policy })}\n`);
    return;
  }
  process.stdout.write(`retention: ${policy === null ? 'none' : `rows with ${policy.column} older than ${policy.periodMs / 86_400_000} day(s) expire`}\n`);
  process.stdout.write(renderColumns(['hold', 'placed', 'scope', 'reason'], list.map((h) => [
    h.name, new Date(h.placedAtMs).toISOString(), h.column === undefined ? 'whole table' : `${h.column} in [${h.from ?? '-inf'}, ${h.to ?? '+inf'})`, h.reason,
  ])));
}

async function retention(store: Store, options: TableCommandOptions): Promise<void> {
  const table = await Table.open(store, tableName(options));
  if (options.off === true) {
    await setRetention(table, null);
    process.stdout.write(`${table.name}: retention policy removed\n`);
    return;
  }
  const days = Number(options.keepDays);
  if (options.column === undefined || options.keepDays === undefined || !(days > 0)) throw usageError('strata table retention needs --column C and --keep-days N (N > 0), or --off');
  const version = await setRetention(table, { column: options.column, periodMs: days * 86_400_000 });
  process.stdout.write(`${table.name}: rows with ${options.column} older than ${days} day(s) expire on strata table expire (version ${version})\n`);
}

async function expire(store: Store, options: TableCommandOptions): Promise<void> {
  const names = options.table === undefined ? await new StoreCatalog(store).listTables() : [options.table];
  for (const name of names) {
    const table = await Table.open(store, name);
    if (options.table === undefined && retentionOf(await table.properties()) === null) continue;
    process.stdout.write(deleteLine(table.name, 'expired', await applyRetention(table)));
  }
}

async function purge(store: Store, options: TableCommandOptions): Promise<void> {
  const table = await Table.open(store, tableName(options));
  if (options.column === undefined) throw usageError('strata table purge needs --column C and --equals V (repeatable) or --from A / --to B');
  const type = columnType(table, options.column);
  const values = options.equals?.map((text) => parseValue(text, type, '--equals'));
  if ((values === undefined) === (options.from === undefined && options.to === undefined)) throw usageError('strata table purge takes --equals V… or --from A / --to B (one of them)');
  const result = await purgeRows(table, {
    column: options.column, in: values,
    from: options.from === undefined ? undefined : parseValue(options.from, type, '--from'),
    to: options.to === undefined ? undefined : parseValue(options.to, type, '--to'),
  });
  process.stdout.write(deleteLine(table.name, 'purged', result));
  if (result.version !== null) process.stdout.write('the old files stay readable for time travel until vacuum; run strata vacuum --retain-hours 0 to erase them now\n');
}

function deleteLine(table: string, verb: string, result: DeleteResult): string {
  if (result.version === null) return `${table}: no rows matched; nothing changed\n`;
  return `${table}: ${verb} ${result.rowsDeleted.toLocaleString('en-US')} row(s) in version ${result.version} ` +
    `(${result.partitionsRewritten} partition(s) rewritten, ${result.partitionsDropped} dropped)\n`;
}

async function audit(store: Store, options: TableCommandOptions): Promise<void> {
  const sinceMs = options.since === undefined ? undefined : Date.parse(options.since);
  if (sinceMs !== undefined && Number.isNaN(sinceMs)) throw usageError(`--since takes an ISO 8601 time, not '${options.since}'`);
  const events = (await readAuditLog(store, { fromMs: sinceMs })).filter((event) => options.table === undefined || event.table === options.table.toLowerCase());
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(events)}\n`);
    return;
  }
  process.stdout.write(renderColumns(['time', 'action', 'table', 'node', 'caller', 'details'], events.map((event) => [
    new Date(event.timeMs).toISOString(), event.action, event.table ?? '-', event.node, event.caller, JSON.stringify(event.details),
  ])));
}

function columnType(table: Table, column: string): DataType {
  const field = table.schema.fields.find((f) => f.name.toLowerCase() === column.toLowerCase());
  if (field === undefined) throw usageError(`table ${table.name} has no column '${column}'; it has ${table.schema.fields.map((f) => f.name).join(', ')}`);
  return field.type;
}

/** A value typed on the command line, in the column's in-memory units. */
export function parseValue(text: string, type: DataType, flag: string): PredicateValue {
  let value: number | null;
  switch (type.id) {
    case 'string': return text;
    case 'date': value = parseDate(text); break;
    case 'timestamp': value = parseTimestamp(text); break;
    case 'decimal': value = parseDecimal(text, type.scale ?? 0); break;
    case 'boolean': value = text === 'true' ? 1 : text === 'false' ? 0 : null; break;
    default: value = text.trim() === '' ? null : Number(text);
  }
  if (value === null || Number.isNaN(value)) throw usageError(`${flag} '${text}' is not a valid ${type.id} value`);
  return value;
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
