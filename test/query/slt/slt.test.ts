/** Runs every test/query/slt/*.slt file against the engine over an in-memory catalog. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseSlt, runSlt } from './runner.js';

// The .slt files stay in the source tree; the compiled test reads them from there.
const sltDirectory = fileURLToPath(new URL('../../../../test/query/slt/', import.meta.url));

describe('sqllogictest files', () => {
  const files = readdirSync(sltDirectory).filter((name) => name.endsWith('.slt')).sort();
  it('finds .slt files', () => {
    if (files.length === 0) throw new Error(`no .slt files in ${sltDirectory}`);
  });
  for (const name of files) {
    it(name, async () => {
      const path = join(sltDirectory, name);
      await runSlt(parseSlt(readFileSync(path, 'utf8'), `test/query/slt/${name}`), `test/query/slt/${name}`);
    });
  }
});
