/**
 * The scans of a fragment. A fragment streams one table's partitions (its probe scan, reached
 * through single-input operators and the left input of broadcast joins); every other scan in it
 * sits in the build side of a broadcast join and is read whole, at the version the coordinator
 * pinned, by every node that runs the fragment.
 */
import type { TableSource } from '../catalog.js';
import type { LogicalPlan, Scan } from '../plan/logical-plan.js';
import { collectScans, planInputs, withInputs } from '../plan/plan-utils.js';

/** The scan whose partitions a fragment is split over, or null when it has none. */
export function probeScan(plan: LogicalPlan): Scan | null {
  switch (plan.kind) {
    case 'scan': return plan;
    case 'values':
    case 'exchange':
    case 'set_operation': return null;
    case 'join': return plan.distribution === 'broadcast' ? probeScan(plan.left) : null;
    default: return probeScan(plan.input);
  }
}

/** The fragment with the probe scan reading `partitions` only (broadcast sides untouched). */
export function withProbePartitions(plan: LogicalPlan, partitions: Scan['partitions']): LogicalPlan {
  if (plan.kind === 'scan') return { ...plan, partitions };
  if (plan.kind === 'join') return withInputs(plan, [withProbePartitions(plan.left, partitions), plan.right]);
  const inputs = planInputs(plan);
  return inputs.length === 1 ? withInputs(plan, [withProbePartitions(inputs[0], partitions)]) : plan;
}

/** The scans of the fragment's broadcast sides (everything but the probe scan). */
export function broadcastScans(plan: LogicalPlan): Scan[] {
  const probe = probeScan(plan);
  return collectScans(plan).filter((scan) => scan !== probe);
}

/** The fragment with each broadcast scan pinned to the version of the coordinator's snapshot. */
export function pinBroadcastVersions(plan: LogicalPlan, tables: ReadonlyMap<string, TableSource>): LogicalPlan {
  const probe = probeScan(plan);
  const pin = (node: LogicalPlan): LogicalPlan => {
    if (node.kind === 'scan') return node === probe ? node : { ...node, version: tables.get(node.table.toLowerCase())?.version };
    const inputs = planInputs(node);
    return inputs.length === 0 ? node : withInputs(node, inputs.map(pin));
  };
  return pin(plan);
}
