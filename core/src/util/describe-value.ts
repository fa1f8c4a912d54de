/**
 * A value as an error message names it: `the number 1`, `the string 'a = 1'`, `null`,
 * `an object (Object)`, `an array`. Long strings are cut; the point is to recognise the value.
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 37) + '…' : value)}`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`
  return `a ${typeof value}`
}
