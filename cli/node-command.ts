/** `strata node start`: runs a service manager in the foreground until SIGTERM/SIGINT. */
import { parseNodeConfig, startNode, type NodeConfigInput } from '../service-manager/index.js';
import { usageError } from './usage.js';

/** Runs `strata node <action>`. */
export async function nodeCommand(action: string | undefined, input: NodeConfigInput): Promise<void> {
  if (action !== 'start') throw usageError(`strata node takes 'start', not '${action ?? ''}'`);
  const config = parseNodeConfig(input);
  // Handlers go in before the node listens: a SIGTERM that arrives while it starts still stops it gracefully.
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const node = await startNode(config);
  await signalled;
  await node.stop();
}
