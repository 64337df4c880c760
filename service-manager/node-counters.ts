/** A node's work counters: what the node did, for /v1/node/stats and Prometheus /metrics. */

/** Counter names and their help text. */
export const counterHelp = {
  queriesStarted: 'SQL statements this node started as coordinator',
  queriesFailed: 'SQL statements that ended in an error (cancellations included)',
  fragmentsStarted: 'fragment RPCs this node started as a worker',
  fragmentsCompleted: 'fragment RPCs that ran to the end',
  fragmentsCancelled: 'fragment RPCs stopped because the coordinator cancelled or went away',
  fragmentsFailed: 'fragment RPCs that ended in an error',
  partitionsRun: 'partitions this node ran fragments over',
  batchesSent: 'result batches this node sent to coordinators',
  queriesCancelled: 'SQL statements over WebSocket stopped by a cancel, a closed connection or the timeout',
  resultBatchesSent: 'result messages (JSON rows or Arrow frames) sent to WebSocket SQL clients',
  resultRowsSent: 'result rows sent to WebSocket SQL clients',
  streamPauses: 'times a WebSocket query paused its plan because the client read slower than the node produced (backpressure)',
} as const;

/** The counters. */
export type NodeCounters = { -readonly [K in keyof typeof counterHelp]: number };

/** All counters at zero. */
export function newNodeCounters(): NodeCounters {
  const counters = {} as NodeCounters;
  for (const key of Object.keys(counterHelp) as (keyof NodeCounters)[]) counters[key] = 0;
  return counters;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Prometheus text exposition of the counters. */
export function prometheusText(counters: NodeCounters, nodeId: string, gauges: Record<string, number>): string {
  const lines: string[] = [];
  for (const [key, help] of Object.entries(counterHelp)) {
    const name = `strata_${snakeCase(key)}_total`;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name}{node="${nodeId}"} ${counters[key as keyof NodeCounters]}`);
  }
  for (const [key, value] of Object.entries(gauges)) {
    const name = `strata_${snakeCase(key)}`;
    lines.push(`# TYPE ${name} gauge`, `${name}{node="${nodeId}"} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}
