/**
 * Child process of the replication test: replicates a primary store to a secondary until killed,
 * printing 'shipped <table> <version>' as each version becomes visible on the secondary. With
 * killAfter > 0 it SIGKILLs itself a random 0-3 ms after shipping that many versions, so the kill
 * lands at a different point of copying the next version each run, yet always mid-stream (a parent
 * reacting to output could be too slow on a loaded machine).
 * argv: <primary directory> <secondary directory> <poll interval ms> <killAfter>
 */
import { LocalStore, replicate } from '../../storage/index.js';

const [primaryDirectory, secondaryDirectory, intervalText, killAfterText] = process.argv.slice(2);
const killAfter = Number(killAfterText ?? '0');
let shipped = 0;
const primary = await LocalStore.open(primaryDirectory);
const secondary = await LocalStore.open(secondaryDirectory);
process.stdout.write('ready\n');
await replicate(primary, secondary, {
  pollIntervalMs: Number(intervalText),
  onShipped: (table, version) => {
    process.stdout.write(`shipped ${table} ${version}\n`);
    if (++shipped === killAfter) setTimeout(() => process.kill(process.pid, 'SIGKILL'), Math.random() * 3);
  },
});
