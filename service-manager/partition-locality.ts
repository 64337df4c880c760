/**
 * Which hosts hold each partition file's data, asked of the store (HDFS: GETFILEBLOCKLOCATIONS
 * through HdfsStore.blockLocations) and cached per file. Partition files are immutable, so their
 * blocks move only when HDFS re-replicates or balances them; a stale answer costs a remote read,
 * never a wrong result, and entries are asked again after localityTtlMs.
 */
import { tableDirectory, type Store } from '../storage/index.js';
import type { ScanPartition } from '../query/index.js';
import { normalizeHost, type PartitionLocality } from './partition-placement.js';

/** One block of a file as the store reports it: its replicas' host names and ip:port addresses, in the same order. */
export interface BlockHosts {
  readonly length: number;
  readonly hosts: readonly string[];
  readonly names: readonly string[];
}

/** A store that knows on which hosts a file's blocks are (HdfsStore; local stores have no hosts). */
export interface BlockLocationSource {
  blockLocations(path: string): Promise<readonly BlockHosts[]>;
}

/** Files whose hosts are kept: far more than the partitions queries touch within localityTtlMs; an entry is a few names. */
const localityFilesMax = 100_000;
/** Age after which a file's hosts are asked again: blocks move when a DataNode is lost or the balancer runs. */
const localityTtlMs = 10 * 60 * 1000;
/** Block-location requests in flight at once: a query over thousands of new partitions must not flood the NameNode. */
const locateRequestsMax = 8;

/** True when the store can say where a file's blocks are. */
export function hasBlockLocations(store: Store): store is Store & BlockLocationSource {
  return typeof (store as Partial<BlockLocationSource>).blockLocations === 'function';
}

/**
 * The hosts that hold the most bytes of a file (every replica of a one-block file), each by host
 * name and by IP address, so that a node named either way matches.
 */
export function hostsHoldingMost(blocks: readonly BlockHosts[]): string[] {
  const bytesByReplica = new Map<string, { bytes: number; names: string[] }>();
  for (const block of blocks) {
    for (let i = 0; i < block.hosts.length; i++) {
      const address = block.names[i] ?? block.hosts[i];
      const entry = bytesByReplica.get(address) ?? { bytes: 0, names: [normalizeHost(block.hosts[i])] };
      if (block.names[i] !== undefined) entry.names.push(normalizeHost(ipOfAddress(block.names[i])));
      entry.bytes += block.length;
      bytesByReplica.set(address, entry);
    }
  }
  let most = 0;
  for (const entry of bytesByReplica.values()) most = Math.max(most, entry.bytes);
  const hosts = new Set<string>();
  for (const entry of bytesByReplica.values()) if (entry.bytes === most) for (const name of entry.names) hosts.add(name);
  return [...hosts];
}

/** "10.0.0.5:9866" → "10.0.0.5"; "[::1]:9866" → "[::1]". */
function ipOfAddress(address: string): string {
  const colon = address.lastIndexOf(':');
  return colon > 0 && !address.endsWith(']') ? address.slice(0, colon) : address;
}

/** Finds and caches the hosts of partition files. */
export class PartitionLocator {
  private readonly cache = new Map<string, { readonly hosts: readonly string[]; readonly atMs: number }>();

  constructor(private readonly source: BlockLocationSource) {}

  /** A locator for the store, or null when the store keeps no blocks on hosts (a local directory). */
  static forStore(store: Store): PartitionLocator | null {
    return hasBlockLocations(store) ? new PartitionLocator(store) : null;
  }

  /**
   * Partition id → hosts, for the partitions of `table` that name their file. Locality is a hint:
   * a file whose blocks cannot be located is left out (the query then reads it from anywhere).
   */
  async locate(table: string, partitions: readonly ScanPartition[], signal?: AbortSignal): Promise<PartitionLocality> {
    const locality = new Map<string, readonly string[]>();
    const missing: { id: string; path: string }[] = [];
    const nowMs = Date.now();
    for (const partition of partitions) {
      if (partition.path === undefined) continue;
      const path = `${tableDirectory(table)}/${partition.path}`;
      const cached = this.cache.get(path);
      if (cached !== undefined && nowMs - cached.atMs <= localityTtlMs) locality.set(partition.id, cached.hosts);
      else missing.push({ id: partition.id, path });
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < missing.length && signal?.aborted !== true) {
        const { id, path } = missing[next++];
        const hosts = await this.fetch(path);
        if (hosts !== null) locality.set(id, hosts);
      }
    };
    await Promise.all(Array.from({ length: Math.min(locateRequestsMax, missing.length) }, worker));
    return locality;
  }

  private async fetch(path: string): Promise<readonly string[] | null> {
    let hosts: string[];
    try {
      hosts = hostsHoldingMost(await this.source.blockLocations(path));
    } catch {
      // Not cached: the NameNode may answer next time. The scan itself reports a real store failure.
      return null;
    }
    // Map order is insertion order: dropping the first entry drops the oldest.
    this.cache.delete(path);
    if (this.cache.size >= localityFilesMax) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(path, { hosts, atMs: Date.now() });
    return hosts;
  }
}
