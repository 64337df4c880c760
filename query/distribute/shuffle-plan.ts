/**
 * The shape of a shuffle join after DistributePlan: an Exchange whose fragment is the join
 * (distribution 'shuffle') with row-local operators and a partial aggregate or local bound
 * above it, and whose join inputs are the two sides' leaf fragments as Exchanges (the gather
 * plan, which is also what runs when the executor cannot shuffle). For the reduce runs, the
 * join's inputs become scans of two pseudo tables that read one bucket of each side.
 */
import { StrataError, type Schema } from '../../storage/index.js';
import type { Exchange, Join, LogicalPlan, Scan } from '../plan/logical-plan.js';
import { withInput, withInputs } from '../plan/plan-utils.js';

/** Names of the pseudo tables a reduce fragment reads its bucket through (no SQL name can clash: '#' is not an identifier character). */
export const shuffleInputTables = { left: '#shuffle_left', right: '#shuffle_right' } as const;

/** The shuffle join of an exchange's fragment (below single-input operators), or null. */
export function shuffleJoinOf(fragment: LogicalPlan): Join | null {
  switch (fragment.kind) {
    case 'join': return fragment.distribution === 'shuffle' ? fragment : null;
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'top_n':
    case 'limit':
    case 'distinct': return shuffleJoinOf(fragment.input);
    default: return null;
  }
}

/** A scan of one pseudo input table: every column, no filters. */
function inputScan(table: string, schema: Schema): Scan {
  return {
    kind: 'scan', table, tableSchema: schema, projection: schema.fields.map((_, i) => i), filters: [],
    partitions: null, partitionsTotal: 1, schema,
  };
}

/** The fragment each bucket runs: the shuffle join reading the pseudo input tables instead of its exchanges. */
export function reduceFragment(fragment: LogicalPlan): LogicalPlan {
  if (fragment.kind === 'join' && fragment.distribution === 'shuffle') {
    return withInputs(fragment, [inputScan(shuffleInputTables.left, fragment.left.schema), inputScan(shuffleInputTables.right, fragment.right.schema)]);
  }
  if (fragment.kind === 'join' || !('input' in fragment)) throw new StrataError('internal', 'INTERNAL_ERROR', `reduceFragment: no shuffle join below ${fragment.kind}`);
  return withInput(fragment, reduceFragment(fragment.input));
}

/** The two leaf fragments (left, right) a shuffle join's exchanges run. */
export function shuffleSides(join: Join): readonly [LogicalPlan, LogicalPlan] {
  const side = (plan: LogicalPlan): LogicalPlan => (plan.kind === 'exchange' ? (plan as Exchange).fragment : plan);
  return [side(join.left), side(join.right)];
}
