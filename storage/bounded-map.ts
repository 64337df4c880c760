/** Runs async work over many items with a bounded number in flight. */

/** Results of `work` over `items`, in order, with at most `concurrencyMax` calls in flight. */
export async function mapBounded<T, R>(items: readonly T[], concurrencyMax: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrencyMax, items.length) }, worker));
  return results;
}
