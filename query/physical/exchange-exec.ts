/**
 * ExchangeExec: the coordinator's side of an exchange. Hands the fragment below it to the
 * context's FragmentExecutor (every live node runs it over its share of the partitions) and
 * streams out the union. Without an executor (a single embedded node) it runs the fragment here.
 */
import { StrataError, type Batch, type Schema } from '../../storage/index.js';
import type { TableSource } from '../catalog.js';
import type { FragmentExecutor } from '../distribute/fragment-executor.js';
import type { Exchange } from '../plan/index.js';
import { pinBroadcastVersions, probeScan } from '../distribute/fragment-scans.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';

/** Gathers a fragment's output from all nodes. */
export class ExchangeExec implements ExecutionPlan {
  readonly schema: Schema;

  constructor(
    private readonly plan: Exchange,
    private readonly tables: ReadonlyMap<string, TableSource>,
    private readonly runHere: (fragment: Exchange['fragment']) => ExecutionPlan,
  ) {
    this.schema = plan.schema;
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const executor: FragmentExecutor | undefined = context.fragmentExecutor;
    if (executor === undefined) {
      yield* this.runHere(this.plan.fragment).execute(context);
      return;
    }
    // The fragment is split over its probe scan's partitions; broadcast build sides read at the versions pinned here.
    const scan = probeScan(this.plan.fragment);
    if (scan === null) throw new StrataError('internal', 'INTERNAL_ERROR', 'a fragment must stream one table\'s partitions, this one has no probe scan');
    const source = this.tables.get(scan.table.toLowerCase());
    if (source === undefined) throw new StrataError('plan', 'TABLE_NOT_FOUND', `table '${scan.table}' is not among the tables given to the executor`, { table: scan.table });
    const fragment = pinBroadcastVersions(this.plan.fragment, this.tables);
    const task = { fragment, table: scan.table.toLowerCase(), version: source.version, partitions: scan.partitions ?? source.partitions };
    const metrics = context.metrics;
    yield* executor.execute(task, context.signal, {
      nodeUsed: (node) => {
        metrics.nodes ??= [];
        if (!metrics.nodes.includes(node)) metrics.nodes.push(node);
      },
      partitionDone: () => { metrics.partitionsScanned += 1; },
    });
  }
}
