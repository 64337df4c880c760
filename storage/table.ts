/**
 * A table: a schema and a commit log over immutable partition files in a store. Readers see
 * snapshots (a version of the log); writers add partition files, which stay invisible until a
 * commit names them, and commit optimistically (create-if-absent on the next version number).
 */
import { recordAuditAfterCommit, type AuditContext, type AuditErrorHandler, type AuditEventRequest } from './audit-log.js';
import { mapBounded } from './bounded-map.js';
import { StrataError } from './errors.js';
import { keyFilterPartitionId, keyFilterRelativePath, keyFiltersDirectory } from './key-filter-paths.js';
import { readPartition } from './partition-reader.js';
import type { BatchFilter } from './partition-zones.js';
import { newPartitionId, writePartition, type BatchSource, type PartitionWriteOptions } from './partition-writer.js';
import { tableDataDirectory, tableDirectory, tableLogDirectory, validateTableName } from './paths.js';
import type { Store } from './store.js';
import {
  applyEntry, checkActions, checkpointIntervalDefault, checkpointPath, decodeCheckpoint, decodeCommitEntry, encodeCheckpoint,
  encodeCommitEntry, encodeVacuumMarker, initialState, logEntryPath, parseLogName, parseVacuumMarkerName, redactedEntryPath, snapshotOf, vacuumMarkerPath,
  type CommitEntry, type TableState,
} from './table-log.js';
import type { CommitActions, PartitionMeta, Snapshot } from './table-types.js';
import { validateTableSchema } from './table-schema.js';
import type { Schema } from './types.js';
import type { Batch } from './vector.js';

/** Tuning of a Table object (not stored with the table). */
export interface TableConfig {
  /** Commits between checkpoints (default 10). */
  readonly checkpointInterval?: number;
  /** Attempts of a commit that keeps losing the race to other writers (default 20). */
  readonly commitRetriesMax?: number;
  /** Who acts (node, caller) in audit events of this object's commits and vacuums unless a call names its own. */
  readonly audit?: AuditContext;
  /**
   * Called when the audit event of a commit, vacuum, purge or create/drop that already took effect
   * could not be written (after one retry); the action still succeeds. Default: process.emitWarning.
   */
  readonly onAuditError?: AuditErrorHandler;
}

/** Extras of a commit beyond its actions. */
export interface CommitOptions {
  /** Table properties to set (null removes one): retention policy, legal holds. */
  readonly properties?: Readonly<Record<string, unknown>>;
  /**
   * Checked against the latest state before each attempt (after a lost race too), so a commit
   * that depends on the table's properties cannot slip past a concurrent change to them.
   */
  readonly precondition?: (latest: TableState) => void;
  /** Who commits (node, caller), for the audit event of a load, insert or delete. */
  readonly audit?: AuditContext;
}

/**
 * Commit operations (info.operation) that are administrative actions and so go to the audit log:
 * loads (single node and distributed both say 'load'), INSERT, DELETE. Compaction, retention and
 * holds are not here: compaction changes no data, the others record their own, richer events.
 */
export const auditedCommitOperations: ReadonlySet<string> = new Set(['load', 'insert', 'ingest', 'distributed-load', 'delete']);

/** What vacuum removed. */
export interface VacuumResult {
  /** Paths of removed files, relative to the table directory. */
  readonly removed: readonly string[];
  /** Bytes freed. */
  readonly bytes: number;
  /** Versions before this one can no longer be read (files they need were deleted). */
  readonly readableFromVersion: number;
}

/** Attempts of one commit: each lost race means another writer progressed; 20 losses in a row means a runaway writer. */
export const commitRetriesMaxDefault = 20;

/** Log files read at once when replaying: enough to hide store latency, few enough for HDFS. */
export const logReadConcurrencyMax = 16;

/** Old snapshots kept per table for time travel; each is a list of partition metadata. */
export const snapshotCacheEntriesMax = 8;

/** A table in a store. */
export class Table {
  /** The store holding the table. */
  readonly store: Store;
  /** Lower-case table name. */
  readonly name: string;
  /** Schema as set at CREATE. */
  readonly schema: Schema;
  /** Table options as set at CREATE. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly #checkpointInterval: number;
  readonly #commitRetriesMax: number;
  readonly #audit: AuditContext | undefined;
  readonly #onAuditError: AuditErrorHandler | undefined;
  #latest: TableState;
  readonly #snapshots = new Map<number, Snapshot>();

  private constructor(store: Store, name: string, created: CommitEntry, config: TableConfig) {
    this.store = store;
    this.name = name;
    this.#latest = initialState(created);
    this.schema = this.#latest.schema;
    this.options = this.#latest.options;
    this.#checkpointInterval = positiveInteger(config.checkpointInterval ?? checkpointIntervalDefault, 'checkpointInterval');
    this.#commitRetriesMax = positiveInteger(config.commitRetriesMax ?? commitRetriesMaxDefault, 'commitRetriesMax');
    this.#audit = config.audit;
    this.#onAuditError = config.onAuditError;
  }

  /**
   * Records the audit event of an action on this table that already took effect; a failed write
   * is retried once, then reported to TableConfig.onAuditError (or a process warning), never thrown.
   */
  recordAuditEvent(event: AuditEventRequest, context: AuditContext | undefined): Promise<void> {
    return recordAuditAfterCommit(this.store, event, context, this.#onAuditError);
  }

  /** Who acts (node, caller) in audit events of this table's actions unless a call names its own (TableConfig.audit). */
  get audit(): AuditContext | undefined {
    return this.#audit;
  }

  /** Creates a table (version 0 holds schema and options); conflict TABLE_EXISTS when it exists. */
  static async create(store: Store, name: string, schema: Schema, options: Record<string, unknown> = {}, config: TableConfig = {}): Promise<Table> {
    const lower = validateTableName(name);
    validateTableSchema(schema, lower);
    const entry: CommitEntry = {
      version: 0, committedAtMs: Date.now(), add: [], remove: [], loadHashes: [],
      info: { operation: 'create' }, schema: { fields: schema.fields.map((field) => ({ ...field })) }, options: { ...options },
    };
    if (!(await store.createIfAbsent(logEntryPath(tableLogDirectory(lower), 0), encodeCommitEntry(entry)))) {
      throw new StrataError('conflict', 'TABLE_EXISTS', `table ${lower} already exists; choose another name or drop it first`, { table: lower });
    }
    return new Table(store, lower, entry, config);
  }

  /** Opens an existing table; not_found TABLE_NOT_FOUND when absent. */
  static async open(store: Store, name: string, config: TableConfig = {}): Promise<Table> {
    const lower = validateTableName(name);
    const path = logEntryPath(tableLogDirectory(lower), 0);
    let bytes: Uint8Array;
    try {
      bytes = await store.read(path);
    } catch (error) {
      if (error instanceof StrataError && error.kind === 'not_found') {
        throw new StrataError('not_found', 'TABLE_NOT_FOUND', `table ${lower} does not exist; run SHOW TABLES to list the tables`, { table: lower });
      }
      throw error;
    }
    return new Table(store, lower, decodeCommitEntry(bytes, path, 0), config);
  }

  /** Store path of the table directory. */
  get directory(): string {
    return tableDirectory(this.name);
  }

  private get logDirectory(): string {
    return tableLogDirectory(this.name);
  }

  /** The table at `version` (latest by default); not_found TABLE_VERSION_NOT_FOUND beyond the latest. */
  async snapshot(version?: number): Promise<Snapshot> {
    const latest = await this.refresh();
    if (version === undefined || version === latest.version) return this.cachedSnapshot(latest);
    if (!Number.isInteger(version) || version < 0 || version > latest.version) {
      throw new StrataError('not_found', 'TABLE_VERSION_NOT_FOUND',
        `table ${this.name} has no version ${version}; versions run from 0 to ${latest.version}`, { table: this.name, version });
    }
    // Old versions are rare reads (time travel, backup); one listing tells whether vacuum took them.
    const log = await this.listLog();
    if (version < log.vacuumedBefore) {
      throw new StrataError('not_found', 'TABLE_VERSION_VACUUMED',
        `version ${version} of table ${this.name} is no longer readable: vacuum deleted files it needs (versions before ${log.vacuumedBefore} are gone); ` +
        `read version ${log.vacuumedBefore} or later, or restore it from a backup (strata backup restore --table ${this.name} --as-of ${version} --as NEW)`,
        { table: this.name, version, readableFromVersion: log.vacuumedBefore });
    }
    const cached = this.#snapshots.get(version);
    if (cached !== undefined) return cached;
    return this.cachedSnapshot(await this.loadState(version, log.checkpoints));
  }

  /** The commits from `fromVersion` to `toVersion` (default: every commit), oldest first. */
  async history(fromVersion = 0, toVersion?: number): Promise<CommitEntry[]> {
    const latest = await this.refresh();
    const last = Math.min(toVersion ?? latest.version, latest.version);
    const first = Math.max(0, fromVersion);
    const versions = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
    return mapBounded(versions, logReadConcurrencyMax, (version) => this.readEntry(version));
  }

  /** Store path of the log file of `version` (backup and replication copy these files verbatim). */
  logEntryPath(version: number): string {
    return logEntryPath(this.logDirectory, version);
  }

  /**
   * The newest version committed at or before `timeMs` (time travel by time); not_found
   * TABLE_VERSION_NOT_FOUND when the table was created later. Commit times are assumed not to go
   * backwards (one clock, or nodes kept in sync by NTP), so a binary search reads ~log2(versions) entries.
   */
  async versionAt(timeMs: number): Promise<number> {
    const latest = await this.refresh();
    if (latest.committedAtMs <= timeMs) return latest.version;
    let low = 0;
    let high = latest.version; // invariant: entry `high` was committed after timeMs
    if ((await this.readEntry(0)).committedAtMs > timeMs) {
      throw new StrataError('not_found', 'TABLE_VERSION_NOT_FOUND',
        `table ${this.name} did not exist at ${new Date(timeMs).toISOString()}; it was created later (see strata table history)`,
        { table: this.name, timeMs });
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if ((await this.readEntry(middle)).committedAtMs <= timeMs) low = middle;
      else high = middle;
    }
    return low;
  }

  /** Writes a partition file under data/ (invisible until committed); meta.path is relative to the table. */
  async writePartition(batches: BatchSource, options: PartitionWriteOptions = {}): Promise<PartitionMeta> {
    const id = options.id ?? newPartitionId();
    const relative = `${tableDataDirectory}/${id}.arrow`;
    const meta = await writePartition(this.store, `${this.directory}/${relative}`, this.schema, batches, { ...options, id });
    return { ...meta, path: relative };
  }

  /**
   * Batches of the listed columns (schema positions, in that order) of a committed partition;
   * record batches `batchFilter` rules out from their zone maps are not read.
   */
  readPartition(meta: PartitionMeta, columns: readonly number[], signal?: AbortSignal, batchFilter?: BatchFilter): AsyncIterable<Batch> {
    return readPartition(this.store, { ...meta, path: `${this.directory}/${meta.path}` }, this.schema, columns, signal, batchFilter);
  }

  /**
   * Commits `actions` on top of `baseVersion` (the version the caller read) and returns the new
   * version. When another writer wins the next version, the commit re-reads the log and tries
   * again as long as the actions still apply (adds commute; removing a partition someone else
   * removed is COMMIT_CONFLICT); after commitRetriesMax lost races, COMMIT_RETRIES_EXHAUSTED.
   * A load, insert or delete is then recorded in the audit log; should that write fail twice, the
   * commit still succeeds (a thrown error would make clients retry and duplicate it) and the failure
   * goes to TableConfig.onAuditError; the commit log still records the commit (system.history).
   */
  async commit(baseVersion: number, actions: CommitActions, options: CommitOptions = {}): Promise<number> {
    const base = await this.snapshot(baseVersion);
    for (let attempt = 0; attempt < this.#commitRetriesMax; attempt++) {
      const latest = await this.refresh();
      checkActions(this.name, base, latest, actions);
      options.precondition?.(latest);
      const entry: CommitEntry = {
        version: latest.version + 1, committedAtMs: Date.now(), add: actions.add, remove: actions.remove,
        loadHashes: actions.loadHashes ?? [], info: actions.info, ...(options.properties === undefined ? {} : { properties: options.properties }),
      };
      if (await this.store.createIfAbsent(logEntryPath(this.logDirectory, entry.version), encodeCommitEntry(entry))) {
        this.#latest = applyEntry(latest, entry, logEntryPath(this.logDirectory, entry.version));
        if (entry.version % this.#checkpointInterval === 0) await this.writeCheckpoint(this.#latest);
        await this.auditCommit(latest, entry, options.audit ?? this.#audit);
        return entry.version;
      }
    }
    throw new StrataError('conflict', 'COMMIT_RETRIES_EXHAUSTED',
      `commit to table ${this.name} lost the race for the next version ${this.#commitRetriesMax} times; other writers are committing continuously, retry later`,
      { table: this.name });
  }

  /** Records a committed load, insert or delete in the audit log: version, rows and partitions added and removed. */
  private async auditCommit(before: TableState, entry: CommitEntry, audit: AuditContext | undefined): Promise<void> {
    const operation = entry.info.operation;
    if (typeof operation !== 'string' || !auditedCommitOperations.has(operation)) return;
    let rowsAdded = 0;
    let rowsRemoved = 0;
    for (const meta of entry.add) rowsAdded += meta.rows;
    for (const id of entry.remove) rowsRemoved += before.partitions.get(id)?.rows ?? 0;
    const files = Array.isArray(entry.info.files) ? { files: entry.info.files.length } : {};
    await this.recordAuditEvent({
      action: operation, table: this.name,
      details: { version: entry.version, rowsAdded, rowsRemoved, partitionsAdded: entry.add.length, partitionsRemoved: entry.remove.length, ...files },
    }, { ...audit, node: audit?.node ?? (typeof entry.info.coordinator === 'string' ? entry.info.coordinator : undefined) });
  }

  /**
   * Deletes the files under data/ that no retained version needs: partitions that a commit older
   * than `retainMs` removed (so every version still within the window stays readable, as Delta's
   * retention does), and files no commit names (orphans of crashed or abandoned loads, temp files)
   * last modified more than `retainMs` ago. retainMs must also exceed the longest time a load takes
   * from writing a partition to committing it, or vacuum could delete a partition an in-flight load
   * is about to commit. Versions that needed a deleted file become unreadable; a marker in _log
   * makes reading them fail with TABLE_VERSION_VACUUMED instead of a missing file. The record-key
   * filters (keys/<id>.bloom) of deleted partitions go with them, and so do filters no commit
   * names that are older than `retainMs` (a load writes its filter before it commits).
   */
  async vacuum(options: { readonly retainMs: number; readonly dryRun?: boolean; readonly audit?: AuditContext }): Promise<VacuumResult> {
    if (!Number.isFinite(options.retainMs) || options.retainMs < 0) {
      throw new StrataError('input', 'VACUUM_RETAIN_INVALID', `vacuum of table ${this.name}: retainMs must be a non-negative number of milliseconds`);
    }
    const cutoffMs = Date.now() - options.retainMs;
    const history = await this.history();
    const { removedAt, named, namedIds } = removalsOf(history);
    const previous = (await this.listLog()).vacuumedBefore;
    // Partitions removed before the window: gone for good, and so are the versions that needed them.
    const expired = new Set<string>();
    let readableFrom = previous;
    for (const removal of removedAt.values()) {
      if (removal.committedAtMs > cutoffMs) continue;
      expired.add(removal.id);
      readableFrom = Math.max(readableFrom, removal.version);
    }
    const files = await this.store.list(`${this.directory}/${tableDataDirectory}`);
    const removed: string[] = [];
    let bytes = 0;
    for (const file of files) {
      const relative = `${tableDataDirectory}/${file.path.slice(file.path.lastIndexOf('/') + 1)}`;
      const removal = removedAt.get(relative);
      const deletable = removal !== undefined ? expired.has(removal.id) : !named.has(relative) && file.modifiedMs <= cutoffMs;
      if (file.isDirectory || !deletable) continue;
      removed.push(relative);
      bytes += file.size;
    }
    for (const filter of await this.deletableKeyFilters(expired, namedIds, cutoffMs)) {
      removed.push(filter.relative);
      bytes += filter.size;
    }
    if (options.dryRun === true) return { removed, bytes, readableFromVersion: readableFrom };
    // The marker goes first: a reader must learn that a version is gone before its files are.
    if (readableFrom > previous) await this.store.createIfAbsent(vacuumMarkerPath(this.logDirectory, readableFrom), encodeVacuumMarker(readableFrom));
    for (const relative of removed) await this.store.delete(`${this.directory}/${relative}`);
    await this.redactExpired(history, expired, readableFrom);
    await this.recordAuditEvent({
      action: 'vacuum', table: this.name, details: { retainMs: options.retainMs, filesRemoved: removed.length, bytes, readableFromVersion: readableFrom },
    }, options.audit ?? this.#audit);
    return { removed, bytes, readableFromVersion: readableFrom };
  }

  /**
   * Key filters (keys/<id>.bloom, relative paths) vacuum deletes: those of expired partitions, and
   * those of partitions no commit names last modified at or before `cutoffMs` (orphans of loads
   * that wrote their filter and never committed; newer ones may belong to a load in flight).
   */
  private async deletableKeyFilters(expired: ReadonlySet<string>, namedIds: ReadonlySet<string>, cutoffMs: number): Promise<{ relative: string; size: number }[]> {
    const deletable: { relative: string; size: number }[] = [];
    for (const file of await this.store.list(`${this.directory}/${keyFiltersDirectory}`)) {
      if (file.isDirectory) continue;
      const relative = `${keyFiltersDirectory}/${file.path.slice(file.path.lastIndexOf('/') + 1)}`;
      const id = keyFilterPartitionId(relative);
      if (id === null || relative !== keyFilterRelativePath(id)) continue;
      if (expired.has(id) || (!namedIds.has(id) && file.modifiedMs <= cutoffMs)) deletable.push({ relative, size: file.size });
    }
    return deletable;
  }

  /**
   * Erases what the log still says about the values of expired partitions: their min/max
   * statistics in the commits that added them become null, and checkpoints of versions before
   * `readableFrom` (which list those statistics, and which no reader may use any more) are deleted.
   * After a purge, this is what makes vacuum leave no trace of the purged values in the store.
   */
  private async redactExpired(history: readonly CommitEntry[], expired: ReadonlySet<string>, readableFrom: number): Promise<void> {
    for (const entry of history) {
      if (!entry.add.some((meta) => expired.has(meta.id) && meta.columns.some((c) => c.min !== null || c.max !== null || Object.keys(c).length > 4))) continue;
      // Only counts survive: min/max and any encoding details (which may quote values) are dropped.
      const add = entry.add.map((meta) => (expired.has(meta.id)
        ? { ...meta, columns: meta.columns.map((c) => ({ min: null, max: null, nullCount: c.nullCount, bytes: c.bytes })) } : meta));
      await this.rewriteEntry({ ...entry, add });
    }
    for (const checkpoint of (await this.listLog()).checkpoints) {
      if (checkpoint < readableFrom) await this.store.delete(checkpointPath(this.logDirectory, checkpoint));
    }
  }

  /**
   * Replaces a log entry that is not the latest (only vacuum redaction does this). The store never
   * overwrites, so the new content goes to _redacted.<N>.json, the old file is deleted and the new
   * one renamed into place; a reader that finds N.json gone meanwhile reads _redacted.<N>.json, and
   * a crash at any step is finished by the next vacuum.
   */
  private async rewriteEntry(entry: CommitEntry): Promise<void> {
    const path = logEntryPath(this.logDirectory, entry.version);
    const temp = redactedEntryPath(this.logDirectory, entry.version);
    if ((await this.store.stat(path)) === null && (await this.store.stat(temp)) !== null) await this.store.rename(temp, path);
    await this.store.delete(temp);
    await this.store.write(temp, encodeCommitEntry(entry));
    await this.store.delete(path);
    await this.store.rename(temp, path);
  }

  /** The table's properties at the latest version (retention policy, legal holds). */
  async properties(): Promise<Readonly<Record<string, unknown>>> {
    return (await this.refresh()).properties;
  }

  /** The oldest version vacuum left readable (0 when vacuum never deleted a removed partition). */
  async oldestReadableVersion(): Promise<number> {
    return (await this.listLog()).vacuumedBefore;
  }

  private cachedSnapshot(state: TableState): Snapshot {
    let snapshot = this.#snapshots.get(state.version);
    if (snapshot === undefined) {
      snapshot = snapshotOf(this.name, state);
      this.#snapshots.set(state.version, snapshot);
      while (this.#snapshots.size > snapshotCacheEntriesMax) this.#snapshots.delete(this.#snapshots.keys().next().value!);
    }
    return snapshot;
  }

  /** Brings the latest state up to date: one read when nothing changed, else a listing and replay. */
  private async refresh(): Promise<TableState> {
    const known = this.#latest;
    const next = await this.tryReadEntry(known.version + 1);
    if (next === null) return known;
    const { latestVersion, checkpoints } = await this.listLog();
    const checkpoint = newestAtMost(checkpoints, latestVersion);
    let state = applyEntry(known, next, logEntryPath(this.logDirectory, next.version));
    if (checkpoint !== null && checkpoint > state.version) state = await this.loadState(latestVersion, [checkpoint]);
    else state = await this.replay(state, latestVersion);
    if (state.version > this.#latest.version) this.#latest = state;
    return this.#latest;
  }

  /** The state at `version`, from the newest usable checkpoint at or below it plus later entries. */
  private async loadState(version: number, checkpoints?: readonly number[]): Promise<TableState> {
    const candidates = (checkpoints ?? (await this.listLog()).checkpoints).filter((v) => v <= version).sort((a, b) => b - a);
    for (const checkpoint of candidates) {
      const path = checkpointPath(this.logDirectory, checkpoint);
      try {
        return await this.replay(decodeCheckpoint(await this.store.read(path), path, checkpoint), version);
      } catch (error) {
        // Checkpoints only save replay work; the entries are the truth, so fall back to them.
        if (!(error instanceof StrataError) || (error.kind !== 'corruption' && error.kind !== 'not_found')) throw error;
      }
    }
    return this.replay(initialState(await this.readEntry(0)), version);
  }

  private async replay(state: TableState, version: number): Promise<TableState> {
    const versions = Array.from({ length: version - state.version }, (_, i) => state.version + 1 + i);
    const entries = await mapBounded(versions, logReadConcurrencyMax, (v) => this.readEntry(v));
    let current = state;
    for (const entry of entries) current = applyEntry(current, entry, logEntryPath(this.logDirectory, entry.version));
    return current;
  }

  private async listLog(): Promise<{ latestVersion: number; checkpoints: number[]; vacuumedBefore: number }> {
    let latestVersion = 0;
    let vacuumedBefore = 0;
    const checkpoints: number[] = [];
    for (const file of await this.store.list(this.logDirectory)) {
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      const parsed = parseLogName(name);
      if (parsed?.kind === 'commit') latestVersion = Math.max(latestVersion, parsed.version);
      if (parsed?.kind === 'checkpoint') checkpoints.push(parsed.version);
      const marker = parseVacuumMarkerName(name);
      if (marker !== null) vacuumedBefore = Math.max(vacuumedBefore, marker);
    }
    return { latestVersion, checkpoints, vacuumedBefore };
  }

  private async readEntry(version: number): Promise<CommitEntry> {
    const path = logEntryPath(this.logDirectory, version);
    try {
      return decodeCommitEntry(await this.store.read(path), path, version);
    } catch (error) {
      if (!(error instanceof StrataError) || error.kind !== 'not_found') throw error;
      // Vacuum may be redacting this entry: its new content is under _redacted.<N>.json until renamed.
      const temp = redactedEntryPath(this.logDirectory, version);
      try {
        return decodeCommitEntry(await this.store.read(temp), temp, version);
      } catch (retryError) {
        if (!(retryError instanceof StrataError) || retryError.kind !== 'not_found') throw retryError;
        return decodeCommitEntry(await this.store.read(path), path, version);
      }
    }
  }

  private async tryReadEntry(version: number): Promise<CommitEntry | null> {
    try {
      return await this.readEntry(version);
    } catch (error) {
      if (error instanceof StrataError && error.kind === 'not_found') return null;
      throw error;
    }
  }

  private async writeCheckpoint(state: TableState): Promise<void> {
    try {
      await this.store.createIfAbsent(checkpointPath(this.logDirectory, state.version), encodeCheckpoint(state));
    } catch (error) {
      // The commit is already durable; a missing checkpoint only makes readers replay more
      // entries, so a failure here must not turn a successful commit into an error.
      if (!(error instanceof StrataError)) throw error;
    }
  }
}

/** Where each removed partition file was removed (by path), and every file any commit named. */
function removalsOf(history: readonly CommitEntry[]): {
  removedAt: Map<string, { id: string; version: number; committedAtMs: number }>; named: Set<string>; namedIds: Set<string>;
} {
  const pathById = new Map<string, string>();
  const removedAt = new Map<string, { id: string; version: number; committedAtMs: number }>();
  for (const entry of history) {
    for (const meta of entry.add) pathById.set(meta.id, meta.path);
    for (const id of entry.remove) {
      const path = pathById.get(id);
      if (path !== undefined) removedAt.set(path, { id, version: entry.version, committedAtMs: entry.committedAtMs });
    }
  }
  return { removedAt, named: new Set(pathById.values()), namedIds: new Set(pathById.keys()) };
}

function newestAtMost(versions: readonly number[], limit: number): number | null {
  let best: number | null = null;
  for (const version of versions) if (version <= limit && (best === null || version > best)) best = version;
  return best;
}

function positiveInteger(value: number, name: string): number {
  if (Number.isInteger(value) && value >= 1) return value;
  throw new StrataError('input', 'TABLE_CONFIG_INVALID', `invalid ${name} ${value}: use a positive integer`);
}
