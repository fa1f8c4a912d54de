/**
 * `@athanor/testing`: the compliance suite every dialect package runs on itself, and the
 * helpers to write more suites. Requires mocha's globals and chai (peer dependencies).
 * ```ts
 * import { complianceSuites, runCompliance } from '@athanor/testing'
 * ```
 *
 * @module @athanor/testing
 */
export { runCompliance } from './run.js'
export type { BackendResolution, ComplianceOptions } from './run.js'
export { dateResultSql, dialectSql, useDatabase } from './suite.js'
export type { DatabaseFixture, Suite, SuiteContext } from './suite.js'
export { complianceSuites } from './suites/index.js'
export { typesRoundTripMetadata } from './suites/types-roundtrip.js'
export { constraintsMetadata } from './suites/schema-constraints.js'
