/**
 * A separate process for the store contract's createIfAbsent race: opens the store by URL, says
 * "ready", waits for "go" on stdin, then calls createIfAbsent on PREFIX/0 .. PREFIX/COUNT-1 with
 * its own id as content and prints the results as one JSON line.
 *
 * Usage: node store-contract-child.js STORE_URL ID COUNT PREFIX
 */
import { createInterface } from 'node:readline';
import { openStore } from '../../storage/index.js';

const [url, id, countText, prefix] = process.argv.slice(2);
if (url === undefined || id === undefined || countText === undefined || prefix === undefined) {
  process.stderr.write('usage: node store-contract-child.js STORE_URL ID COUNT PREFIX\n');
  process.exit(2);
}
const store = await openStore(url);
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.once('line', () => resolve()));
process.stdout.write('ready\n');
await go;
const results: boolean[] = [];
for (let index = 0; index < Number(countText); index += 1) {
  results.push(await store.createIfAbsent(`${prefix}/${index}`, new TextEncoder().encode(id)));
}
process.stdout.write(`${JSON.stringify(results)}\n`);
lines.close();
await store.close();
