/** `strata cluster list | remove ID | activate ID --url URL`: membership, through any node's REST API. */
import { StrataError } from '../storage/index.js';
import { usageError } from './usage.js';

/** Options of `strata cluster`. */
export interface ClusterCommandOptions {
  readonly action?: string;
  readonly id?: string;
  readonly url?: string;
  readonly token?: string;
}

interface MemberView { id: string; url: string; state: string; live: boolean; lastSeenMs: number | null }

async function call(base: string, token: string | undefined, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new StrataError('io', 'CONNECTION_FAILED', `cannot reach ${base}: ${(error as Error).message}`);
  }
  const payload = await response.json() as Record<string, unknown>;
  const error = payload.error as { kind: StrataError['kind']; code: string; message: string } | undefined;
  if (error !== undefined) throw new StrataError(error.kind, error.code, error.message);
  return payload;
}

/** Runs `strata cluster`. */
export async function clusterCommand(options: ClusterCommandOptions): Promise<void> {
  if (options.url === undefined) throw usageError('strata cluster needs --url http://HOST:PORT (any node of the cluster)');
  const base = options.url.replace(/^ws/, 'http').replace(/\/+$/, '');
  if (options.action === 'list') {
    const payload = await call(base, options.token, '/v1/cluster');
    const members = payload.members as MemberView[];
    process.stdout.write('id | url | state | live\n');
    for (const member of members) process.stdout.write(`${member.id} | ${member.url} | ${member.state} | ${member.live ? 'yes' : 'no'}\n`);
    return;
  }
  if (options.action === 'remove' || options.action === 'activate') {
    if (options.id === undefined) throw usageError(`strata cluster ${options.action} needs a node ID`);
    await call(base, options.token, `/v1/cluster/${options.action}`, { id: options.id });
    process.stdout.write(`node ${options.id} is ${options.action === 'remove' ? 'dormant: it finishes its running work and gets no new work' : 'active'}\n`);
    return;
  }
  throw usageError(`strata cluster takes list, remove ID or activate ID, not '${options.action ?? ''}'`);
}
