import type { Suite } from '../suite.js'
import { sessionSuite } from './session.js'

/** Every suite a dialect must pass, in order. */
export const complianceSuites: readonly Suite[] = [sessionSuite]
