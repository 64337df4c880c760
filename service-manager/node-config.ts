/**
 * A service manager's configuration, parsed and validated once at start-up (CLI flags and an
 * optional JSON file) and passed down as one typed object.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute } from 'node:path';
import { StrataError } from '../storage/index.js';
import { compactionJobDefault, type CompactionJobConfig } from './compaction-job.js';
import { resolveIngestRoots } from './distributed-ingest-paths.js';

/** Everything a node needs to run. */
export interface NodeConfig {
  /** Node id: letters, digits, '-', '_' (1-64). */
  readonly id: string;
  /** Store location: directory, file:// or hdfs:// URL. */
  readonly store: string;
  /** Address to bind; 127.0.0.1 unless told otherwise. */
  readonly host: string;
  /**
   * The host name other nodes reach this one by, written into its cluster URL, and the host that
   * placement matches against HDFS block locations (--advertise-host; the machine's host name when
   * binding a wildcard address such as 0.0.0.0; else the bind address is used).
   */
  readonly advertiseHost?: string;
  readonly port: number;
  /** Bearer token; required when host is not a loopback address. */
  readonly token: string | null;
  readonly limits: NodeLimits;
  /**
   * Real paths of the directories clients may ingest files from by path. Empty: any absolute
   * path on a loopback-bound node, none on any other (docs/ingest.md).
   */
  readonly ingestRoots?: readonly string[];
  /** Background compaction (config file "compaction": {enabled, intervalMs, pauseMs, zstdLevel, vacuumRetainMs}); on by default. */
  readonly compaction?: CompactionJobConfig;
  /** Directory for the spill files of sorts and aggregations past the query memory limit (config "spillDirectory"); default <tmpdir>/strata-spill-<uid>. */
  readonly spillDirectory?: string;
}

/** Named limits, each with the reason for its default. */
export interface NodeLimits {
  /** Largest client WebSocket message: a SQL text plus envelope never needs more than 1 MiB. */
  readonly wsMessageBytesMax: number;
  /** Unsent bytes a socket may hold before a query pauses (backpressure): bounds memory per client. */
  readonly wsBufferedBytesMax: number;
  /** Queries running at once on one connection: one client cannot monopolise the node. */
  readonly queriesPerConnectionMax: number;
  /** Queries running at once on the node, over all connections. */
  readonly queriesPerNodeMax: number;
  /** Rows a REST /v1/sql answer may hold; larger results belong on the WebSocket stream. */
  readonly restRowsMax: number;
  /** Rows per streamed JSON rows message: small enough to interleave queries, large enough to be cheap. */
  readonly streamRowsPerMessage: number;
  /** Memory one query's operators may hold. */
  readonly queryMemoryBytesMax: number;
  /** Spill file bytes the node may hold at once over all queries: keeps spilling queries from filling the disk. */
  readonly spillBytesMax: number;
  /** Time a query may run before it is cancelled. */
  readonly queryTimeoutMs: number;
  /** Time SIGTERM waits for running queries before cancelling them. */
  readonly shutdownGraceMs: number;
}

/** Defaults of NodeLimits. */
export const nodeLimitsDefault: NodeLimits = {
  wsMessageBytesMax: 1024 * 1024,
  wsBufferedBytesMax: 8 * 1024 * 1024,
  queriesPerConnectionMax: 8,
  queriesPerNodeMax: 64,
  restRowsMax: 100_000,
  streamRowsPerMessage: 4096,
  queryMemoryBytesMax: 1024 * 1024 * 1024,
  spillBytesMax: 32 * 1024 * 1024 * 1024,
  queryTimeoutMs: 30 * 60 * 1000,
  shutdownGraceMs: 10_000,
};

/** Raw options as they come from the command line. */
export interface NodeConfigInput {
  readonly id?: string;
  readonly store?: string;
  readonly host?: string;
  /** --advertise-host NAME. */
  readonly advertiseHost?: string;
  readonly port?: string;
  readonly token?: string;
  readonly configFile?: string;
  /** --ingest-root DIR, repeatable; replaces "ingestRoots" of the config file. */
  readonly ingestRoots?: readonly string[];
}

function configError(message: string): StrataError {
  return new StrataError('input', 'NODE_CONFIG_INVALID', message);
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw configError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw configError(`config file ${path} is not a JSON object: ${(error as Error).message}`);
  }
}

function limitsFrom(file: Record<string, unknown>): NodeLimits {
  const given = (file.limits ?? {}) as Record<string, unknown>;
  const limits: Record<string, number> = { ...nodeLimitsDefault };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in nodeLimitsDefault)) throw configError(`unknown limit '${key}'; known: ${Object.keys(nodeLimitsDefault).join(', ')}`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw configError(`limit ${key} must be a positive integer`);
    limits[key] = value;
  }
  return limits as unknown as NodeLimits;
}

function ingestRootsFrom(file: Record<string, unknown>): string[] {
  const roots = file.ingestRoots ?? [];
  if (!Array.isArray(roots) || !roots.every((root) => typeof root === 'string' && root !== '')) {
    throw configError('"ingestRoots" in the config file must be an array of directory paths');
  }
  return roots as string[];
}

/** The "compaction" object of the config file over the defaults; every value checked. */
function compactionFrom(file: Record<string, unknown>): CompactionJobConfig {
  const given = file.compaction ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw configError('"compaction" in the config file must be an object');
  const config: Record<string, number | boolean> = { ...compactionJobDefault };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in compactionJobDefault)) throw configError(`unknown compaction setting '${key}'; known: ${Object.keys(compactionJobDefault).join(', ')}`);
    const valid = key === 'enabled' ? typeof value === 'boolean'
      : typeof value === 'number' && Number.isInteger(value) && value >= (key === 'intervalMs' || key === 'zstdLevel' ? 1 : 0) && (key !== 'zstdLevel' || value <= 22);
    if (!valid) throw configError(`compaction.${key} must be ${key === 'enabled' ? 'true or false' : key === 'zstdLevel' ? 'an integer 1-22' : 'a non-negative integer'}`);
    config[key] = value as number | boolean;
  }
  return config as unknown as CompactionJobConfig;
}

/** The "spillDirectory" of the config file: an absolute path, or undefined for the default. */
function spillDirectoryFrom(file: Record<string, unknown>): string | undefined {
  const directory = file.spillDirectory;
  if (directory === undefined) return undefined;
  if (typeof directory !== 'string' || !isAbsolute(directory)) throw configError('"spillDirectory" in the config file must be an absolute directory path');
  return directory;
}

/** True for the addresses that bind every interface: nobody can reach a node by them. */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** The advertised host: given, else the machine's name for a wildcard bind; validated as a URL host. */
function advertiseHostOf(given: string | undefined, bindHost: string): string | undefined {
  const host = given ?? (isWildcard(bindHost) ? hostname() : undefined);
  if (host === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]{1,253}$/.test(host) && !/^\[?[0-9A-Fa-f:.]+\]?$/.test(host)) {
    throw configError(`advertise host '${host}' must be a host name or IP address that other nodes can reach this one by`);
  }
  return host;
}

/** Parses and validates a node's configuration; flags win over the file. */
export function parseNodeConfig(input: NodeConfigInput): NodeConfig {
  const file = input.configFile === undefined ? {} : readConfigFile(input.configFile);
  const pick = (flag: string | undefined, key: string): string | undefined => flag ?? (file[key] === undefined ? undefined : String(file[key]));
  const id = pick(input.id, 'id') ?? 'node1';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw configError(`node id '${id}' must be 1-64 letters, digits, '-' or '_'`);
  const store = pick(input.store, 'store');
  if (store === undefined) throw configError('a node needs a store: --store DIR (or "store" in the config file)');
  const host = pick(input.host, 'host') ?? '127.0.0.1';
  const advertiseHost = advertiseHostOf(pick(input.advertiseHost, 'advertiseHost'), host);
  const portText = pick(input.port, 'port') ?? '7070';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw configError(`port '${portText}' must be a whole number 0-65535`);
  const token = pick(input.token, 'token') ?? null;
  if (!isLoopback(host) && (token === null || token.length < 16)) {
    throw configError(`binding ${host} (not a loopback address) requires credentials: give --token with at least 16 characters ` +
      '(or "token" in the config file); clients then send "Authorization: Bearer <token>"');
  }
  return { id, store, host, advertiseHost, port, token, limits: limitsFrom(file), ingestRoots: resolveIngestRoots(input.ingestRoots ?? ingestRootsFrom(file)),
    compaction: compactionFrom(file), spillDirectory: spillDirectoryFrom(file) };
}
