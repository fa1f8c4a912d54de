import { InvalidRequestError } from '../util/errors.js'

/** A relationship was read before it was loaded (Athanor never loads behind a property getter). */
export class UnloadedRelationshipError extends InvalidRequestError {
  constructor(className: string, attribute: string, target: string, detached = false) {
    const variable = className.charAt(0).toLowerCase() + className.slice(1)
    super(
      detached
        ? `${className}.${attribute} is not loaded, and this ${className} is detached (its session was closed, or it was expunged), ` +
            `so it cannot be loaded now. Load it while the object is in a session (.options(selectinload(${className}.${attribute})) ` +
            `or await session.load(${variable}, '${attribute}')), or attach it to a session first: const attached = await session.merge(${variable}).`
        : `${className}.${attribute} is not loaded, and reading it would need a query (Athanor does no hidden I/O). ` +
            `Load it with the query: .options(selectinload(${className}.${attribute})) (or joinedload), ` +
            `or explicitly: await session.load(${variable}, '${attribute}'). ` +
            `To load it always, declare relationship(() => ${target}, { lazy: 'selectin' }).`,
      'unloaded-relationship',
    )
  }
}

/** An UPDATE or DELETE of a flushed object matched no row: another transaction changed or removed it. */
export class StaleDataError extends InvalidRequestError {
  constructor(what: string, expected: number, matched: number, versionConflict?: string) {
    super(
      versionConflict ??
        `${what} expected to match ${expected} row(s) but matched ${matched}: the row was deleted or its key changed by someone else. Roll back and reload it.`,
      versionConflict === undefined ? 'stale-data' : 'stale-version',
    )
  }
}

/** The session's transaction failed during flush and must be rolled back before further use. */
export class PendingRollbackError extends InvalidRequestError {
  constructor(cause: unknown) {
    super(
      `This session's transaction was rolled back because a flush failed (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}). ` +
        `Call await session.rollback() to reset the session, then retry the work.`,
      'pending-rollback',
    )
  }
}

/** An object was used with a session it does not belong to, or after it was detached. */
export class DetachedInstanceError extends InvalidRequestError {
  constructor(message: string) {
    super(message, 'detached-instance')
  }
}
