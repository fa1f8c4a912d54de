/**
 * @athanor/plugin-opentelemetry — spans for statements, flushes and commits.
 * ```ts
 * import { opentelemetry } from '@athanor/plugin-opentelemetry'
 * usePlugin(engine, opentelemetry())
 * ```
 *
 * @module @athanor/plugin-opentelemetry
 */
export { opentelemetry } from './opentelemetry.js'
export type { OpenTelemetryOptions } from './opentelemetry.js'
export { dbSystem, operationName, urlAttributes } from './attributes.js'
