/** Runs the real CLI as a child process, as a user would. */
import { spawn } from 'node:child_process';
import { cliPath } from './paths.js';

/** What a CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `strata ARGS…` to completion. */
export function runCli(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the CLI and fails with its stderr when it does not exit 0. */
export async function runCliOk(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  const run = await runCli(args, options);
  if (run.code !== 0) throw new Error(`strata ${args.join(' ')} exited ${run.code ?? run.signal}:\n${run.stderr}\n${run.stdout}`);
  return run;
}
