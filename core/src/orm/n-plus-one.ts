import { InvalidRequestError } from '../util/errors.js'
import { Binary, Bind } from '../sql/elements.js'
import { ColumnRef } from '../sql/column.js'
import type { Select } from '../sql/select.js'
import { captureCallSite, firstUserFrame } from '../pool/call-site.js'
import type { Mapper } from './mapper.js'
import type { Relationship } from './relationship.js'

/** What the N+1 detector does when it sees one: print a warning, throw, or nothing. */
export type NPlusOneMode = 'warn' | 'raise' | 'off'

export interface NPlusOneOptions {
  /** Default: `'warn'`, or `'off'` when `NODE_ENV` is `production`. */
  readonly mode?: NPlusOneMode
  /** How many one-parent loads of the same relationship in one transaction count as N+1. Default 10. */
  readonly threshold?: number
  /** Called with each report (in every mode but `'off'`), e.g. to send it to your logger. */
  readonly onDetect?: (report: NPlusOneReport) => void
}

/** One detected N+1 pattern. */
export interface NPlusOneReport {
  /** The relationship being loaded one parent at a time, e.g. `Author.posts`. */
  readonly relationship: string
  /** How many times it ran when the report was made. */
  readonly times: number
  /** The line of your code that issued the statement (the first frame outside Athanor). */
  readonly callSite: string | undefined
  /** What to write instead. */
  readonly fix: string
  readonly message: string
}

/** Raised by the N+1 detector in `'raise'` mode. */
export class NPlusOneError extends InvalidRequestError {
  readonly report: NPlusOneReport
  constructor(report: NPlusOneReport) {
    super(report.message, 'n-plus-one')
    this.report = report
  }
}

/**
 * Counts relationship-shaped statements a session runs one parent at a time — an explicit
 * `session.load(oneObject, 'rel')`, or a `select(Child).where(Child.c.parent_id.eq(x))` — per
 * transaction, and reports a pattern once when it crosses the threshold.
 */
export class NPlusOneDetector {
  readonly mode: NPlusOneMode
  readonly threshold: number
  readonly #onDetect: ((report: NPlusOneReport) => void) | undefined
  readonly #counts = new Map<string, number>()
  readonly #reported = new Set<string>()

  constructor(options: NPlusOneOptions = {}) {
    this.mode = options.mode ?? (process.env['NODE_ENV'] === 'production' ? 'off' : 'warn')
    this.threshold = Math.max(2, options.threshold ?? 10)
    this.#onDetect = options.onDetect
  }

  /** `session.load()` for a single parent. */
  singleLoad(rel: Relationship): void {
    if (this.mode === 'off') return
    const owner = rel.owner.className
    this.#count(rel.description, `await session.load(${lower(owner)}s, '${rel.key}') once for all of them, or load them with the query: select(${owner}).options(selectinload(${rel.description}))`)
  }

  /** A select the user ran: counted when it fetches one parent's related rows by key. */
  select(stmt: Select, entity: Mapper): void {
    if (this.mode === 'off') return
    const w = stmt.state.where
    if (!(w instanceof Binary) || w.op !== '=') return
    const col = w.left instanceof ColumnRef && w.right instanceof Bind ? w.left : w.right instanceof ColumnRef && w.left instanceof Bind ? w.right : undefined
    if (!col || col.from !== entity.table) return
    for (const rel of entity.relationships) {
      if (rel.direction !== 'many-to-one' || !rel.pairs.some((p) => p.dest === col)) continue
      // select(Post).where(Post.author_id == x) per author: Author.posts, one author at a time.
      const name = rel.back?.description ?? `${rel.target.className} → ${entity.className} (via ${rel.description})`
      const parent = rel.target.className
      this.#count(name, rel.back
        ? `select(${parent}).options(selectinload(${rel.back.description})) to load every ${lower(parent)}'s ${rel.back.key} in one statement, or await session.load(${lower(parent)}s, '${rel.back.key}')`
        : `one select(${entity.className}).where(${entity.className}.c.${col.name}.in(ids)) for all the keys`)
      return
    }
    if (entity.pkIndexes.length === 1 && entity.columns[entity.pkIndexes[0]!] === col) {
      // select(Author).where(Author.id == post.author_id) per post: Post.author, one post at a time.
      const backs = entity.relationships.map((r) => r.back).filter((b): b is Relationship => b !== undefined && b.direction === 'many-to-one')
      const name = backs.length ? backs.map((b) => b.description).join(' or ') : `${entity.className} by primary key`
      this.#count(name, backs.length
        ? `load it with the query that fetched the children: .options(selectinload(${backs[0]!.description})) (or joinedload)`
        : `session.get(${entity.className}, id), which uses the identity map, or one select with ${entity.className}.c.${col.name}.in(ids)`)
    }
  }

  /** A transaction ended: the next one is a new logical operation. */
  reset(): void {
    this.#counts.clear()
    this.#reported.clear()
  }

  #count(name: string, fix: string): void {
    const times = (this.#counts.get(name) ?? 0) + 1
    this.#counts.set(name, times)
    if (times < this.threshold || this.#reported.has(name)) return
    this.#reported.add(name)
    const callSite = firstUserFrame(captureCallSite())
    const message =
      `N+1 queries: ${name} was loaded one parent at a time ${times} times in this transaction` +
      `${callSite ? ` (at ${callSite})` : ''}. Load it for all parents at once: ${fix}. ` +
      `(This check runs outside production; configure it with new AsyncSession(engine, { nPlusOne: { mode, threshold } }).)`
    const report: NPlusOneReport = { relationship: name, times, callSite, fix, message }
    this.#onDetect?.(report)
    if (this.mode === 'raise') throw new NPlusOneError(report)
    process.emitWarning(message, { type: 'AthanorNPlusOneWarning', code: 'ATHANOR_N_PLUS_ONE' })
  }
}

function lower(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1)
}
