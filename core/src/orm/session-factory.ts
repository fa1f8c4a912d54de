import type { Engine } from '../engine/engine.js'
import { AsyncSession } from './session.js'
import type { SessionOptions } from './session-options.js'
import { newOrmHooks } from './orm-events.js'
import type { OrmHooks } from './orm-events.js'

/**
 * A session factory bound to an engine and options (SQLAlchemy's sessionmaker).
 * ```ts
 * const Session = sessionmaker(engine)
 * await using session = Session()
 * ```
 */
export function sessionmaker(engine: Engine, options: SessionOptions = {}): SessionFactory {
  const hooks = newOrmHooks()
  // Spread once, not per session: the options of every session without overrides are the same
  // object (the session only reads them), and a spread per call was 2 µs of the 3 a session took
  // to make (a request that opens one for a primary-key get takes ~100 µs).
  const base: SessionOptions = { ...options, hooks }
  const factory = (overrides?: SessionOptions): AsyncSession => new AsyncSession(engine, overrides === undefined ? base : { ...base, ...overrides, hooks })
  return Object.assign(factory, { engine, hooks })
}

/** What sessionmaker() returns: call it for a session; plugins register on its `hooks`. */
export type SessionFactory = ((overrides?: SessionOptions) => AsyncSession) & {
  readonly engine: Engine
  /** Session and mapper events and statement transforms for this factory's sessions. */
  readonly hooks: OrmHooks
}
