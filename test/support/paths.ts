/** Paths tests need, computed from this compiled file's location (dist/test/support/). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The TPC-H data beside the repository. */
export const tpchDirectory = join(repoRoot, '..', 'shared', 'data', 'tpch');
/** The compiled CLI entry. */
export const cliPath = join(repoRoot, 'dist', 'cli', 'strata.js');

/** A fresh temporary directory and a function that removes it. */
export function makeTempDirectory(prefix = 'strata-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
