// A rough model of what a cached JSON value retains on V8's heap (64-bit, no pointer
// compression, as Node ships): strings 16 bytes of header plus one byte per Latin-1 character,
// objects 24 bytes plus 8 per property, arrays 48 bytes plus 8 per element, heap numbers 16.
// It lets the dashboard show the pod cache's memory without walking the heap; the
// gate-memory benchmark compares it with the heap actually retained after GC.
const align = (n: number) => Math.ceil(n / 8) * 8;

export function estimateRetainedBytes(value: unknown): number {
  if (typeof value === "string") return align(16 + value.length);
  if (typeof value === "number") return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 0 : 16;
  if (value === null || typeof value !== "object") return 0;
  if (Array.isArray(value))
    return 48 + value.reduce((n: number, item) => n + 8 + estimateRetainedBytes(item), 0);
  let bytes = 24;
  for (const item of Object.values(value)) bytes += 8 + estimateRetainedBytes(item);
  return bytes;
}

/** A Map entry: its slot in the hash table (key, value, chain) plus the key string. */
export function estimateMapEntryBytes(key: string): number {
  return 24 + estimateRetainedBytes(key);
}
