/**
 * The layers import one way (STYLE.md): storage knows nothing of the others; ingest uses storage;
 * query uses only storage's types and never touches files, sockets or process.env; crossing into
 * another top-level folder goes through its index.ts; each third-party library has one wrapper.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { repoRoot } from '../support/paths.js';

const sourceFolders = ['storage', 'ingest', 'query', 'service-manager', 'cli', 'bench'];

/** Which top-level folders each folder may import. */
const allowed: Record<string, readonly string[]> = {
  storage: [],
  ingest: ['storage'],
  query: ['storage'],
  'service-manager': ['storage', 'ingest', 'query'],
  cli: ['storage', 'ingest', 'query', 'service-manager'],
  // Benchmarks are dev tooling: they may start the test HDFS minicluster (test/support/).
  bench: ['storage', 'ingest', 'query', 'service-manager', 'cli', 'test'],
};

/** Files allowed to import each wrapped library (the library's one wrapper). */
const wrappers: Record<string, RegExp> = {
  'node-sql-parser': /^query\/sql\//,
  'zstd-napi': /^(storage\/zstd-codec\.ts|ingest\/zstd-stream\.ts)$/,
  fastify: /^service-manager\//,
  '@fastify/websocket': /^service-manager\//,
  '@duckdb/node-api': /^(bench\/)/,
  ws: /^service-manager\/client\.ts$/,
  'apache-arrow': /^service-manager\/arrow-ipc\.ts$/,
};

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) out.push(path);
    }
  };
  try { walk(join(repoRoot, folder)); } catch { /* folder absent */ }
  return out;
}

function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) specifiers.push(match[1] ?? match[2]);
  return specifiers;
}

describe('layering', () => {
  const files = sourceFolders.flatMap(sourceFiles);

  it('finds the source', () => {
    assert.ok(files.length > 10);
  });

  it('imports across folders only in the allowed direction, through index.js', () => {
    const problems: string[] = [];
    for (const file of files) {
      const path = relative(repoRoot, file).split(sep).join('/');
      const folder = path.split('/')[0];
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const target = relative(repoRoot, resolve(dirname(file), specifier)).split(sep).join('/');
        const targetFolder = target.split('/')[0];
        if (targetFolder === folder) continue;
        if (!allowed[folder].includes(targetFolder)) problems.push(`${path} imports ${target} (${folder} may not use ${targetFolder})`);
        else if (target !== `${targetFolder}/index.js` && targetFolder !== 'test') problems.push(`${path} deep-imports ${target}; use ${targetFolder}/index.js`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('wraps each third-party library in one place', () => {
    const problems: string[] = [];
    for (const file of files) {
      const path = relative(repoRoot, file).split(sep).join('/');
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const rule = wrappers[specifier];
        if (rule !== undefined && !rule.test(path)) problems.push(`${path} imports ${specifier}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('keeps query/ free of files, sockets and the environment, and execution free of the parser', () => {
    const problems: string[] = [];
    for (const file of files) {
      const path = relative(repoRoot, file).split(sep).join('/');
      if (!path.startsWith('query/')) continue;
      const text = readFileSync(file, 'utf8');
      for (const specifier of importsOf(text)) {
        if (/^node:(fs|net|http|https|dgram|child_process)/.test(specifier) || /^(fs|net|http)$/.test(specifier)) problems.push(`${path} imports ${specifier}`);
        if (/^query\/(exec|physical)\//.test(path) && /\/sql\//.test(specifier)) problems.push(`${path} imports the SQL front end ${specifier}`);
      }
      if (/process\.env/.test(text)) problems.push(`${path} reads process.env`);
    }
    assert.deepEqual(problems, []);
  });
});
