import { mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * A fresh folder under tools/migrate/.work (git-ignored) for revision files a test writes: inside
 * the repository, because revision files import @athanor/core and @athanor/migrate.
 */
export function workFolder(name: string): string {
  const dir = fileURLToPath(new URL(`../../.work/${name}-${process.pid}-${Date.now()}/`, import.meta.url))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  return dir
}
