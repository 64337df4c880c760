/** Every error code raised in the source is documented in docs/error-codes.md (as fastify does). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';

function walk(directory: string, out: string[]): string[] {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('docs/error-codes.md', () => {
  it('lists every code the source raises', () => {
    const documented = new Set<string>();
    for (const match of readFileSync(join(repoRoot, 'docs', 'error-codes.md'), 'utf8').matchAll(/^\|\s*`?([A-Z][A-Z0-9_]+)`?\s*\|/gm)) {
      documented.add(match[1]);
    }
    const used = new Map<string, string>();
    const files = ['storage', 'ingest', 'query', 'service-manager', 'cli'].flatMap((folder) => {
      try { return walk(join(repoRoot, folder), []); } catch { return []; }
    });
    const pattern = /StrataError\(\s*'[a-z_]+'\s*,\s*'([A-Z][A-Z0-9_]+)'/g;
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(pattern)) used.set(match[1], file);
    }
    assert.ok(used.size > 10, `found only ${used.size} codes`);
    const missing = [...used].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file.slice(repoRoot.length)})`);
    assert.deepEqual(missing, [], 'add these codes to docs/error-codes.md');
  });
});
