/** The byte scan behind "purge + vacuum leaves no trace": which files of a directory hold a value's bytes. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Every file under `root`, recursively. */
async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else out.push(full);
  }
  return out;
}

/** Files under `root` (relative paths) whose raw bytes contain `needle` as UTF-8. */
export async function filesContaining(root: string, needle: string): Promise<string[]> {
  const bytes = Buffer.from(needle, 'utf8');
  const hits: string[] = [];
  for (const file of await filesUnder(root)) if ((await fs.readFile(file)).includes(bytes)) hits.push(path.relative(root, file));
  return hits;
}
