/** Starts real service-manager processes (`strata node start`) on loopback for tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cliPath } from './paths.js';

/** A running node process. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Log lines (parsed JSON) so far. */
  readonly logs: Record<string, unknown>[];
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL. */
  kill(): Promise<void>;
}

/** Starts `strata node start ARGS…` and waits for its "listening" line. */
export function startNodeProcess(args: readonly string[], timeoutMs = 30_000): Promise<NodeProcess> {
  const child = spawn(process.execPath, [cliPath, 'node', 'start', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`node did not start in ${timeoutMs} ms: ${stderr}`)); }, timeoutMs);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`node exited with ${code} before listening: ${stderr}`)); });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try { entry = JSON.parse(line) as Record<string, unknown>; } catch { return; }
      logs.push(entry);
      if (entry.msg === 'listening') {
        clearTimeout(timer);
        const httpUrl = String(entry.url);
        resolve({
          child, httpUrl, wsUrl: httpUrl.replace(/^http/, 'ws'), logs,
          stop: () => { child.kill('SIGTERM'); return exited; },
          kill: async () => { child.kill('SIGKILL'); await exited; },
        });
      }
    });
  });
}

/** A node's work counters (/v1/node/stats): partitionsRun, fragmentsStarted… */
export async function nodeCounters(node: NodeProcess): Promise<Record<string, number>> {
  const body = await (await fetch(`${node.httpUrl}/v1/node/stats`)).json() as { counters: Record<string, number> };
  return body.counters;
}

/** Polls `condition` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Waits until `node` sees `count` live cluster members. */
export async function waitForLiveMembers(node: NodeProcess, count: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => {
    const body = await (await fetch(`${node.httpUrl}/v1/cluster`)).json() as { members: { live: boolean }[] };
    return body.members.filter((member) => member.live).length === count;
  }, `${count} live members`, timeoutMs);
}
