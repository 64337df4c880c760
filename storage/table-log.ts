/**
 * The commit log of a table: one JSON file per version under tables/<name>/_log, written with
 * create-if-absent so two writers can never both win a version, and a checkpoint of the full
 * state every few commits so readers need not replay the whole history (docs/storage-format.md).
 */
import { StrataError } from './errors.js';
import type { CommitActions, PartitionMeta, Snapshot } from './table-types.js';
import type { Schema } from './types.js';

/** Digits of a zero-padded version in a log file name (sorts by name, holds any int64-ish version). */
export const versionDigits = 20;

/** Commits between checkpoints unless told otherwise: replay stays under ten small reads. */
export const checkpointIntervalDefault = 10;

/** Format number written in every log file; readers refuse files from a newer format. */
export const logFormatVersion = 1;

/** One commit as the log records it. */
export interface CommitEntry {
  readonly version: number;
  readonly committedAtMs: number;
  readonly add: readonly PartitionMeta[];
  readonly remove: readonly string[];
  readonly loadHashes: readonly string[];
  readonly info: Readonly<Record<string, unknown>>;
  /** Version 0 (the create commit) only: the table schema. */
  readonly schema?: Schema;
  /** Version 0 only: table options as set at CREATE. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Table properties this commit sets (retention, legal holds); a null value removes the property. */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** The full state of a table at one version, as a checkpoint holds it. */
export interface TableState {
  readonly version: number;
  readonly committedAtMs: number;
  readonly schema: Schema;
  readonly options: Readonly<Record<string, unknown>>;
  /** Partitions by id, in commit order. */
  readonly partitions: Map<string, PartitionMeta>;
  readonly loadHashes: Set<string>;
  /** Table properties set by commits so far (retention policy, legal holds). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Store path of the log file of `version`. */
export function logEntryPath(logDirectory: string, version: number): string {
  return `${logDirectory}/${String(version).padStart(versionDigits, '0')}.json`;
}

/** Store path of the checkpoint of `version`. */
export function checkpointPath(logDirectory: string, version: number): string {
  return `${logDirectory}/_checkpoint.${String(version).padStart(versionDigits, '0')}.json`;
}

/**
 * Store path of the marker vacuum leaves when it deletes files that versions before
 * `readableFromVersion` need; readers refuse those versions by name instead of failing on a
 * missing file. The version is in the name so one listing finds the newest marker.
 */
export function vacuumMarkerPath(logDirectory: string, readableFromVersion: number): string {
  return `${logDirectory}/_vacuum.${String(readableFromVersion).padStart(versionDigits, '0')}.json`;
}

/** Store path where vacuum puts the redacted content of entry `version` before renaming it into place. */
export function redactedEntryPath(logDirectory: string, version: number): string {
  return `${logDirectory}/_redacted.${String(version).padStart(versionDigits, '0')}.json`;
}

const vacuumMarkerNamePattern = /^_vacuum\.(\d{20})\.json$/;

/** The version a vacuum marker's file name records, or null when the name is not a marker. */
export function parseVacuumMarkerName(name: string): number | null {
  const match = vacuumMarkerNamePattern.exec(name);
  return match === null ? null : Number(match[1]);
}

/** Bytes of a vacuum marker (the name says it all; the body helps a human reading the store). */
export function encodeVacuumMarker(readableFromVersion: number): Uint8Array {
  return Buffer.from(JSON.stringify({ format: logFormatVersion, readableFromVersion, vacuumedAtMs: Date.now() }));
}

const entryNamePattern = /^(\d{20})\.json$/;
const checkpointNamePattern = /^_checkpoint\.(\d{20})\.json$/;

/** What a file name in _log is: a commit, a checkpoint, or null for anything else (temp files). */
export function parseLogName(name: string): { readonly kind: 'commit' | 'checkpoint'; readonly version: number } | null {
  const commit = entryNamePattern.exec(name);
  if (commit !== null) return { kind: 'commit', version: Number(commit[1]) };
  const checkpoint = checkpointNamePattern.exec(name);
  if (checkpoint !== null) return { kind: 'checkpoint', version: Number(checkpoint[1]) };
  return null;
}

/**
 * JSON cannot hold NaN or +-Infinity, which float statistics may be; they are written as
 * {"$number":"NaN"} so a round trip through the log keeps every stat exact.
 */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const special = (value as { $number?: unknown }).$number;
    if (typeof special === 'string' && Object.keys(value).length === 1) return Number(special);
  }
  return value;
}

/** Bytes of a commit entry file. */
export function encodeCommitEntry(entry: CommitEntry): Uint8Array {
  return Buffer.from(JSON.stringify({ format: logFormatVersion, ...entry }, replacer));
}

/** Bytes of a checkpoint file. */
export function encodeCheckpoint(state: TableState): Uint8Array {
  const { version, committedAtMs, schema, options, properties } = state;
  return Buffer.from(JSON.stringify({
    format: logFormatVersion, version, committedAtMs, schema, options,
    partitions: [...state.partitions.values()], loadHashes: [...state.loadHashes],
    // Written only when set, so checkpoints of tables without properties keep their old bytes.
    ...(Object.keys(properties).length === 0 ? {} : { properties }),
  }, replacer));
}

function logCorrupt(path: string, problem: string, cause?: unknown): StrataError {
  return new StrataError('corruption', 'LOG_CORRUPT', `table log file ${path} is corrupt: ${problem}; restore the table's _log from a backup`,
    { path }, cause === undefined ? undefined : { cause });
}

function parseLogJson(bytes: Uint8Array, path: string, version: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), reviver);
  } catch (error) {
    throw logCorrupt(path, 'it is not valid JSON', error);
  }
  if (parsed === null || typeof parsed !== 'object') throw logCorrupt(path, 'it is not a JSON object');
  const record = parsed as Record<string, unknown>;
  if (typeof record.format !== 'number' || record.format > logFormatVersion) {
    throw new StrataError('not_supported', 'LOG_FORMAT_UNSUPPORTED',
      `table log file ${path} has format ${String(record.format)}; this version reads format ${logFormatVersion}: upgrade strata`, { path });
  }
  if (record.version !== version) throw logCorrupt(path, `it records version ${String(record.version)}, its name says ${version}`);
  return record;
}

/** A log that names partitions must describe them fully, or readers would fail far from the cause. */
function checkPartitionMeta(partition: PartitionMeta, path: string): void {
  const valid = partition !== null && typeof partition === 'object' && typeof partition.id === 'string' && typeof partition.path === 'string'
    && Number.isSafeInteger(partition.rows) && Number.isSafeInteger(partition.bytes) && typeof partition.checksum === 'string'
    && Array.isArray(partition.columns);
  if (!valid) throw logCorrupt(path, `a partition entry lacks id, path, rows, bytes, checksum or columns: ${JSON.stringify(partition).slice(0, 200)}`);
}

/** Parses the commit entry file of `version`. */
export function decodeCommitEntry(bytes: Uint8Array, path: string, version: number): CommitEntry {
  const record = parseLogJson(bytes, path, version);
  if (!Array.isArray(record.add) || !Array.isArray(record.remove) || typeof record.committedAtMs !== 'number') {
    throw logCorrupt(path, 'it lacks add, remove or committedAtMs');
  }
  for (const partition of record.add as PartitionMeta[]) checkPartitionMeta(partition, path);
  if (version === 0 && (record.schema === undefined || !Array.isArray((record.schema as Schema).fields))) throw logCorrupt(path, 'the create commit has no schema');
  return {
    version,
    committedAtMs: record.committedAtMs,
    add: record.add as PartitionMeta[],
    remove: record.remove as string[],
    loadHashes: Array.isArray(record.loadHashes) ? (record.loadHashes as string[]) : [],
    info: (record.info ?? {}) as Record<string, unknown>,
    ...(version === 0 ? { schema: record.schema as Schema, options: (record.options ?? {}) as Record<string, unknown> } : {}),
    ...(isRecord(record.properties) ? { properties: record.properties } : {}),
  };
}

/** Parses the checkpoint file of `version`. */
export function decodeCheckpoint(bytes: Uint8Array, path: string, version: number): TableState {
  const record = parseLogJson(bytes, path, version);
  if (!Array.isArray(record.partitions) || !Array.isArray(record.loadHashes) || record.schema === undefined) {
    throw logCorrupt(path, 'it lacks partitions, loadHashes or schema');
  }
  const partitions = new Map<string, PartitionMeta>();
  for (const partition of record.partitions as PartitionMeta[]) {
    checkPartitionMeta(partition, path);
    partitions.set(partition.id, partition);
  }
  return {
    version,
    committedAtMs: Number(record.committedAtMs),
    schema: record.schema as Schema,
    options: (record.options ?? {}) as Record<string, unknown>,
    partitions,
    loadHashes: new Set(record.loadHashes as string[]),
    properties: isRecord(record.properties) ? record.properties : {},
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The state right after the create commit. */
export function initialState(entry: CommitEntry): TableState {
  return {
    version: 0,
    committedAtMs: entry.committedAtMs,
    schema: entry.schema!,
    options: entry.options ?? {},
    partitions: new Map(),
    loadHashes: new Set(entry.loadHashes),
    properties: withProperties({}, entry.properties),
  };
}

/** `state` with `entry` (the next version) applied; `state` itself is left unchanged. */
export function applyEntry(state: TableState, entry: CommitEntry, path: string): TableState {
  if (entry.version !== state.version + 1) throw logCorrupt(path, `version ${entry.version} follows version ${state.version}`);
  const partitions = new Map(state.partitions);
  for (const id of entry.remove) partitions.delete(id);
  for (const partition of entry.add) partitions.set(partition.id, partition);
  const loadHashes = new Set(state.loadHashes);
  for (const hash of entry.loadHashes) loadHashes.add(hash);
  const properties = withProperties(state.properties, entry.properties);
  return { ...state, version: entry.version, committedAtMs: entry.committedAtMs, partitions, loadHashes, properties };
}

/** `properties` with `changes` applied (null removes a key); the input is left unchanged. */
function withProperties(properties: Readonly<Record<string, unknown>>, changes: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  if (changes === undefined) return properties;
  const next: Record<string, unknown> = { ...properties };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The Snapshot view of a state. */
export function snapshotOf(table: string, state: TableState): Snapshot {
  return {
    table,
    version: state.version,
    schema: state.schema,
    partitions: [...state.partitions.values()],
    options: state.options,
    loadHashes: new Set(state.loadHashes),
    committedAtMs: state.committedAtMs,
  };
}

/**
 * Throws unless `actions`, prepared on `base`, can be committed on top of `latest`: every removed
 * partition must still be there (someone else removing it first is COMMIT_CONFLICT), added ids
 * must be new, and no load may have been committed by another writer since `base` (conflict
 * LOAD_ALREADY_COMMITTED: the other load won, re-loading is a no-op). Hashes already in `base`
 * are the caller's informed choice (a forced re-load) and pass.
 */
export function checkActions(table: string, base: Snapshot, latest: TableState, actions: CommitActions): void {
  for (const id of actions.remove) {
    if (!latest.partitions.has(id)) {
      throw new StrataError('conflict', 'COMMIT_CONFLICT',
        `commit to table ${table} removes partition ${id}, which version ${latest.version} does not have (another writer removed it); re-read the table and retry`,
        { partition: id, table });
    }
  }
  for (const partition of actions.add) {
    if (latest.partitions.has(partition.id)) {
      throw new StrataError('conflict', 'COMMIT_CONFLICT',
        `commit to table ${table} adds partition ${partition.id}, which version ${latest.version} already has; write the data to a new partition`,
        { partition: partition.id, table });
    }
  }
  for (const hash of actions.loadHashes ?? []) {
    if (latest.loadHashes.has(hash) && !base.loadHashes.has(hash)) {
      throw new StrataError('conflict', 'LOAD_ALREADY_COMMITTED',
        `another writer committed the load with content hash ${hash} to table ${table} after version ${base.version}; loading it again is a no-op`,
        { table, loadHash: hash });
    }
  }
}
