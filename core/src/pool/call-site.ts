import { fileURLToPath } from 'node:url'

/*
 * Debug call sites. Frames from this folder are noise in a checkout stack; frames from the rest of
 * Athanor's core (engine, session) are kept in the stack but skipped when naming the holder, since
 * the user wants to know which line of *their* code holds the connection.
 */
const POOL_URL = new URL('.', import.meta.url).href
const CORE_URL = new URL('..', import.meta.url).href
const POOL_DIR = fileURLToPath(POOL_URL)
const CORE_DIR = fileURLToPath(CORE_URL)
// The compliance suites ship inside core but are user code as far as call sites go.
const TESTING_URL = new URL('../testing/', import.meta.url).href
const TESTING_DIR = fileURLToPath(TESTING_URL)

/** Frames V8 keeps for deep async call chains; the default 10 often ends inside the engine. */
const STACK_DEPTH = 50

/** The current stack without the first line and without pool frames. */
export function captureCallSite(): string {
  const previous = Error.stackTraceLimit
  Error.stackTraceLimit = STACK_DEPTH
  let stack: string
  try {
    stack = new Error('checkout').stack ?? ''
  } finally {
    Error.stackTraceLimit = previous
  }
  return stack
    .split('\n')
    .slice(1)
    .filter((line) => !inside(line, POOL_DIR, POOL_URL))
    .join('\n')
}

/** The first frame of a stack that belongs to neither Athanor's core nor Node itself, without "at ". */
export function firstUserFrame(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined
  for (const raw of stack.split('\n')) {
    const line = raw.trim().replace(/^at /, '')
    if (line === '') continue
    const where = location(line)
    if ((inside(where, CORE_DIR, CORE_URL) && !inside(where, TESTING_DIR, TESTING_URL)) || where.startsWith('node:') || where === '<anonymous>' || where === 'native') continue
    return line
  }
  return undefined
}

/** `fn (file:1:2)` → `file:1:2`; `file:1:2` stays. */
function location(frame: string): string {
  const match = /\(([^()]*)\)$/.exec(frame)
  return match?.[1] ?? frame
}

function inside(line: string, dir: string, url: string): boolean {
  return line.includes(dir) || line.includes(url)
}
