import { pathToFileURL } from 'node:url'

/**
 * Loads a user's TypeScript or JavaScript module (a revision file, athanor.config.ts) the way
 * this package itself was loaded, so that it shares our instance of @athanor/core: `instanceof`
 * on its constraints and column specs must hold. Under a CommonJS loader (tsx's require hook, as
 * in mocha) that is require(); otherwise import().
 */
export async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (typeof require === 'function' && typeof module !== 'undefined') return require(file) as Record<string, unknown>
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>
}
