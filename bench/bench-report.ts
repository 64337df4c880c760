/** Shared by the benchmark scripts: medians, the machine line, and the sections of docs/benchmarks.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (scripts run from dist/bench/). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The median of some timings. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** CPU model, vCPUs, memory and Node version, for the report's heading. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} vCPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/**
 * Replaces the section between two `<!-- bench:NAME -->` markers in docs/benchmarks.md (appends
 * it the first time), so each script keeps its own figures up to date without touching the others'.
 */
export function writeBenchSection(name: string, text: string): void {
  const file = join(repoRoot, 'docs', 'benchmarks.md');
  const marker = `<!-- bench:${name} -->`;
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const pattern = new RegExp(`${marker}[\\s\\S]*?${marker}\\n?`);
  const section = `${marker}\n${text}${text.endsWith('\n') ? '' : '\n'}${marker}\n`;
  writeFileSync(file, pattern.test(previous) ? previous.replace(pattern, () => section) : `${previous}\n${section}`);
}
