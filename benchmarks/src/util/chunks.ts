/** Splits `items` into consecutive slices of at most `size` (IN-list batches, multi-row INSERT chunks). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
