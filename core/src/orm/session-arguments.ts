/**
 * What a session's methods check of their arguments, and the errors that say what was wrong and
 * how to fix it.
 */
import { ArgumentError, InvalidRequestError } from '../util/errors.js'
import { ColumnGroup, resolveItem } from '../sql/select.js'
import type { ClauseProvider } from '../sql/select.js'
import { maybeState } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import { Mapper } from './mapper.js'
import { DetachedInstanceError } from './orm-errors.js'

/** The mapper of a mapped class given to `get()`, `query()`, … */
export function mapperArgument(entity: unknown): Mapper {
  const m = resolveItem(entity as ClauseProvider)
  if (!(m instanceof ColumnGroup) || !(m.entity instanceof Mapper)) throw new ArgumentError(`Expected a mapped class, got ${String(entity)}.`)
  return m.entity
}

/** The state of an instance given to `what` (`'load()'`, `'delete()'`, …). */
export function stateArgument(obj: object, what: string): InstanceState {
  const s = maybeState(obj)
  if (!s) throw new ArgumentError(`${what} takes an instance of a mapped class, not ${obj === null ? 'null' : typeof obj === 'object' ? `a ${obj.constructor.name}` : typeof obj}.`)
  return s
}

/** The error for an operation that needs a session's object but got a detached one. */
export function detachedError(s: InstanceState, what: string): DetachedInstanceError {
  const name = s.mapper.className
  const variable = name.charAt(0).toLowerCase() + name.slice(1)
  return new DetachedInstanceError(
    `${what} got a detached ${name}: its session was closed, or it was expunged. Attach it to this session first ` +
      `(const attached = await session.merge(${variable}), or session.add(${variable}) if no other object has its identity here), then call ${what} on that.`,
  )
}

/**
 * The error for `what` (`'commit()'`, `'rollback()'`, `'close()'`) called inside `block` (`begin(fn)`,
 * `run(fn)`, …), which ends the transaction itself when its function returns.
 */
export function insideBlockError(what: string, block: string): InvalidRequestError {
  if (what === 'close()') {
    return new InvalidRequestError(
      `close() was called while ${block} is still running: await it before the session is closed (with \`await using\`, write \`return await session.run(…)\`).`,
      'transaction-in-block',
    )
  }
  return new InvalidRequestError(
    `${what} was called inside ${block}, which ${what === 'commit()' ? 'commits' : 'ends the transaction'} when its function returns ` +
      `(and rolls back when it throws). ${what === 'commit()' ? 'Remove the commit() call' : 'Throw an error out of the function to roll back'}; ` +
      'for a partial rollback inside it, use a nested block: await session.beginNested(async () => { … }).',
    'transaction-in-block',
  )
}
