/**
 * The one file that speaks the WebHDFS REST API (Hadoop's HTTP interface to HDFS), over Node's
 * own fetch. It knows HDFS absolute paths, HTTP, redirects, retries and RemoteException JSON;
 * HdfsStore (hdfs-store.ts) turns it into the Store contract.
 *
 * Safety rules kept here: redirects are never followed blindly (each 307 Location is checked to
 * be http(s) with the NameNode's scheme before anything is sent to it); every request has a
 * timeout, so a dead NameNode gives a clear error rather than a hang; every response body is read
 * with a size limit.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { userInfo } from 'node:os';
import { Readable } from 'node:stream';
import { StrataError } from './errors.js';

/** Default time a request may wait for progress (connect, headers, each body chunk), in ms. */
export const webHdfsRequestTimeoutMsDefault = 30_000;
/** Default number of retries of a transient failure (so at most 5 attempts). */
export const webHdfsRetriesMaxDefault = 4;
/** First retry delay, in ms; doubled on each retry (exponential backoff), with jitter. */
const retryDelayBaseMs = 200;
/** Longest single retry delay, in ms. */
const retryDelayMaxMs = 5_000;
/** Largest JSON answer accepted, in bytes: a LISTSTATUS_BATCH page (~1000 entries) is ~300 KiB. */
const jsonBytesMax = 16 * 1024 * 1024;
/** Largest error body read, in bytes: a RemoteException with a Java stack trace is a few KiB. */
const errorBytesMax = 64 * 1024;
/** Upload slice, in bytes: the request body is written in slices so the idle timer sees progress. */
const uploadSliceBytes = 1024 * 1024;
/** Directory pages fetched for one listing before giving up (LISTSTATUS_BATCH pages). */
const listPagesMax = 100_000;

/** How to reach and authenticate to a WebHDFS endpoint. */
export interface WebHdfsClientOptions {
  /** NameNode HTTP(S) address, e.g. http://namenode:9870. */
  readonly namenodeUrl: string;
  /** user.name for simple authentication; default: the OS user running strata (as Hadoop does). */
  readonly user?: string;
  /** A delegation token (secure clusters); sent instead of user.name. */
  readonly delegationToken?: string;
  /** Time a request may wait for progress, in ms. */
  readonly requestTimeoutMs?: number;
  /** Retries of transient failures (connection refused/reset, 5xx, safe mode, standby). */
  readonly retriesMax?: number;
}

/** The FileStatus JSON object of WebHDFS (fields strata uses). */
export interface WebHdfsFileStatus {
  /** Name relative to the listed directory; '' for GETFILESTATUS. */
  readonly pathSuffix: string;
  readonly type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  readonly length: number;
  /** Milliseconds since epoch. */
  readonly modificationTime: number;
  readonly owner: string;
  readonly group: string;
  /** Octal permission, e.g. "755". */
  readonly permission: string;
}

/** Where one block of a file lives. */
export interface HdfsBlockLocation {
  /** Byte offset of the block in the file. */
  readonly offset: number;
  /** Bytes in the block. */
  readonly length: number;
  /** Host names of the DataNodes holding a replica. */
  readonly hosts: readonly string[];
  /** host:port transfer addresses of the same DataNodes, in the same order. */
  readonly names: readonly string[];
}

/** What an operation is about, for error messages: the operation and the path as the user knows it. */
export interface WebHdfsContext {
  /** Verb phrase: 'read', 'write', 'list', ... */
  readonly operation: string;
  /** The store-relative path (put in error details). */
  readonly storePath: string;
}

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
type Params = Record<string, string | number | boolean | undefined>;

/** Thrown by one attempt when a retry may succeed; carries the error to give up with. */
class RetriableFailure extends Error {
  constructor(readonly failure: StrataError, readonly dataNodeUrl?: URL) {
    super(failure.message);
  }
}

/** A timer that aborts a request when nothing happens for `timeoutMs`; touch() on progress. */
class IdleTimer {
  readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;

  constructor(private readonly timeoutMs: number) {
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** A WebHDFS client: one NameNode, simple or delegation-token authentication. */
export class WebHdfsClient {
  /** NameNode base URL without a trailing '/'. */
  readonly namenodeUrl: string;
  /** The user the requests run as (for messages); undefined with a delegation token. */
  readonly user: string | undefined;
  private readonly delegationToken: string | undefined;
  private readonly requestTimeoutMs: number;
  private readonly retriesMax: number;
  private readonly namenodeProtocol: string;

  constructor(options: WebHdfsClientOptions) {
    const parsed = parseNamenodeUrl(options.namenodeUrl);
    this.namenodeUrl = parsed.origin;
    this.namenodeProtocol = parsed.protocol;
    this.delegationToken = options.delegationToken;
    this.user = options.delegationToken === undefined ? (options.user ?? userInfo().username) : options.user;
    this.requestTimeoutMs = positiveInteger(options.requestTimeoutMs ?? webHdfsRequestTimeoutMsDefault, 'requestTimeoutMs');
    this.retriesMax = nonNegativeInteger(options.retriesMax ?? webHdfsRetriesMaxDefault, 'retriesMax');
  }

  /** GETFILESTATUS; null when the path does not exist. */
  async getFileStatus(path: string, context: WebHdfsContext): Promise<WebHdfsFileStatus | null> {
    try {
      const answer = await this.json('GET', path, { op: 'GETFILESTATUS' }, context);
      return fileStatusOf(answer, 'FileStatus', this.where(path));
    } catch (error) {
      if (error instanceof StrataError && error.code === 'STORE_FILE_NOT_FOUND') return null;
      throw error;
    }
  }

  /** Entries of a directory, paging with LISTSTATUS_BATCH (falls back to LISTSTATUS); null when absent. */
  async listStatus(path: string, context: WebHdfsContext): Promise<WebHdfsFileStatus[] | null> {
    const entries: WebHdfsFileStatus[] = [];
    let startAfter: string | undefined;
    try {
      for (let page = 0; page < listPagesMax; page += 1) {
        const answer = await this.json('GET', path, { op: 'LISTSTATUS_BATCH', startAfter }, context);
        const listing = objectField(answer, 'DirectoryListing', this.where(path));
        const partial = objectField(listing, 'partialListing', this.where(path));
        const batch = fileStatusList(partial, this.where(path));
        entries.push(...batch);
        const remaining = Number((listing as { remainingEntries?: unknown }).remainingEntries ?? 0);
        if (remaining <= 0 || batch.length === 0) return entries;
        startAfter = batch[batch.length - 1]!.pathSuffix;
      }
    } catch (error) {
      if (error instanceof StrataError && error.code === 'STORE_FILE_NOT_FOUND') return null;
      // Servers before Hadoop 2.8 (and HttpFS) know no LISTSTATUS_BATCH: one unpaged LISTSTATUS.
      if (startAfter === undefined && isUnsupportedOperation(error)) return this.listStatusUnpaged(path, context);
      throw error;
    }
    throw new StrataError('resources', 'STORE_LISTING_TOO_LARGE',
      `cannot list ${this.where(path)}: more than ${listPagesMax} pages of entries; split the directory`, { path: context.storePath });
  }

  private async listStatusUnpaged(path: string, context: WebHdfsContext): Promise<WebHdfsFileStatus[] | null> {
    try {
      return fileStatusList(await this.json('GET', path, { op: 'LISTSTATUS' }, context), this.where(path));
    } catch (error) {
      if (error instanceof StrataError && error.code === 'STORE_FILE_NOT_FOUND') return null;
      throw error;
    }
  }

  /**
   * CREATE in two steps: PUT to the NameNode without a body, check the 307 Location it answers,
   * then PUT the bytes to that DataNode. The file is visible (with its final content) once the
   * DataNode closes it, which happens before it answers 201.
   */
  async create(path: string, chunks: readonly Uint8Array[], overwrite: boolean, context: WebHdfsContext): Promise<void> {
    const excluded: string[] = [];
    await this.retrying(context, path, async () => {
      const params = { op: 'CREATE', overwrite, excludedatanodes: excluded.join(',') || undefined };
      const location = await this.redirect('PUT', path, params, context);
      try {
        await this.exchange('PUT', location, context, path, chunks, async (answer) => {
          if (answer.status !== 201 && answer.status !== 200) throw await this.failure(answer, path, context);
          await readBounded(answer, errorBytesMax, undefined);
        });
      } catch (error) {
        if (error instanceof RetriableFailure && error.dataNodeUrl) excluded.push(error.dataNodeUrl.hostname);
        throw error;
      }
    });
  }

  /** OPEN: `length` bytes (or the rest of the file) from `offset`, at most `bytesMax` bytes. */
  async open(path: string, offset: number, length: number | undefined, bytesMax: number, context: WebHdfsContext): Promise<Uint8Array> {
    const excluded: string[] = [];
    return this.retrying(context, path, async () => {
      const params = { op: 'OPEN', offset, length, excludedatanodes: excluded.join(',') || undefined };
      const location = await this.redirect('GET', path, params, context);
      try {
        return await this.exchange('GET', location, context, path, undefined, async (answer, timer) => {
          if (answer.status !== 200) throw await this.failure(answer, path, context);
          return readBounded(answer, bytesMax, timer, () => this.tooLarge(path, context, bytesMax));
        });
      } catch (error) {
        if (error instanceof RetriableFailure && error.dataNodeUrl) {
          excluded.push(await this.dataNodeExclusion(error.dataNodeUrl, path, context));
        }
        throw error;
      }
    });
  }

  /**
   * RENAME with renameoptions=NONE (HDFS rename2): atomic, and it fails with
   * FileAlreadyExistsException when `to` exists and FileNotFoundException when `from` or the
   * parent of `to` is missing. A server that ignores the option answers {"boolean": false}
   * instead; the cause is then found by looking.
   */
  async rename(from: string, to: string, context: WebHdfsContext): Promise<void> {
    const answer = await this.json('PUT', from, { op: 'RENAME', destination: to, renameoptions: 'NONE' }, context);
    if (answer === null || (answer as { boolean?: unknown }).boolean !== false) return;
    if ((await this.getFileStatus(from, context)) === null) {
      throw new StrataError('not_found', 'STORE_FILE_NOT_FOUND',
        `cannot ${context.operation} ${this.where(from)}: no such file or directory`, { path: context.storePath });
    }
    if ((await this.getFileStatus(to, context)) !== null) throw this.exists(to, context);
    throw new StrataError('io', 'STORE_IO_ERROR',
      `cannot ${context.operation} ${this.where(from)} to ${to}: the NameNode refused the rename without saying why; check that the target's parent directory exists`,
      { path: context.storePath });
  }

  /** DELETE; false when nothing was there. */
  async delete(path: string, recursive: boolean, context: WebHdfsContext): Promise<boolean> {
    const answer = await this.json('DELETE', path, { op: 'DELETE', recursive }, context);
    return (answer as { boolean?: unknown } | null)?.boolean === true;
  }

  /** MKDIRS (with parents). */
  async mkdirs(path: string, context: WebHdfsContext): Promise<void> {
    const answer = await this.json('PUT', path, { op: 'MKDIRS' }, context);
    if ((answer as { boolean?: unknown } | null)?.boolean !== true) {
      throw new StrataError('io', 'STORE_IO_ERROR',
        `cannot create directory ${this.where(path)}: the NameNode refused (is a file in the way?)`, { path: context.storePath });
    }
  }

  /** SETOWNER (superuser only in HDFS). */
  async setOwner(path: string, owner: string, group: string | undefined, context: WebHdfsContext): Promise<void> {
    await this.json('PUT', path, { op: 'SETOWNER', owner, group }, context);
  }

  /** SETPERMISSION, octal as a string such as '700'. */
  async setPermission(path: string, permission: string, context: WebHdfsContext): Promise<void> {
    await this.json('PUT', path, { op: 'SETPERMISSION', permission }, context);
  }

  /** GETFILEBLOCKLOCATIONS (Hadoop 3.2+), or the older GET_BLOCK_LOCATIONS. */
  async blockLocations(path: string, context: WebHdfsContext): Promise<HdfsBlockLocation[]> {
    let answer: unknown;
    try {
      answer = await this.json('GET', path, { op: 'GETFILEBLOCKLOCATIONS' }, context);
    } catch (error) {
      if (!isUnsupportedOperation(error)) throw error;
      return this.locatedBlocks(path, context);
    }
    const wrapper = objectField(answer, 'BlockLocations', this.where(path));
    const blocks = (wrapper as { BlockLocation?: unknown }).BlockLocation;
    if (!Array.isArray(blocks)) throw this.protocolError(path, context, 'BlockLocations has no BlockLocation array');
    return blocks.map((block: Record<string, unknown>) => ({
      offset: Number(block.offset),
      length: Number(block.length),
      hosts: stringArray(block.hosts),
      names: stringArray(block.names),
    }));
  }

  private async locatedBlocks(path: string, context: WebHdfsContext): Promise<HdfsBlockLocation[]> {
    const answer = await this.json('GET', path, { op: 'GET_BLOCK_LOCATIONS' }, context);
    const located = objectField(answer, 'LocatedBlocks', this.where(path)) as { locatedBlocks?: unknown };
    const blocks = Array.isArray(located.locatedBlocks) ? located.locatedBlocks : [];
    return blocks.map((block: { startOffset?: unknown; block?: { numBytes?: unknown }; locations?: unknown }) => {
      const nodes = Array.isArray(block.locations) ? block.locations as Array<Record<string, unknown>> : [];
      return {
        offset: Number(block.startOffset),
        length: Number(block.block?.numBytes ?? 0),
        hosts: nodes.map((node) => String(node.hostName)),
        names: nodes.map((node) => `${String(node.ipAddr)}:${String(node.xferPort)}`),
      };
    });
  }

  /**
   * The excludedatanodes entry for a DataNode that failed: the NameNode matches host:port
   * against transfer addresses, while the redirect names the HTTP port, so the transfer address
   * is looked up in the file's block locations; the host alone when that is not possible.
   */
  private async dataNodeExclusion(dataNode: URL, path: string, context: WebHdfsContext): Promise<string> {
    try {
      const answer = await this.json('GET', path, { op: 'GET_BLOCK_LOCATIONS' }, context);
      const located = objectField(answer, 'LocatedBlocks', this.where(path)) as { locatedBlocks?: unknown };
      const blocks = Array.isArray(located.locatedBlocks) ? located.locatedBlocks : [];
      for (const block of blocks as Array<{ locations?: Array<Record<string, unknown>> }>) {
        for (const node of block.locations ?? []) {
          const sameHost = node.hostName === dataNode.hostname || node.ipAddr === dataNode.hostname;
          if (sameHost && String(node.infoPort) === dataNode.port) return `${String(node.ipAddr)}:${String(node.xferPort)}`;
        }
      }
    } catch {
      // Not every server answers GET_BLOCK_LOCATIONS; excluding the host is the fallback.
    }
    return dataNode.hostname;
  }

  /** A NameNode call answered with JSON (or an empty 200). */
  private async json(method: Method, path: string, params: Params, context: WebHdfsContext): Promise<unknown> {
    return this.retrying(context, path, () =>
      this.exchange(method, this.operationUrl(path, params), context, path, undefined, async (answer, timer) => {
        if (answer.status !== 200) throw await this.failure(answer, path, context);
        const body = await readBounded(answer, jsonBytesMax, timer, () => this.tooLarge(path, context, jsonBytesMax));
        if (body.length === 0) return null;
        try {
          return JSON.parse(new TextDecoder().decode(body)) as unknown;
        } catch {
          throw this.protocolError(path, context, `the NameNode answered ${params.op} with a body that is not JSON`);
        }
      }));
  }

  /** The NameNode step of a two-step operation: its 307 Location, validated. */
  private async redirect(method: Method, path: string, params: Params, context: WebHdfsContext): Promise<URL> {
    return this.exchange(method, this.operationUrl(path, params), context, path, undefined, async (answer) => {
      if (answer.status !== 307 && answer.status !== 302 && answer.status !== 303) {
        if (answer.status >= 400) throw await this.failure(answer, path, context);
        await answer.body?.cancel();
        throw this.protocolError(path, context, `the NameNode answered ${params.op} with HTTP ${answer.status}, expected a 307 redirect to a DataNode`);
      }
      await answer.body?.cancel();
      return this.checkedLocation(answer.headers.get('location'), path, context);
    });
  }

  private checkedLocation(location: string | null, path: string, context: WebHdfsContext): URL {
    let target: URL | undefined;
    try {
      target = location === null ? undefined : new URL(location, this.namenodeUrl);
    } catch {
      target = undefined;
    }
    if (target === undefined || (target.protocol !== 'http:' && target.protocol !== 'https:') || target.protocol !== this.namenodeProtocol) {
      throw new StrataError('io', 'STORE_REDIRECT_INVALID',
        `cannot ${context.operation} ${this.where(path)}: the NameNode redirected to '${location ?? '(no Location header)'}', ` +
        `which is not an ${this.namenodeProtocol.slice(0, -1)} URL like the NameNode's own; refusing to follow it (check the NameNode's DataNode addresses)`,
        { path: context.storePath, location });
    }
    return target;
  }

  /**
   * One HTTP exchange with an idle timeout; network failures and timeouts become
   * RetriableFailure, so the operation's retry loop decides what happens next.
   */
  private async exchange<T>(method: Method, url: URL, context: WebHdfsContext, path: string, body: readonly Uint8Array[] | undefined,
    handle: (response: Response, timer: IdleTimer) => Promise<T>): Promise<T> {
    const timer = new IdleTimer(this.requestTimeoutMs);
    const toDataNode = url.origin !== this.namenodeUrl;
    try {
      const response = body === undefined
        ? await fetch(url, { method, redirect: 'manual', signal: timer.controller.signal })
        : await upload(method, url, body, timer);
      timer.touch();
      return await handle(response, timer);
    } catch (error) {
      if (error instanceof StrataError || error instanceof RetriableFailure) throw error;
      throw this.networkFailure(error, timer.timedOut, url, toDataNode, path, context);
    } finally {
      timer.clear();
    }
  }

  private networkFailure(error: unknown, timedOut: boolean, url: URL, toDataNode: boolean, path: string, context: WebHdfsContext): Error {
    const code = errorCode(error);
    const reason = timedOut ? `no answer within ${this.requestTimeoutMs} ms (requestTimeoutMs)` : `${describeError(error)}`;
    const server = toDataNode ? `the HDFS DataNode at ${url.origin}` : `the HDFS NameNode at ${this.namenodeUrl}`;
    const failure = new StrataError('io', 'STORE_UNAVAILABLE',
      `cannot ${context.operation} ${this.where(path)}: ${server} is unreachable (${reason}); ` +
      `check that HDFS is running and that the WebHDFS address is right (timeout ${this.requestTimeoutMs} ms)`,
      { path: context.storePath, url: url.origin, cause: code ?? (timedOut ? 'TIMEOUT' : undefined) }, { cause: error });
    if (timedOut || (code !== undefined && transientNetworkCodes.has(code))) {
      return new RetriableFailure(failure, toDataNode ? url : undefined);
    }
    return failure;
  }

  /** Runs `attempt`, retrying RetriableFailure with exponential backoff within the time budget. */
  private async retrying<T>(context: WebHdfsContext, path: string, attempt: () => Promise<T>): Promise<T> {
    // The whole operation, retries and their delays included, gives up once requestTimeoutMs
    // has passed: an unreachable NameNode must be reported, not waited on indefinitely.
    const deadlineMs = Date.now() + this.requestTimeoutMs;
    for (let attemptIndex = 0; ; attemptIndex += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof RetriableFailure)) throw error;
        const delayMs = Math.min(retryDelayMaxMs, retryDelayBaseMs * 2 ** attemptIndex) * (0.5 + Math.random() / 2);
        if (attemptIndex >= this.retriesMax || Date.now() + delayMs > deadlineMs) throw this.givenUp(error.failure, attemptIndex + 1, path, context);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private givenUp(failure: StrataError, attempts: number, path: string, context: WebHdfsContext): StrataError {
    const message = `${failure.message}; gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    return new StrataError(failure.kind, failure.code, message, { ...failure.details, path: context.storePath, attempts }, { cause: failure.cause });
  }

  /** The StrataError (or RetriableFailure) for an HTTP error answer. */
  private async failure(response: Response, path: string, context: WebHdfsContext): Promise<Error> {
    let remote: { exception?: string; javaClassName?: string; message?: string } | undefined;
    try {
      const body = await readBounded(response, errorBytesMax, undefined);
      const parsed = JSON.parse(new TextDecoder().decode(body)) as { RemoteException?: typeof remote };
      remote = parsed.RemoteException;
    } catch {
      remote = undefined;
    }
    const exception = remote?.exception ?? '';
    // Hadoop puts the server's stack trace into the message: keep its first line.
    const detail = (remote?.message ?? '').split('\n')[0]!.trim();
    const error = this.remoteError(response.status, exception, detail, path, context);
    const transient = transientExceptions.has(exception) || (exception === '' && (response.status >= 500 || response.status === 429));
    if (!transient) return error;
    const unavailable = new StrataError('io', 'STORE_UNAVAILABLE',
      `cannot ${context.operation} ${this.where(path)}: HDFS is temporarily unavailable (${exception || `HTTP ${response.status}`}${detail ? `: ${detail}` : ''}); ` +
      `retry later${exception === 'StandbyException' ? ', or point strata at the active NameNode' : ''}`,
      { path: context.storePath, url: this.namenodeUrl, exception, status: response.status });
    return new RetriableFailure(unavailable);
  }

  private remoteError(status: number, exception: string, detail: string, path: string, context: WebHdfsContext): StrataError {
    const details = { path: context.storePath, exception, status };
    switch (exception) {
      case 'FileAlreadyExistsException':
        return this.exists(path, context);
      case 'FileNotFoundException':
        return new StrataError('not_found', 'STORE_FILE_NOT_FOUND',
          `cannot ${context.operation} ${this.where(path)}: no such file or directory (${detail})`, details);
      case 'AccessControlException':
      case 'SecurityException':
      case 'AuthorizationException':
        return new StrataError('auth', 'STORE_PERMISSION_DENIED',
          `cannot ${context.operation} ${this.where(path)} as HDFS user '${this.user ?? '(delegation token)'}': permission denied (${detail}); ` +
          `grant that user access (hdfs dfs -chmod / -chown) or connect as a user who has it (hdfs://USER@host:port/path)`,
          { ...details, user: this.user });
    }
    if (status === 401 || (status === 403 && exception === '')) {
      return new StrataError('auth', 'STORE_PERMISSION_DENIED',
        `cannot ${context.operation} ${this.where(path)} as HDFS user '${this.user ?? '(delegation token)'}': HTTP ${status}; check the user name or delegation token`,
        { ...details, user: this.user });
    }
    return new StrataError('io', 'STORE_IO_ERROR',
      `cannot ${context.operation} ${this.where(path)}: HDFS answered HTTP ${status} ${exception || ''}${detail ? `: ${detail}` : ''}`, details);
  }

  private exists(path: string, context: WebHdfsContext): StrataError {
    return new StrataError('conflict', 'STORE_FILE_EXISTS',
      `cannot ${context.operation} ${this.where(path)}: the file already exists and store files are immutable; write to a new path`,
      { path: context.storePath });
  }

  private tooLarge(path: string, context: WebHdfsContext, bytesMax: number): StrataError {
    return new StrataError('resources', 'STORE_RESPONSE_TOO_LARGE',
      `cannot ${context.operation} ${this.where(path)}: the answer is larger than ${bytesMax} bytes; read it in ranges`,
      { path: context.storePath, bytesMax });
  }

  private protocolError(path: string, context: WebHdfsContext, what: string): StrataError {
    return new StrataError('io', 'STORE_PROTOCOL_ERROR',
      `cannot ${context.operation} ${this.where(path)}: ${what}; is ${this.namenodeUrl} a WebHDFS endpoint?`, { path: context.storePath });
  }

  /** hdfs://host:port/path, for messages. */
  private where(path: string): string {
    return `hdfs://${new URL(this.namenodeUrl).host}${path}`;
  }

  private operationUrl(path: string, params: Params): URL {
    const url = new URL(`${this.namenodeUrl}/webhdfs/v1${encodePath(path)}`);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    if (this.delegationToken !== undefined) url.searchParams.set('delegation', this.delegationToken);
    else if (this.user !== undefined) url.searchParams.set('user.name', this.user);
    return url;
  }
}

/** Network error codes worth a retry: the server may be restarting or a connection was cut. */
const transientNetworkCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

/** RemoteExceptions that say "try again": safe mode, a standby NameNode, an explicit retriable. */
const transientExceptions = new Set(['SafeModeException', 'RetriableException', 'StandbyException', 'ObserverRetryOnActiveException']);

function parseNamenodeUrl(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '')) {
    throw new StrataError('input', 'STORE_URL_INVALID',
      `invalid WebHDFS NameNode URL '${text}': use http://HOST:PORT or https://HOST:PORT (the NameNode's HTTP address, e.g. http://namenode:9870)`,
      { url: text });
  }
  return url;
}

function positiveInteger(value: number, name: string): number {
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new StrataError('input', 'STORE_OPTION_INVALID', `invalid HDFS store option ${name}=${value}: use a positive integer`, { option: name });
}

function nonNegativeInteger(value: number, name: string): number {
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw new StrataError('input', 'STORE_OPTION_INVALID', `invalid HDFS store option ${name}=${value}: use an integer >= 0`, { option: name });
}

/** Percent-encodes each segment of an absolute HDFS path. */
function encodePath(path: string): string {
  return path.split('/').map((segment) => encodeURIComponent(segment)).join('/');
}

/**
 * Sends a body with node:http rather than fetch: a DataNode answers CREATE with an unsolicited
 * "100 Continue" before its final status, and fetch (undici) drops the connection on any 1xx.
 * The caller's arrays are written in slices (no copy), with backpressure, each slice resetting
 * the idle timer; the answer comes back as a fetch Response so both paths are handled alike.
 */
function upload(method: Method, url: URL, chunks: readonly Uint8Array[], timer: IdleTimer): Promise<Response> {
  const contentLength = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const request = send(url, {
      method,
      signal: timer.controller.signal,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(contentLength) },
    }, (answer) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const status = answer.statusCode ?? 0;
      const noBody = status === 204 || status === 304;
      resolve(new Response(noBody ? null : (Readable.toWeb(answer) as ReadableStream<Uint8Array>), { status, headers }));
    });
    request.on('error', reject);
    writeSlices(request, chunks, timer).then(() => request.end(), (error: unknown) => request.destroy(error as Error));
  });
}

async function writeSlices(request: ClientRequest, chunks: readonly Uint8Array[], timer: IdleTimer): Promise<void> {
  for (const chunk of chunks) {
    for (let offset = 0; offset < chunk.length; offset += uploadSliceBytes) {
      if (request.destroyed) return;
      const writable = request.write(chunk.subarray(offset, Math.min(chunk.length, offset + uploadSliceBytes)));
      timer.touch();
      if (!writable) await new Promise<void>((resolve) => {
        const done = (): void => {
          request.off('drain', done);
          request.off('close', done);
          resolve();
        };
        request.once('drain', done);
        request.once('close', done);
      });
    }
  }
}

/** Reads a body of at most `bytesMax` bytes; `tooLarge` makes the error when it is bigger. */
async function readBounded(response: Response, bytesMax: number, timer: IdleTimer | undefined, tooLarge?: () => StrataError): Promise<Uint8Array> {
  const fail = tooLarge ?? (() => new StrataError('resources', 'STORE_RESPONSE_TOO_LARGE', `an HDFS answer is larger than ${bytesMax} bytes`));
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isSafeInteger(declared) && declared > bytesMax) {
    await response.body?.cancel();
    throw fail();
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  // With a declared length the bytes go straight into one buffer; otherwise chunks are joined.
  const exact = Number.isSafeInteger(declared) ? new Uint8Array(declared) : undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    timer?.touch();
    if (total + value.length > bytesMax || (exact !== undefined && total + value.length > exact.length)) {
      await reader.cancel();
      throw fail();
    }
    if (exact !== undefined) exact.set(value, total);
    else chunks.push(value);
    total += value.length;
  }
  if (exact !== undefined) return total === exact.length ? exact : exact.subarray(0, total);
  return concatenate(chunks, total);
}

function concatenate(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

function objectField(value: unknown, name: string, where: string): object {
  const field = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  if (typeof field !== 'object' || field === null) {
    throw new StrataError('io', 'STORE_PROTOCOL_ERROR', `unexpected WebHDFS answer for ${where}: no '${name}' object`, {});
  }
  return field;
}

function fileStatusOf(value: unknown, name: string, where: string): WebHdfsFileStatus {
  return objectField(value, name, where) as WebHdfsFileStatus;
}

function fileStatusList(value: unknown, where: string): WebHdfsFileStatus[] {
  const statuses = objectField(value, 'FileStatuses', where) as { FileStatus?: unknown };
  if (!Array.isArray(statuses.FileStatus)) {
    throw new StrataError('io', 'STORE_PROTOCOL_ERROR', `unexpected WebHDFS answer for ${where}: no FileStatus array`, {});
  }
  return statuses.FileStatus as WebHdfsFileStatus[];
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** True when the server says it does not know the operation (an older Hadoop, or HttpFS). */
function isUnsupportedOperation(error: unknown): boolean {
  if (!(error instanceof StrataError) || error.code !== 'STORE_IO_ERROR') return false;
  const exception = String(error.details.exception ?? '');
  return exception === 'IllegalArgumentException' || exception === 'UnsupportedOperationException' ||
    /Invalid value for webhdfs parameter "op"|No enum constant/.test(error.message);
}

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (current instanceof Error) parts.push(current.message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(': ') || String(error);
}
