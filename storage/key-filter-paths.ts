/**
 * Where a table keeps the record-key Bloom filter of each partition (written by ingest's record
 * de-duplication). The rule lives in storage/ because backup, restore and vacuum-like sweeps must
 * find these files without importing ingest/.
 */

/** Directory, relative to the table directory, that holds key filter files. */
export const keyFiltersDirectory = 'keys';

/** File name suffix of a key filter. */
export const keyFilterSuffix = '.bloom';

/** Store path of a partition's key filter. */
export function keyFilterPath(tableDirectory: string, partitionId: string): string {
  return `${tableDirectory}/${keyFilterRelativePath(partitionId)}`;
}

/** Path of a partition's key filter relative to its table directory (keys/<partition id>.bloom). */
export function keyFilterRelativePath(partitionId: string): string {
  return `${keyFiltersDirectory}/${partitionId}${keyFilterSuffix}`;
}

/** The partition id of a key filter path relative to the table directory, or null when it is not one. */
export function keyFilterPartitionId(relativePath: string): string | null {
  const prefix = `${keyFiltersDirectory}/`;
  if (!relativePath.startsWith(prefix) || !relativePath.endsWith(keyFilterSuffix)) return null;
  const id = relativePath.slice(prefix.length, -keyFilterSuffix.length);
  return id.length === 0 || id.includes('/') ? null : id;
}
