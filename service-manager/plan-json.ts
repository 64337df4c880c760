/**
 * Logical plans (plain immutable objects) as JSON for the fragment RPC. Non-finite numbers, which
 * JSON cannot hold, travel as {"$number":"NaN"|"Infinity"|"-Infinity"}.
 */

/** Plan (or any plain value) to JSON text. */
export function planToJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'number' && !Number.isFinite(item) ? { $number: String(item) } : item));
}

/** JSON text back to the plain value. */
export function planFromJson<T>(text: string): T {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 1 && keys[0] === '$number' && typeof record.$number === 'string') return Number(record.$number);
    }
    return item;
  }) as T;
}
