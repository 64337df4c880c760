/**
 * `strata replicate --store SRC --to DEST [--once] [--interval-ms N] [--tables T,…]`: ships new
 * commits, partitions and their record-key filters (and, without --tables, views) from a primary
 * store to a secondary continuously (or until caught up with --once), printing what it shipped and
 * the lag in versions and seconds. Killing it is safe: a
 * restart resumes where the secondary stopped.
 */
import { openStore, replicate, replicateOnce, replicationPollIntervalMsDefault, roundChanged, type ReplicationRound } from '../storage/index.js';
import { tableList } from './backup-command.js';
import { usageError } from './usage.js';

/** Options of `strata replicate`. */
export interface ReplicateCommandOptions {
  readonly store?: string;
  readonly to?: string;
  /** Stop once the secondary has caught up with the primary (default: run until SIGINT/SIGTERM). */
  readonly once?: boolean;
  /** Pause between polls when there is nothing to ship, in ms (default 1000). */
  readonly intervalMs?: string;
  readonly tables?: readonly string[];
}

/** Runs `strata replicate`. */
export async function replicateCommand(options: ReplicateCommandOptions, signal?: AbortSignal): Promise<void> {
  if (options.store === undefined) throw usageError('strata replicate needs --store SRC');
  if (options.to === undefined) throw usageError('strata replicate needs --to DEST');
  const pollIntervalMs = options.intervalMs === undefined ? replicationPollIntervalMsDefault : Number(options.intervalMs);
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 1) throw usageError(`--interval-ms takes a whole number of milliseconds >= 1, not '${options.intervalMs}'`);
  const primary = await openStore(options.store);
  const secondary = await openStore(options.to);
  const tables = tableList(options.tables);
  try {
    if (options.once === true) {
      // Rounds until one finds nothing left: every table then holds the primary's latest version as of that round.
      for (let round = await replicateOnce(primary, secondary, { tables }); ; round = await replicateOnce(primary, secondary, { tables })) {
        report(round, true);
        if (round.lagVersions === 0 || signal?.aborted) return;
      }
    }
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop).once('SIGTERM', stop);
    try {
      await replicate(primary, secondary, { tables, pollIntervalMs, signal: controller.signal, onRound: (round) => report(round, false) });
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
    }
  } finally {
    await primary.close();
    await secondary.close();
  }
}

/** One line per round that changed the secondary (every round with --once): versions, key filters and views shipped, and lag. */
function report(round: ReplicationRound, always: boolean): void {
  if (!always && !roundChanged(round)) return;
  const at = round.tables.filter((lag) => lag.secondaryVersion >= 0).map((lag) => `${lag.table}@${lag.secondaryVersion}`).join(', ') || 'no tables';
  const dropped = round.tablesDropped.length === 0 ? '' : `; dropped ${round.tablesDropped.join(', ')}`;
  const filters = round.keyFiltersCopied === 0 ? '' : ` (${round.keyFiltersCopied} key filter(s))`;
  const views = [
    ...(round.viewsCopied.length === 0 ? [] : [`views copied ${round.viewsCopied.join(', ')}`]),
    ...(round.viewsDropped.length === 0 ? [] : [`views dropped ${round.viewsDropped.join(', ')}`]),
  ].map((part) => `; ${part}`).join('');
  process.stdout.write(`${new Date().toISOString()} shipped ${round.versionsShipped} version(s), ${round.filesCopied} file(s)${filters}: ${at}${dropped}${views}; ` +
    `lag ${round.lagVersions} version(s), ${round.lagSeconds.toFixed(1)} s\n`);
}
