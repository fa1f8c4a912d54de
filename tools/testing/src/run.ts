import { createAsyncEngine } from '@athanor/core'
import type { Engine, EngineOptions } from '@athanor/core'
import type { Suite, SuiteContext } from './suite.js'

/** Where a backend comes from: a URL, or the reason it cannot be had (the suite is skipped). */
export type BackendResolution = { readonly url: string } | { readonly skip: string }

export interface ComplianceOptions {
  /** Short name used in titles ("postgres", "mysql", "libsql"). */
  readonly backend: string
  /** Finds the URL, e.g. from an env variable or a container; called once in a `before` hook. */
  readonly resolve: () => Promise<BackendResolution>
  /** Options for every engine the suites create. */
  readonly engineOptions?: EngineOptions
}

/**
 * Runs suites against one backend. Dialect packages call it on themselves:
 * ```ts
 * import { complianceSuites, runCompliance } from '@athanor/testing'
 * import '@athanor/postgres'
 * runCompliance({ backend: 'postgres', resolve: async () => ({ url: process.env.ATHANOR_PG_URL! }) }, complianceSuites)
 * ```
 */
export function runCompliance(options: ComplianceOptions, suites: readonly Suite[]): void {
  let url: string | undefined
  describe(`on ${options.backend}`, function () {
    const engines: Engine[][] = []
    before(async function () {
      this.timeout(180_000)
      const found = await options.resolve()
      if ('skip' in found) {
        console.log(`[athanor] skipping ${options.backend} suites: ${found.skip}`)
        this.skip()
      }
      url = found.url
    })
    // Engines made in a test are disposed after it; those made in before() after the describe.
    beforeEach(() => { engines.push([]) })
    afterEach(async () => { await disposeAll(engines.pop() ?? []) })
    after(async () => { for (const list of engines.splice(0)) await disposeAll(list) })
    const ctx: SuiteContext = {
      backend: options.backend,
      get url(): string {
        if (url === undefined) throw new Error(`the ${options.backend} URL is known only inside hooks and tests`)
        return url
      },
      createEngine(engineOptions?: EngineOptions, engineUrl = ctx.url): Engine {
        const engine = createAsyncEngine(engineUrl, { ...options.engineOptions, ...engineOptions })
        if (engines.length === 0) engines.push([])
        engines[engines.length - 1]!.push(engine)
        return engine
      },
    }
    for (const suite of suites) suite(ctx)
  })
}

async function disposeAll(list: readonly Engine[]): Promise<void> {
  for (const engine of list) await engine.dispose()
}
