import { CodeWriter } from './code.js'
import type { Call, Change } from './diff.js'

export interface RevisionSource {
  readonly id: string
  readonly down: string | readonly string[] | null
  readonly message: string
  readonly changes: readonly Change[]
}

/**
 * The TypeScript of a revision file: upgrade() with the changes' calls in order, downgrade() with
 * their inverses in reverse order. A change that can lose data carries a `⚠ DATA LOSS` comment,
 * one autogenerate cannot write a `⚠ MANUAL` comment, and a column dropped where another of its
 * type appears a note that a rename must be said (never guessed).
 */
export function renderRevision(r: RevisionSource): string {
  const code = new CodeWriter()
  const body = (changes: readonly Change[], side: 'up' | 'down'): string => {
    const lines: string[] = []
    for (const change of changes) {
      const calls = side === 'up' ? change.up : change.down
      if (calls.length === 0 && change.manual === undefined) continue
      lines.push(side === 'up' ? `  // ${change.summary}` : `  // undo ${change.summary}`)
      if (side === 'up' && change.dataLoss !== undefined) lines.push(`  // ⚠ DATA LOSS: ${change.dataLoss}`)
      if (change.manual !== undefined && (side === 'up' ? !change.manual.startsWith('Downgrade:') : change.manual.startsWith('Downgrade:'))) lines.push(`  // ⚠ MANUAL: ${change.manual}`)
      for (const c of calls) lines.push(`  ${render(code, c)}`)
    }
    return lines.length === 0 ? '  // nothing to do' : lines.join('\n')
  }
  const renameNotes = renameHints(r.changes)
  const up = body(r.changes, 'up')
  const down = body(downgradeOrder(r.changes), 'down')
  const down0 = r.down === null ? 'null' : typeof r.down === 'string' ? CodeWriter.quote(r.down) : `[${r.down.map(CodeWriter.quote).join(', ')}]`
  const imports = [...code.imports].sort()
  return [
    '/**',
    ` * ${r.message.replace(/\*\//g, '* /')}`,
    ' *',
    ` * Revision ${r.id}, after ${r.down === null ? 'base' : typeof r.down === 'string' ? r.down : r.down.join(' + ')}; created ${new Date().toISOString().slice(0, 10)}.`,
    ...renameNotes.map((n) => ` * ⚠ ${n}`),
    ' */',
    ...(imports.length === 0 ? [] : [`import { ${imports.join(', ')} } from '@athanor/core'`]),
    "import type { Operations } from '@athanor/migrate'",
    '',
    `export const revision = ${CodeWriter.quote(r.id)}`,
    `export const down: string | readonly string[] | null = ${down0}`,
    `export const message = ${CodeWriter.quote(r.message)}`,
    '',
    'export async function upgrade(op: Operations): Promise<void> {',
    up,
    '}',
    '',
    'export async function downgrade(op: Operations): Promise<void> {',
    down,
    '}',
    '',
  ].join('\n')
}

/**
 * The changes in the order their inverses must run: keys the upgrade added go first, renames are
 * undone before dropped tables come back (their keys name the old names), dropped columns come
 * back before dropped keys, created tables go after, enum changes last. Within a phase, reversed.
 */
const DOWN_PHASES = [5, 2, 7, 6, 4, 1, 3, 0, 8]

function downgradeOrder(changes: readonly Change[]): Change[] {
  const reversed = [...changes].reverse()
  return DOWN_PHASES.flatMap((phase) => reversed.filter((c) => c.phase === phase))
}

function render(code: CodeWriter, c: Call): string {
  return `op.${c.method}(${c.args.map((a) => code.value(a, '  ')).join(', ')})`
}

/** Drops and adds in one revision that may be a rename: written as drop + add, with this note. */
function renameHints(changes: readonly Change[]): string[] {
  const dropped = changes.filter((c) => c.summary.startsWith('- column ')).map((c) => c.summary.slice(9))
  const added = changes.filter((c) => c.summary.startsWith('+ column ')).map((c) => c.summary.slice(9).split(' ')[0]!)
  const notes: string[] = []
  for (const d of dropped) {
    const table = d.split('.')[0]
    const candidate = added.find((a) => a.split('.')[0] === table)
    if (candidate !== undefined) {
      notes.push(`${d} is dropped and ${candidate} added: if it is a rename, rerun with --rename-column ${d}:${candidate.split('.')[1]} (this file would lose the column's data).`)
    }
  }
  const droppedTables = changes.filter((c) => c.summary.startsWith('- table ')).map((c) => c.summary.slice(8))
  const addedTables = changes.filter((c) => c.summary.startsWith('+ table ')).map((c) => c.summary.slice(8))
  if (droppedTables.length > 0 && addedTables.length > 0) {
    notes.push(`tables ${droppedTables.join(', ')} are dropped and ${addedTables.join(', ')} created: for a rename, rerun with --rename-table old:new.`)
  }
  return notes
}
