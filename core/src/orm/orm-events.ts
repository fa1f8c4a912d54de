/**
 * The ORM's typed events, and where they are registered: on an engine (every session bound to
 * it), on a session factory (its sessions), on one session, or — for mapper events — on a
 * declarative base's registry (its classes).
 */
import type { Connection } from '../engine/connection.js'
import type { Engine } from '../engine/engine.js'
import { Transforms } from '../engine/extensions.js'
import { EventBus } from '../util/events.js'
import type { Select } from '../sql/select.js'
import type { AsyncSession } from './session.js'
import type { Mapper } from './mapper.js'
import type { InstanceState } from './instance-state.js'

/** Session lifecycle events. */
export interface SessionEvents {
  /** A flush is about to plan; listeners may still add, change or un-delete objects. */
  beforeFlush(e: { session: AsyncSession; connection: Connection }): void
  afterFlush(e: { session: AsyncSession; connection: Connection }): void
  /** The flush failed; the session now needs rollback(). */
  flushError(e: { session: AsyncSession; connection: Connection; error: unknown }): void
  beforeCommit(e: { session: AsyncSession }): void
  /** `wrote`: the committed transaction ran a statement other than a SELECT (read-your-writes routing keys on it). */
  afterCommit(e: { session: AsyncSession; wrote: boolean }): void
  afterRollback(e: { session: AsyncSession }): void
}

/** What a mapper event carries: the session, the class's mapper and the instance. */
export interface MapperEvent {
  readonly session: AsyncSession
  readonly mapper: Mapper
  readonly object: object
}

/**
 * Per-object events of the unit of work and of loading. `before*` listeners may change the
 * object's column values; the statement is built after them.
 */
export interface MapperEvents {
  beforeInsert(e: MapperEvent): void
  afterInsert(e: MapperEvent): void
  /** `changes`: the columns found modified before the listeners ran. */
  beforeUpdate(e: MapperEvent & { readonly changes: Readonly<Record<string, unknown>> }): void
  afterUpdate(e: MapperEvent): void
  beforeDelete(e: MapperEvent): void
  afterDelete(e: MapperEvent): void
  /** An instance was built from a row, or an expired one refreshed from a row. */
  load(e: MapperEvent): void
}

/** The ORM hooks of one scope (an engine or a session factory). */
export interface OrmHooks {
  readonly session: EventBus<SessionEvents>
  readonly mapper: EventBus<MapperEvents>
  /** Statement and result transforms applied by sessions of the scope (before the engine's). */
  readonly transforms: Transforms
}

export function newOrmHooks(): OrmHooks {
  return { session: new EventBus<SessionEvents>(), mapper: new EventBus<MapperEvents>(), transforms: new Transforms() }
}

const byEngine = new WeakMap<Engine, OrmHooks>()

/**
 * The ORM hooks every session bound to `engine` uses (created on first use). The engine layer
 * cannot know ORM events, so they hang off the engine here.
 */
export function ormHooksOf(engine: Engine): OrmHooks {
  let hooks = byEngine.get(engine)
  if (!hooks) byEngine.set(engine, (hooks = newOrmHooks()))
  return hooks
}

/**
 * A statement option that also applies to the relationship loads its results trigger
 * (SQLAlchemy's `propagate_to_loaders`), e.g. a plugin's "include soft-deleted rows".
 */
export interface PropagatingOption {
  readonly propagateToLoaders: true
  /** Not a loader option: it names no class to load. */
  readonly __loads?: undefined
}

function isPropagating(o: unknown): o is PropagatingOption {
  return typeof o === 'object' && o !== null && (o as { propagateToLoaders?: unknown }).propagateToLoaders === true
}

/** `child` with the propagating options of the statement that triggered it. */
export function propagateOptions(child: Select, parent: Select | undefined): Select {
  const inherited = parent?.state.options.filter(isPropagating) ?? []
  const missing = inherited.filter((o) => !child.state.options.includes(o))
  const withOptions = missing.length ? child.options(...(missing as never[])) : child
  // An explicit populateExisting refreshes what the query loads along with it (not a lock's default).
  return parent?.state.execution.populateExisting === true ? withOptions.executionOptions({ populateExisting: true }) : withOptions
}

/**
 * A session's mapper events: emitted to its listeners (session, factory, engine) and to the
 * object's class registry, when either listens. A method of one class rather than a closure
 * per session because hydration and the flush call it per object: a call site V8 saw reach one
 * closure is optimized for that closure, and each new session's closure would undo it.
 */
export class MapperEventEmitter {
  readonly #session: AsyncSession
  readonly #bus: EventBus<MapperEvents>
  constructor(session: AsyncSession, bus: EventBus<MapperEvents>) {
    this.#session = session
    this.#bus = bus
  }
  emit(event: keyof MapperEvents, s: InstanceState, changes?: Readonly<Record<string, unknown>>): void {
    const registry = s.mapper.registry.events
    if (!registry.has(event) && !this.#bus.has(event)) return
    const e = { session: this.#session, mapper: s.mapper, object: s.obj, changes: changes ?? {} }
    registry.emit(event, e)
    this.#bus.emit(event, e)
  }
}
