/**
 * The standard SQL of windows and date parts, which dialects start from. Kept out of
 * the compiler class so that it stays a visitor; each function gets the pieces already rendered.
 */
import type { DateField, DateUnit } from '../sql/dates.js'
import type { FrameBound, WindowDefinition } from '../sql/function-call.js'

/** `PARTITION BY … ORDER BY … ROWS BETWEEN …`, from rendered parts. */
export function windowBody(w: WindowDefinition, partitionBy: readonly string[], orderBy: readonly string[]): string {
  const parts: string[] = []
  if (partitionBy.length) parts.push(`PARTITION BY ${partitionBy.join(', ')}`)
  if (orderBy.length) parts.push(`ORDER BY ${orderBy.join(', ')}`)
  if (w.frame) parts.push(`${w.frame.unit} BETWEEN ${frameBound(w.frame.start, 'start')} AND ${frameBound(w.frame.end, 'end')}`)
  return parts.join(' ')
}

function frameBound(b: FrameBound, side: 'start' | 'end'): string {
  if (b === null) return side === 'start' ? 'UNBOUNDED PRECEDING' : 'UNBOUNDED FOLLOWING'
  if (b === 0) return 'CURRENT ROW'
  return b < 0 ? `${-b} PRECEDING` : `${b} FOLLOWING`
}

/** Standard EXTRACT, with PostgreSQL's names for the fields the standard lacks (DOW, DOY, EPOCH). */
export function standardExtract(field: DateField, operand: string): string {
  if (field === 'second') return `FLOOR(EXTRACT(SECOND FROM ${operand}))`
  return `EXTRACT(${field.toUpperCase()} FROM ${operand})`
}

/** `date_trunc('unit', x)` (PostgreSQL's spelling, which the ANSI compiler borrows). */
export function standardDateTrunc(unit: DateUnit, operand: string): string {
  return `date_trunc('${unit}', ${operand})`
}
