/**
 * Opens a store from a URL, the one form every node, CLI flag and config file uses:
 *   /abs/dir or ./rel/dir or file:///abs/dir  → LocalStore (a POSIX directory)
 *   hdfs://[user@]namenode:httpport/path      → HdfsStore over WebHDFS (http)
 *   webhdfs://… (same as hdfs://), swebhdfs://… (WebHDFS over https)
 * An HDFS URL may end in ?timeoutMs=N&retries=N (requestTimeoutMs, retriesMax), so a CLI flag
 * or config entry that holds only a URL can still set them; explicit options win over the URL.
 */
import { fileURLToPath } from 'node:url';
import { StrataError } from './errors.js';
import { HdfsStore } from './hdfs-store.js';
import { LocalStore } from './local-store.js';
import type { Store } from './store.js';

/** NameNode HTTP port when an hdfs:// URL names none (Hadoop 3's dfs.namenode.http-address). */
export const webHdfsPortDefault = 9870;

/** Options for stores that need more than their URL (HDFS credentials and limits). */
export interface OpenStoreOptions {
  /** HDFS user.name; wins over the user in the URL. */
  readonly user?: string;
  /** HDFS delegation token (secure clusters). */
  readonly delegationToken?: string;
  /** HDFS request timeout, in ms. */
  readonly requestTimeoutMs?: number;
  /** HDFS retries of transient failures. */
  readonly retriesMax?: number;
}

/** Query parameters an HDFS store URL accepts, and the option each one sets. */
const hdfsUrlParameters = { timeoutMs: 'requestTimeoutMs', retries: 'retriesMax' } as const;

const acceptedForms = "a directory path (/data/strata), file:///abs/dir, hdfs://[user@]namenode:httpport/abs/path[?timeoutMs=N&retries=N] (WebHDFS, e.g. hdfs://namenode:9870/strata), webhdfs:// or swebhdfs:// (https)";

/** Opens the store a URL names (see the forms above); input STORE_URL_INVALID for anything else. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (typeof url !== 'string' || url.trim() === '') throw invalidUrl(String(url), 'it is empty');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return LocalStore.open(url);
  if (scheme === 'file') return LocalStore.open(filePath(url));
  if (scheme === 'hdfs' || scheme === 'webhdfs' || scheme === 'swebhdfs') return HdfsStore.open(hdfsOptions(url, scheme, options));
  throw invalidUrl(url, `the scheme '${scheme}:' is not supported`);
}

function filePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw invalidUrl(url, `it is not an absolute file URL (${error instanceof Error ? error.message : String(error)})`);
  }
}

function hdfsOptions(text: string, scheme: string, options: OpenStoreOptions): ConstructorParameters<typeof HdfsStore>[0] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl(text, 'it does not parse as a URL');
  }
  if (url.hostname === '') throw invalidUrl(text, 'it names no NameNode host');
  if (url.password !== '') throw invalidUrl(text, 'it contains a password; HDFS takes a user name or a delegation token (options.delegationToken)');
  if (url.hash !== '') throw invalidUrl(text, 'it has a fragment');
  const parameters = hdfsUrlOptions(text, url.searchParams);
  const protocol = scheme === 'swebhdfs' ? 'https' : 'http';
  const port = url.port === '' ? webHdfsPortDefault : Number(url.port);
  const userInUrl = url.username === '' ? undefined : decodeURIComponent(url.username);
  return {
    // WHATWG URL keeps the brackets of an IPv6 host in hostname, so this stays a valid URL.
    namenodeUrl: `${protocol}://${url.hostname}:${port}`,
    root: decodeURIComponent(url.pathname === '' ? '/' : url.pathname),
    user: options.user ?? userInUrl,
    delegationToken: options.delegationToken,
    requestTimeoutMs: options.requestTimeoutMs ?? parameters.requestTimeoutMs,
    retriesMax: options.retriesMax ?? parameters.retriesMax,
  };
}

/** The options set by ?timeoutMs=N&retries=N; anything else in the query is refused. */
function hdfsUrlOptions(text: string, search: URLSearchParams): { requestTimeoutMs?: number; retriesMax?: number } {
  const found: { requestTimeoutMs?: number; retriesMax?: number } = {};
  for (const [name, value] of search) {
    if (!Object.hasOwn(hdfsUrlParameters, name)) {
      throw invalidUrl(text, `it has an unknown query parameter '${name}' (known: ${Object.keys(hdfsUrlParameters).join(', ')})`);
    }
    const option = hdfsUrlParameters[name as keyof typeof hdfsUrlParameters];
    if (found[option] !== undefined) throw invalidUrl(text, `it sets '${name}' twice`);
    // Digits only: Number() would also take '', '1e3' or '0x10', which nobody means here.
    const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isNaN(number) || (option === 'requestTimeoutMs' && number === 0)) {
      throw invalidUrl(text, `'${name}=${value}' is not ${option === 'requestTimeoutMs' ? 'a positive number of milliseconds' : 'a whole number >= 0'}`);
    }
    found[option] = number;
  }
  return found;
}

function invalidUrl(url: string, problem: string): StrataError {
  return new StrataError('input', 'STORE_URL_INVALID', `invalid store URL '${url}': ${problem}; use ${acceptedForms}`, { url });
}
