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
  const factory = (overrides: SessionOptions = {}): AsyncSession => new AsyncSession(engine, { ...options, ...overrides, hooks })
  return Object.assign(factory, { engine, hooks })
}

/** What sessionmaker() returns: call it for a session; plugins register on its `hooks`. */
export type SessionFactory = ((overrides?: SessionOptions) => AsyncSession) & {
  readonly engine: Engine
  /** Session and mapper events and statement transforms for this factory's sessions. */
  readonly hooks: OrmHooks
}
