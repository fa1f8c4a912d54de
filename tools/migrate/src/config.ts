import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createAsyncEngine } from '@athanor/core'
import type { Engine, EngineOptions, MetaData } from '@athanor/core'
import { MigrationError } from './errors.js'
import { loadModule } from './load-module.js'

/**
 * What `athanor.config.ts` exports (default export).
 * ```ts
 * import { defineConfig } from '@athanor/migrate'
 * import '@athanor/postgres'
 * export default defineConfig({
 *   url: process.env.DATABASE_URL ?? 'postgres://localhost/app',
 *   metadata: async () => (await import('./src/models.js')).Base.metadata,
 *   migrations: './migrations',
 * })
 * ```
 */
export interface MigrateConfig {
  /** The database URL (import the dialect package in the config file). */
  readonly url?: string | undefined
  /** Or an engine made in the config file. */
  readonly engine?: Engine | (() => Engine) | undefined
  /** Options for the engine made from `url`. The watchdog is off by default here: DDL on big tables runs long. */
  readonly engineOptions?: EngineOptions | undefined
  /** The models: their MetaData (e.g. `Base.metadata`), or a function that loads it. */
  readonly metadata?: MetaData | (() => MetaData | Promise<MetaData>) | undefined
  /** The folder of revision files, relative to the config file. Default `migrations`. */
  readonly migrations?: string | undefined
  /** The schema (namespace) to reflect and migrate; the connection's default when omitted. */
  readonly schema?: string | undefined
}

/** Types a config file's export. */
export function defineConfig(config: MigrateConfig): MigrateConfig {
  return config
}

export interface LoadedConfig {
  readonly engine: Engine
  readonly ownsEngine: boolean
  /** Loads the models (only the commands that compare with them call it). */
  readonly metadata: () => Promise<MetaData | undefined>
  readonly migrations: string
  readonly schema: string | undefined
  readonly file: string
}

export const CONFIG_FILES = ['athanor.config.ts', 'athanor.config.mts', 'athanor.config.js', 'athanor.config.mjs']

/** Finds and imports the config (TypeScript needs the tsx loader, which the CLI registers). */
export async function loadConfig(path?: string, cwd = process.cwd()): Promise<LoadedConfig> {
  const file = path !== undefined ? resolve(cwd, path) : CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f))
  if (file === undefined || !existsSync(file)) {
    throw new MigrationError(`No ${path ?? CONFIG_FILES[0]} in ${cwd}. Create one with 'athanor init', or pass --config <file>.`, { code: 'migration-config' })
  }
  const module = (await loadModule(file)) as { default?: MigrateConfig }
  const config = module.default
  if (config === undefined || typeof config !== 'object') throw new MigrationError(`${file} must export default defineConfig({ … }).`, { code: 'migration-config' })
  let engine: Engine
  let ownsEngine = false
  if (config.engine !== undefined) engine = typeof config.engine === 'function' ? config.engine() : config.engine
  else if (config.url !== undefined) {
    engine = createAsyncEngine(config.url, { watchdogMs: 0, ...config.engineOptions })
    ownsEngine = true
  } else throw new MigrationError(`${file} gives neither url nor engine.`, { code: 'migration-config' })
  const metadata = async (): Promise<MetaData | undefined> => {
    try {
      return typeof config.metadata === 'function' ? await config.metadata() : config.metadata
    } catch (e) {
      throw new MigrationError(
        `${file}: loading the models (its metadata) failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}. ` +
          `Check the module it imports; paths there are relative to the config file.`,
        { code: 'migration-config', cause: e },
      )
    }
  }
  return { engine, ownsEngine, metadata, migrations: resolve(dirname(file), config.migrations ?? 'migrations'), schema: config.schema, file }
}
