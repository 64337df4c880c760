/** Full verification of a partition file against its metadata (backup verify, scrubbing). */
import { sha256Checksum } from './checksum.js';
import { StrataError } from './errors.js';
import type { Store } from './store.js';
import type { PartitionMeta } from './table-types.js';

/**
 * Reads the whole file at meta.path (a store path) and checks its size and sha256 against the
 * metadata; corruption PARTITION_CHECKSUM_MISMATCH or PARTITION_CORRUPT when they differ.
 */
export async function verifyPartition(store: Store, meta: PartitionMeta): Promise<void> {
  const bytes = await store.read(meta.path);
  if (bytes.length !== meta.bytes) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT',
      `partition ${meta.id} (${meta.path}) is ${bytes.length} bytes, its metadata records ${meta.bytes}; restore it from a backup or replica`,
      { partition: meta.id, path: meta.path });
  }
  const checksum = sha256Checksum(bytes);
  if (checksum !== meta.checksum) {
    throw new StrataError('corruption', 'PARTITION_CHECKSUM_MISMATCH',
      `partition ${meta.id} (${meta.path}) has checksum ${checksum}, its metadata records ${meta.checksum}; restore it from a backup or replica`,
      { partition: meta.id, path: meta.path });
  }
}
