import { expect } from 'chai'

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E

/**
 * Awaits `work`, asserts it rejected with an instance of `type` (whose message matches `pattern`,
 * when given) and returns the error for further checks.
 * ```ts
 * const error = await rejects(session.commit(), CommitOutcomeUnknownError, /outcome is unknown/)
 * ```
 */
export async function rejects<E extends Error>(work: Promise<unknown>, type: ErrorClass<E>, pattern?: RegExp): Promise<E> {
  let error: unknown
  try {
    await work
  } catch (e) {
    error = e
  }
  expect(error, `expected a ${type.name}`).to.be.instanceOf(type)
  if (pattern !== undefined) expect((error as Error).message).to.match(pattern)
  return error as E
}
