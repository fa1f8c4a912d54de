/**
 * How long the reliability tests run. `npm test` runs the short CI form; `npm run
 * test:reliability` sets ATHANOR_RELIABILITY=full (longer soak and storms), and
 * ATHANOR_SOAK_SECONDS overrides the soak length either way.
 */
const env = process.env

/** True under `npm run test:reliability` (or ATHANOR_RELIABILITY=full). */
export const FULL = env['ATHANOR_RELIABILITY'] === 'full'

function seconds(name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!(value > 0)) throw new Error(`${name} must be a positive number of seconds, got '${raw}'.`)
  return value
}

/** Chaos phase of the R1 soak, per backend (the no-fault baseline runs a third of it). */
export const SOAK_SECONDS = seconds('ATHANOR_SOAK_SECONDS', FULL ? 60 : 8)
/** Length of the R5 deadlock storm per backend. */
export const STORM_SECONDS = seconds('ATHANOR_STORM_SECONDS', FULL ? 30 : 3)
/** Borrow/release cycles of the R7 reset-on-return test. */
export const RESET_CYCLES = FULL ? 10_000 : 400
/** Cases per generator in the R12 fuzz. */
export const FUZZ_CASES = FULL ? 10_000 : 300
