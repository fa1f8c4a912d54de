/**
 * At most `n` tasks at a time, started in the order they were queued.
 * ```ts
 * const limit = concurrencyLimit(2)
 * await Promise.all(files.map((f) => limit(() => run(f))))
 * ```
 */
export function concurrencyLimit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`concurrencyLimit needs a whole number of at least 1, not ${n}.`)
  let running = 0
  const waiting: (() => void)[] = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((start) => waiting.push(start))
    else running++
    try {
      return await task()
    } finally {
      // Hand the slot straight to the next task, so running never over- or under-counts.
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }
}
