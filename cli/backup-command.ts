/**
 * `strata backup create|list|verify|restore`: backups of a store into another store (a directory
 * or HDFS), their verification, and restore (also --repair of corrupt partitions). docs/backup.md.
 */
import {
  createBackup, listBackups, openStore, repairFromBackups, restoreBackup, StrataError, verifyBackups,
  type BackupInfo, type BackupType, type CopyProgress, type RestoreOptions, type Store,
} from '../storage/index.js';
import { usageError } from './usage.js';

/** Options of `strata backup`, as given on the command line. */
export interface BackupCommandOptions {
  /** create, list, verify or restore (the first positional). */
  readonly action?: string;
  /** The store backed up (create) or restored into (restore). */
  readonly store?: string;
  /** The backup store (create). */
  readonly to?: string;
  /** The backup store (list, verify, restore). */
  readonly from?: string;
  readonly type?: string;
  /** Tables to back up: repeated and/or comma-separated. */
  readonly tables?: readonly string[];
  /** A backup id (verify, restore; default: every backup / the newest). */
  readonly backup?: string;
  /** VERSION (a whole number) or TIME (ISO 8601, e.g. 2024-06-01T12:00:00Z). */
  readonly asOf?: string;
  readonly table?: string;
  readonly as?: string;
  readonly repair?: boolean;
  readonly noResume?: boolean;
  /** table (default) or json, for list and verify. */
  readonly format?: string;
}

/** Runs `strata backup ACTION`. */
export async function backupCommand(options: BackupCommandOptions): Promise<void> {
  switch (options.action) {
    case 'create': return withStores(need(options.store, '--store SRC'), need(options.to, '--to DEST'), (source, destination) => create(source, destination, options));
    case 'list': return withStore(need(options.from, '--from DEST'), (store) => list(store, options));
    case 'verify': return withStore(need(options.from, '--from DEST'), (store) => verify(store, options));
    case 'restore': return withStores(need(options.from, '--from DEST'), need(options.store, '--store TARGET'), (backups, target) => restore(backups, target, options));
    default:
      throw usageError(`strata backup takes create, list, verify or restore${options.action === undefined ? '' : `, not '${options.action}'`}`);
  }
}

function need(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw usageError(`this strata backup command needs ${flag}`);
  return value;
}

async function withStore(url: string, work: (store: Store) => Promise<void>): Promise<void> {
  const store = await openStore(url);
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

async function withStores(first: string, second: string, work: (a: Store, b: Store) => Promise<void>): Promise<void> {
  await withStore(first, (a) => withStore(second, (b) => work(a, b)));
}

/** Tables from repeated and comma-separated --tables values; undefined when none were given. */
export function tableList(values: readonly string[] | undefined): string[] | undefined {
  const names = (values ?? []).flatMap((value) => value.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  return names.length === 0 ? undefined : names;
}

async function create(source: Store, destination: Store, options: BackupCommandOptions): Promise<void> {
  const type = options.type ?? 'full';
  if (type !== 'full' && type !== 'incremental' && type !== 'differential') throw usageError(`--type must be full, incremental or differential, not '${type}'`);
  const progress = new CopyProgressLine('backing up');
  try {
    const result = await createBackup(source, destination, {
      type: type as BackupType, tables: tableList(options.tables), resume: options.noResume !== true, onProgress: (p) => progress.update(p),
    });
    progress.finish();
    const { manifest } = result;
    const tables = manifest.tables.map((table) => `${table.name}@${table.version}`).join(', ') || 'no tables';
    process.stdout.write(`${result.resumed ? 'resumed and completed' : 'created'} backup ${manifest.id} (${manifest.type}` +
      `${manifest.parent === null ? '' : `, parent ${manifest.parent}`}): ${tables}; ${result.filesCopied} file(s) copied ` +
      `(${formatBytes(result.bytesCopied)}), ${result.filesSkipped} already in place` +
      `${(manifest.views ?? []).length === 0 ? '' : `; views: ${(manifest.views ?? []).join(', ')}`}\n`);
  } finally {
    progress.finish();
  }
}

async function list(store: Store, options: BackupCommandOptions): Promise<void> {
  const backups = await listBackups(store);
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(backups)}\n`);
    return;
  }
  if (backups.length === 0) {
    process.stdout.write(`no backups in ${store.url}\n`);
    return;
  }
  const rows = backups.map((info) => [info.id, info.type ?? '-', info.status, info.parent ?? '-', started(info),
    info.tables.map((table) => `${table.name}@${table.version}`).join(',') || '-', String(info.files), formatBytes(info.bytes)]);
  process.stdout.write(renderColumns(['id', 'type', 'status', 'parent', 'started', 'tables', 'files', 'bytes'], rows));
}

function started(info: BackupInfo): string {
  return info.startedAtMs === null ? '-' : new Date(info.startedAtMs).toISOString();
}

async function verify(store: Store, options: BackupCommandOptions): Promise<void> {
  const report = await verifyBackups(store, { backup: options.backup });
  if (options.format === 'json') process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const problem of report.problems) process.stdout.write(`${problem.code} ${problem.backup} ${problem.path ?? ''}: ${problem.message}\n`);
    process.stdout.write(`verified ${report.backups.length} backup(s), ${report.filesChecked} file(s), ${formatBytes(report.bytesChecked)}: ` +
      `${report.problems.length === 0 ? 'all intact' : `${report.problems.length} problem(s)`}\n`);
  }
  if (report.problems.length > 0) {
    throw new StrataError('corruption', 'BACKUP_VERIFY_FAILED',
      `${report.problems.length} problem(s) in the backups of ${store.url}: ${[...new Set(report.problems.map((p) => p.backup))].join(', ')}; ` +
      'take a new full backup, and keep the damaged ones only as far as verify says they restore', { problems: report.problems.length });
  }
}

async function restore(backups: Store, target: Store, options: BackupCommandOptions): Promise<void> {
  if (options.repair === true) return repair(backups, target, options);
  const progress = new CopyProgressLine('restoring');
  try {
    const result = await restoreBackup(backups, target, { ...restoreOptions(options), onProgress: (p) => progress.update(p) });
    progress.finish();
    for (const table of result.tables) {
      process.stdout.write(`restored ${table.name}${table.as === table.name ? '' : ` as ${table.as}`} at version ${table.version} ` +
        `(${new Date(table.committedAtMs).toISOString()}): ${table.rows.toLocaleString('en-US')} rows, ${table.partitions} partition(s)\n`);
    }
    if (result.views.length > 0) process.stdout.write(`restored view(s) ${result.views.join(', ')}\n`);
    process.stdout.write(`from backup ${result.backup}: ${result.filesCopied} file(s) copied, ${result.filesSkipped} already in place\n`);
  } finally {
    progress.finish();
  }
}

/** Restore options from --backup, --as-of, --table, --as. */
export function restoreOptions(options: BackupCommandOptions): RestoreOptions {
  const asOf = options.asOf;
  let asOfVersion: number | undefined;
  let asOfTimeMs: number | undefined;
  if (asOf !== undefined && /^\d+$/.test(asOf)) asOfVersion = Number(asOf);
  else if (asOf !== undefined) {
    asOfTimeMs = Date.parse(asOf);
    if (Number.isNaN(asOfTimeMs)) throw usageError(`--as-of takes a version number or an ISO 8601 time such as 2024-06-01T12:00:00Z, not '${asOf}'`);
  }
  if (options.as !== undefined && options.table === undefined) throw usageError('--as needs --table T');
  if (asOfVersion !== undefined && options.table === undefined) throw usageError('--as-of VERSION needs --table T (versions are per table)');
  return { backup: options.backup, asOfVersion, asOfTimeMs, table: options.table, as: options.as };
}

async function repair(backups: Store, target: Store, options: BackupCommandOptions): Promise<void> {
  const result = await repairFromBackups(backups, target, { tables: options.table === undefined ? undefined : [options.table] });
  for (const fixed of result.repaired) process.stdout.write(`repaired ${fixed.path} from backup ${fixed.backup}\n`);
  for (const left of result.unrepaired) process.stdout.write(`NOT REPAIRED ${left.path}: ${left.reason}\n`);
  process.stdout.write(`checked ${result.partitionsChecked} partition(s): ${result.repaired.length} repaired, ${result.unrepaired.length} not repaired\n`);
  if (result.unrepaired.length > 0) {
    throw new StrataError('corruption', 'REPAIR_INCOMPLETE',
      `${result.unrepaired.length} damaged file(s) in ${target.url} could not be repaired from ${backups.url} (listed above); ` +
      'restore the affected tables under new names from an older backup, or from a replica', { unrepaired: result.unrepaired.length });
  }
}

/** '12.3 MB' style sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Left-aligned columns separated by two spaces, with a header line. */
export function renderColumns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]): string => `${cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()}\n`;
  return line(header) + rows.map(line).join('');
}

/** Minimum time between redraws of the progress line: a terminal needs no more than ~10 a second. */
const progressRedrawIntervalMs = 100;

/** `label 12/40 files 3.4 MB/12.0 MB` redrawn in place on a terminal's stderr; silent elsewhere. */
export class CopyProgressLine {
  readonly #label: string;
  readonly #stream: NodeJS.WriteStream;
  #lastDrawMs = 0;
  #drawn = false;

  constructor(label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.#label = label;
    this.#stream = stream;
  }

  /** Redraws with the counts so far (throttled). */
  update(progress: CopyProgress): void {
    if (!this.#stream.isTTY) return;
    const now = Date.now();
    if (now - this.#lastDrawMs < progressRedrawIntervalMs && progress.filesDone < progress.filesTotal) return;
    this.#lastDrawMs = now;
    const fraction = progress.filesTotal > 0 ? progress.filesDone / progress.filesTotal : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width);
    this.#stream.write(`\r${this.#label} [${bar}] ${progress.filesDone}/${progress.filesTotal} files ` +
      `${formatBytes(progress.bytesDone)}/${formatBytes(progress.bytesTotal)}  `);
    this.#drawn = true;
  }

  /** Clears the line. */
  finish(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
