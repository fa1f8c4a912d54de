/**
 * R1, the bank-transfer chaos soak: W concurrent sessions move money between accounts through
 * a pool of M connections, first without faults (the baseline), then while one of the pool's own
 * connections is killed every K ms. Every transfer is one `session.run()` unit of work that locks
 * both accounts (in random order, so deadlocks happen too), moves the amount and inserts a
 * ledger row whose primary key is the transfer's idempotency key. A COMMIT whose outcome is
 * unknown is resolved by looking the key up, never by a blind retry.
 *
 * Afterwards the database must agree with what the callers were told: the sum of balances is
 * unchanged, every account equals its ledger replay, every acknowledged transfer is in the ledger
 * and nothing is in the ledger that was not acknowledged.
 */
import { randomUUID } from 'node:crypto'
import {
  AsyncSession, CommitOutcomeUnknownError, DEFAULT_WATCHDOG_MS, Integer, OperationalError, String as Str, createAsyncEngine, declarativeBase, mappedColumn, select,
  type AthanorError, type DriverConnection, type Engine,
} from '@athanor/core'
import type { BackendName } from './backends.js'
import { createKiller } from './killer.js'
import { percentile, sleep } from './timing.js'

const Base = declarativeBase()
class Account extends Base.model('rel_soak_accounts', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  balance: mappedColumn(Integer),
}) {}
class Transfer extends Base.model('rel_soak_transfers', {
  tid: mappedColumn(Str(40), { primaryKey: true }),
  src: mappedColumn(Integer),
  dst: mappedColumn(Integer),
  amount: mappedColumn(Integer),
}) {}

export interface SoakOptions {
  readonly backend: BackendName
  readonly url: string
  /** Chaos phase length. */
  readonly seconds: number
  /** No-fault baseline length (default a third of `seconds`). */
  readonly baselineSeconds?: number
  readonly workers?: number
  /** Pool size for backends with concurrent connections (libSQL always has one). */
  readonly poolSize?: number
  readonly killEveryMs?: number
  readonly accounts?: number
  /** A transfer (all its attempts) still unsettled after this long counts as hung. */
  readonly hangAfterMs?: number
  /** What goes wrong in the chaos phase; default: one of the pool's own connections killed every `killEveryMs`. */
  readonly fault?: SoakFault
}

/** A fault the chaos phase injects while the transfers run. */
export interface SoakFault {
  /** How the report names it: "kill every 250 ms", "primary killed, standby promoted". */
  readonly label: string
  /** Runs from the start of the chaos phase until `stopped()` holds; returns the number of faults injected. */
  run(ctx: { readonly live: Set<DriverConnection>; stopped(): boolean; /** Call at the moment a fault strikes. */ struck(): void }): Promise<number>
}

export interface SoakReport {
  readonly backend: BackendName
  readonly workers: number
  readonly poolSize: number
  readonly fault: string
  readonly baseline: { readonly seconds: number; readonly transfers: number; readonly tps: number }
  readonly chaos: { readonly seconds: number; readonly transfers: number; readonly tps: number }
  /** chaos tps / baseline tps. */
  readonly throughputRatio: number
  /** The longest time in the chaos phase without an acknowledged transfer (the outage a failover causes). */
  readonly longestGapMs: number
  /** From the last fault a `fault` reported to the first acknowledgement of a transfer begun after it (undefined: none was). */
  readonly resumedAfterMs: number | undefined
  /** Transfers begun after that fault and acknowledged. */
  readonly ackedAfterFault: number
  readonly kills: number
  /** Connections the engine invalidated (each kill should show up here once it is noticed). */
  readonly invalidations: number
  /** Transfers that hit a lost connection and then succeeded. */
  readonly recoveries: number
  readonly recoveryMs: { readonly p50: number; readonly p99: number; readonly max: number }
  readonly retries: Readonly<Record<string, number>>
  readonly unknownOutcome: { readonly committed: number; readonly rolledBack: number }
  /** Transfers whose retries ran out (reported to the caller as failed, and not applied). */
  readonly gaveUp: Readonly<Record<string, number>>
  readonly hung: number
  readonly uncaught: readonly string[]
  readonly invariants: {
    readonly totalBalance: number
    readonly expectedTotal: number
    readonly accountMismatches: number
    /** Acknowledged transfers missing from the ledger. */
    readonly lost: number
    /** Ledger rows applied more than once (by key). */
    readonly duplicated: number
    /** Ledger rows the caller was never told about. */
    readonly committedUnacked: number
  }
}

type Phase = 'warmup' | 'baseline' | 'chaos'

const INITIAL_BALANCE = 1000
const HUNG = Symbol('hung')

/** Runs the soak and returns its figures; throws only when setup or verification cannot run. */
export async function runBankSoak(options: SoakOptions): Promise<SoakReport> {
  const workers = options.workers ?? 64
  const killEveryMs = options.killEveryMs ?? 250
  const accounts = options.accounts ?? 20
  // A transfer whose attempt waited out the default deadline once, then succeeded, is not hung.
  const hangAfterMs = options.hangAfterMs ?? 2 * DEFAULT_WATCHDOG_MS + 10_000
  const baselineSeconds = options.baselineSeconds ?? Math.max(1, options.seconds / 3)
  const live = new Set<DriverConnection>()
  const probe = createAsyncEngine(options.url)
  const concurrent = probe.dialect.capabilities.concurrentConnections
  await probe.dispose()
  const poolSize = concurrent ? (options.poolSize ?? 10) : 1
  const engine = createAsyncEngine(options.url, {
    connectTimeoutMs: 5000,
    // No watchdogMs: the soak runs on the default deadline (DEFAULT_WATCHDOG_MS), which must bound
    // every driver call a kill leaves waiting.
    pool: {
      ...(concurrent ? { size: poolSize, maxOverflow: 0 } : {}),
      checkoutTimeoutMs: 10_000,
      listeners: { onConnect: (c) => void live.add(c), onInvalidate: (c) => void live.delete(c) },
    },
  })
  const uncaught: string[] = []
  const onUncaught = (e: unknown): void => void uncaught.push(String(e instanceof Error ? e.stack ?? e.message : e))
  process.on('uncaughtException', onUncaught)
  process.on('unhandledRejection', onUncaught)
  try {
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
    {
      await using s = new AsyncSession(engine)
      for (let id = 1; id <= accounts; id++) s.add(new Account({ id, balance: INITIAL_BALANCE }))
      await s.commit()
    }
    const stats = new Stats()
    engine.events.on('invalidate', () => void stats.invalidations++)
    const lock = engine.dialect.capabilities.rowLocks
    const transfer = (phase: Phase): Promise<void> => runTransfer(engine, stats, phase, accounts, lock, hangAfterMs)

    // Warm-up, not measured: connections open and statements get prepared.
    const warmEnd = Date.now() + 1000
    await Promise.all(Array.from({ length: workers }, async () => {
      while (Date.now() < warmEnd) await transfer('warmup')
    }))
    const baselineEnd = Date.now() + baselineSeconds * 1000
    await Promise.all(Array.from({ length: workers }, async () => {
      while (Date.now() < baselineEnd) await transfer('baseline')
    }))
    const baselineMs = baselineSeconds * 1000 + (Date.now() - baselineEnd)

    const fault = options.fault ?? killConnections(options.backend, options.url, killEveryMs)
    let stop = false
    const chaosStart = Date.now()
    stats.chaosStart = chaosStart
    const faulting = fault.run({ live, stopped: () => stop, struck: () => void (stats.struckAt = Date.now()) })
    const chaosEnd = chaosStart + options.seconds * 1000
    await Promise.all(Array.from({ length: workers }, async () => {
      while (Date.now() < chaosEnd) await transfer('chaos')
    }))
    const chaosMs = Date.now() - chaosStart
    stop = true
    const kills = await faulting

    const invariants = await verify(engine, stats, accounts)
    const baselineTps = stats.acked.baseline / (baselineMs / 1000)
    const chaosTps = stats.acked.chaos / (chaosMs / 1000)
    return {
      backend: options.backend, workers, poolSize, fault: fault.label,
      baseline: { seconds: baselineMs / 1000, transfers: stats.acked.baseline, tps: baselineTps },
      chaos: { seconds: chaosMs / 1000, transfers: stats.acked.chaos, tps: chaosTps },
      throughputRatio: baselineTps > 0 ? chaosTps / baselineTps : 0,
      longestGapMs: stats.longestGap(chaosStart + chaosMs),
      resumedAfterMs: stats.afterStrike().length > 0 ? stats.afterStrike()[0]! - stats.struckAt! : undefined,
      ackedAfterFault: stats.afterStrike().length,
      kills,
      invalidations: stats.invalidations,
      recoveries: stats.recoveryMs.length,
      recoveryMs: { p50: percentile(stats.recoveryMs, 50), p99: percentile(stats.recoveryMs, 99), max: percentile(stats.recoveryMs, 100) },
      retries: Object.fromEntries(stats.retries),
      unknownOutcome: { committed: stats.unknownCommitted, rolledBack: stats.unknownRolledBack },
      gaveUp: Object.fromEntries(stats.gaveUp),
      hung: stats.hung,
      uncaught,
      invariants,
    }
  } finally {
    process.off('uncaughtException', onUncaught)
    process.off('unhandledRejection', onUncaught)
    await Base.metadata.dropAll(engine, { checkFirst: true }).catch(() => undefined)
    await engine.dispose()
  }
}

class Stats {
  readonly acked: Record<Phase, number> = { warmup: 0, baseline: 0, chaos: 0 }
  readonly ackedKeys = new Set<string>()
  readonly retries = new Map<string, number>()
  readonly gaveUp = new Map<string, number>()
  readonly recoveryMs: number[] = []
  /** When each chaos-phase transfer began and was acknowledged, in acknowledgement order. */
  readonly chaosAcks: { readonly startedAt: number; readonly at: number }[] = []
  chaosStart = 0
  struckAt: number | undefined
  invalidations = 0
  unknownCommitted = 0
  unknownRolledBack = 0
  hung = 0

  /** Acknowledgement times of the transfers begun after the last fault struck. */
  afterStrike(): number[] {
    const struck = this.struckAt
    return struck === undefined ? [] : this.chaosAcks.filter((a) => a.startedAt > struck).map((a) => a.at)
  }

  longestGap(end: number): number {
    let gap = 0
    let previous = this.chaosStart
    for (const t of [...this.chaosAcks.map((a) => a.at), end]) {
      gap = Math.max(gap, t - previous)
      previous = t
    }
    return gap
  }

  bump(map: Map<string, number>, error: unknown): void {
    const code = (error as Partial<AthanorError>).code ?? (error instanceof Error ? error.name : 'unknown')
    map.set(code, (map.get(code) ?? 0) + 1)
  }
}

function isLost(error: unknown): boolean {
  return error instanceof OperationalError && error.disconnect
}

/** One transfer, retried until it is applied exactly once or has clearly failed. */
async function runTransfer(engine: Engine, stats: Stats, phase: Phase, accounts: number, lock: boolean, hangAfterMs: number): Promise<void> {
  const key = randomUUID()
  const src = 1 + Math.floor(Math.random() * accounts)
  const dst = 1 + ((src + Math.floor(Math.random() * (accounts - 1))) % accounts)
  const amount = 1 + Math.floor(Math.random() * 10)
  let lostAt: number | undefined
  const startedAt = Date.now()
  const unitOfWork = async (s: AsyncSession): Promise<void> => {
    const byId = (id: number) => (lock ? select(Account).where(Account.c.id.eq(id)).forUpdate() : select(Account).where(Account.c.id.eq(id)))
    const from = (await s.scalars(byId(src))).one()
    const to = (await s.scalars(byId(dst))).one()
    from.balance -= amount
    to.balance += amount
    s.add(new Transfer({ tid: key, src, dst, amount }))
  }
  for (let round = 0; round < 10; round++) {
    const session = new AsyncSession(engine)
    try {
      const run = session.run(unitOfWork, {
        retries: 12,
        maxDelayMs: 200,
        onRetry: ({ error }) => {
          stats.bump(stats.retries, error)
          if (isLost(error)) lostAt ??= Date.now()
        },
      })
      await within(run, hangAfterMs)
      acknowledge(stats, key, phase, startedAt, lostAt)
      return
    } catch (error) {
      if (error === HUNG) {
        stats.hung++
        return
      }
      if (error instanceof CommitOutcomeUnknownError) {
        lostAt ??= Date.now()
        if (await committed(engine, key)) {
          stats.unknownCommitted++
          acknowledge(stats, key, phase, startedAt, lostAt)
          return
        }
        stats.unknownRolledBack++
        continue
      }
      stats.bump(stats.gaveUp, error)
      return
    } finally {
      await session.close().catch(() => undefined)
    }
  }
}

function acknowledge(stats: Stats, key: string, phase: Phase, startedAt: number, lostAt: number | undefined): void {
  stats.acked[phase]++
  stats.ackedKeys.add(key)
  if (phase === 'chaos') stats.chaosAcks.push({ startedAt, at: Date.now() })
  if (lostAt !== undefined) stats.recoveryMs.push(Date.now() - lostAt)
}

/** Looks the idempotency key up, retrying while the lookup itself loses its connection. */
async function committed(engine: Engine, key: string): Promise<boolean> {
  for (let i = 0; ; i++) {
    const s = new AsyncSession(engine)
    try {
      return (await s.get(Transfer, key)) !== undefined
    } catch (error) {
      if (i >= 50) throw error
      await sleep(20)
    } finally {
      await s.close().catch(() => undefined)
    }
  }
}

/** The default fault: one of the pool's own connections killed from outside every `everyMs`. */
function killConnections(backend: BackendName, url: string, everyMs: number): SoakFault {
  return {
    label: `kill every ${everyMs} ms`,
    async run({ live, stopped }) {
      const killer = await createKiller(backend, url)
      let kills = 0
      try {
        while (!stopped()) {
          await sleep(everyMs)
          if (stopped()) break
          for (const c of live) if (c.closed) live.delete(c)
          const targets = [...live]
          const target = targets[Math.floor(Math.random() * targets.length)]
          if (target !== undefined && (await killer.kill(target).catch(() => false))) kills++
        }
      } finally {
        await killer.close()
      }
      return kills
    },
  }
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(HUNG), ms)
  })
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}

async function verify(engine: Engine, stats: Stats, accounts: number): Promise<SoakReport['invariants']> {
  await using s = new AsyncSession(engine)
  const balances = (await s.scalars(select(Account))).all()
  const ledger = (await s.scalars(select(Transfer))).all()
  const expected = new Map<number, number>()
  for (let id = 1; id <= accounts; id++) expected.set(id, INITIAL_BALANCE)
  for (const t of ledger) {
    expected.set(t.src, expected.get(t.src)! - t.amount)
    expected.set(t.dst, expected.get(t.dst)! + t.amount)
  }
  const keys = new Set(ledger.map((t) => t.tid))
  return {
    totalBalance: balances.reduce((sum, a) => sum + a.balance, 0),
    expectedTotal: accounts * INITIAL_BALANCE,
    accountMismatches: balances.filter((a) => expected.get(a.id) !== a.balance).length + (accounts - balances.length),
    lost: [...stats.ackedKeys].filter((k) => !keys.has(k)).length,
    duplicated: ledger.length - keys.size,
    committedUnacked: ledger.filter((t) => !stats.ackedKeys.has(t.tid)).length,
  }
}

/** The soak's figures as the lines it prints. */
export function formatSoakReport(r: SoakReport): string {
  const retries = Object.entries(r.retries).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
  const gaveUp = Object.entries(r.gaveUp).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
  const inv = r.invariants
  return [
    `[soak ${r.backend}] ${r.workers} workers, pool ${r.poolSize}, ${r.fault}`,
    `  throughput: baseline ${r.baseline.tps.toFixed(1)} tps (${r.baseline.transfers} in ${r.baseline.seconds.toFixed(1)} s), ` +
      `chaos ${r.chaos.tps.toFixed(1)} tps (${r.chaos.transfers} in ${r.chaos.seconds.toFixed(1)} s) = ${(r.throughputRatio * 100).toFixed(0)}% of baseline, longest gap without an acknowledged transfer ${r.longestGapMs.toFixed(0)} ms`,
    `  faults: ${r.kills} kills${r.resumedAfterMs === undefined ? '' : `, the first transfer begun after the last was acknowledged ${r.resumedAfterMs.toFixed(0)} ms after it (${r.ackedAfterFault} such transfers)`}, ${r.invalidations} connections invalidated, ${r.recoveries} transfers recovered after a lost connection ` +
      `(recovery p50 ${r.recoveryMs.p50.toFixed(0)} ms, p99 ${r.recoveryMs.p99.toFixed(0)} ms, max ${r.recoveryMs.max.toFixed(0)} ms)`,
    `  retries: ${retries}; unknown COMMIT outcome: ${r.unknownOutcome.committed} committed, ${r.unknownOutcome.rolledBack} rolled back; gave up: ${gaveUp}`,
    `  hung ${r.hung}, uncaught ${r.uncaught.length}; balance ${inv.totalBalance}/${inv.expectedTotal}, ${inv.accountMismatches} account mismatches, ` +
      `${inv.lost} lost, ${inv.duplicated} duplicated, ${inv.committedUnacked} committed but unacknowledged`,
  ].join('\n')
}
