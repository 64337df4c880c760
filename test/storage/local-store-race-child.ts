/**
 * Child process of the LocalStore race test: prints "ready", waits for "go" on stdin so all
 * racers start together, tries createIfAbsent on race/0..n-1 and prints the rounds it won as JSON.
 * argv: <store directory> <racer id> <rounds>
 */
import { once } from 'node:events';
import { LocalStore } from '../../storage/index.js';

const [directory, id, rounds] = process.argv.slice(2);
const store = await LocalStore.open(directory);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const wins: boolean[] = [];
for (let round = 0; round < Number(rounds); round++) {
  wins.push(await store.createIfAbsent(`race/${round}`, new TextEncoder().encode(`written by ${id}`)));
}
process.stdout.write(`${JSON.stringify(wins)}\n`);
process.exit(0);
