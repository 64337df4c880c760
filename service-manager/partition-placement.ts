/**
 * Where a fragment's partitions run: each partition goes to a node on a host that holds its data
 * (HDFS block replicas) when that keeps the load balanced, else to the least loaded node. Pure
 * functions over sizes and host names; the block locations come from partition-locality.ts.
 */
import { StrataError } from '../storage/index.js';

/** A node that can take work, and the host it runs on. */
export interface PlacementNode {
  readonly id: string;
  /** Host name or address, as partition-locality reports hosts (compared without case). */
  readonly host: string;
}

/** What placement needs of a partition. */
export interface PlacedPartition {
  readonly id: string;
  readonly bytes: number;
}

/** Partition id → the hosts that hold its data; a partition without an entry is local nowhere. */
export type PartitionLocality = ReadonlyMap<string, readonly string[]>;

/**
 * How far a node may run ahead of the lightest one to read locally: a local read saves a network
 * hop, not a partition's work, so a node takes a local partition only while its load is within
 * this factor of the lightest node's. No node ends above this factor times the lightest load plus
 * one partition.
 */
export const localityLoadRatioMax = 1.5;

/** A host name as compared: lower case, IPv6 brackets removed (URLs write `[::1]`). */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** The host of a node URL (http://HOST:PORT), normalized. */
export function hostOfUrl(url: string): string {
  return normalizeHost(new URL(url).hostname);
}

/**
 * Assigns partitions to nodes (indexes into `partitions`, per node id). Largest first; each goes to
 * the least loaded node on a host that holds it while that node's load is within
 * localityLoadRatioMax of the lightest node's, else to the lightest node (balance by bytes).
 */
export function assignPartitions(partitions: readonly PlacedPartition[], nodes: readonly PlacementNode[],
  locality: PartitionLocality = new Map()): Map<string, number[]> {
  if (nodes.length === 0 && partitions.length > 0) {
    throw new StrataError('internal', 'ASSERTION_FAILED', `placement of ${partitions.length} partitions was given no nodes`);
  }
  const load = new Float64Array(nodes.length);
  const assigned: number[][] = nodes.map(() => []);
  const nodesByHost = indexByHost(nodes);
  const order = partitions.map((_, i) => i).sort((a, b) => partitions[b].bytes - partitions[a].bytes || a - b);
  for (const index of order) {
    // An empty partition still costs a file open: every partition weighs at least one byte.
    const bytes = Math.max(partitions[index].bytes, 1);
    const lightest = lightestOf(load, null);
    const local = lightestOf(load, localNodes(locality.get(partitions[index].id), nodesByHost));
    const chosen = local !== -1 && load[local] <= localityLoadRatioMax * load[lightest] ? local : lightest;
    assigned[chosen].push(index);
    load[chosen] += bytes;
  }
  return new Map(nodes.map((node, i) => [node.id, assigned[i]]));
}

function indexByHost(nodes: readonly PlacementNode[]): Map<string, number[]> {
  const byHost = new Map<string, number[]>();
  nodes.forEach((node, i) => {
    const host = normalizeHost(node.host);
    const list = byHost.get(host) ?? [];
    list.push(i);
    byHost.set(host, list);
  });
  return byHost;
}

/** Indexes of the nodes on the given hosts (hosts with no node add nothing). */
function localNodes(hosts: readonly string[] | undefined, nodesByHost: Map<string, number[]>): number[] {
  if (hosts === undefined) return [];
  const found: number[] = [];
  for (const host of hosts) {
    for (const node of nodesByHost.get(normalizeHost(host)) ?? []) if (!found.includes(node)) found.push(node);
  }
  return found;
}

/** The least loaded node among `candidates` (all nodes when null), first in node order on a tie; -1 when none. */
function lightestOf(load: Float64Array, candidates: readonly number[] | null): number {
  let best = -1;
  const count = candidates === null ? load.length : candidates.length;
  for (let k = 0; k < count; k++) {
    const node = candidates === null ? k : candidates[k];
    if (best === -1 || load[node] < load[best] || (load[node] === load[best] && node < best)) best = node;
  }
  return best;
}
