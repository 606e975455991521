/**
 * @module
 * The connected-idle row of `npm run bench` (alone: `npm run bench:idle`): N sessions each hold
 * an SSE stream open, subscribed to the shared leaderboard, and send nothing. Measured in a fresh
 * workerd per (transport, N), after a small warm-up:
 *
 * - at N ≤ 1000, a write while every subscriber's object is resident (each was just pinged):
 *   its delivery time to each subscriber (the "awake" write);
 * - then the idle period: how many session objects stay resident (`idle-probe.ts`), the isolate's
 *   JavaScript heap per connected session, workerd's RSS and open files;
 * - then a write after the idle, when the subscribers' objects have been evicted: its delivery
 *   time and workerd's CPU per object woken (the "evicted" write);
 * - errors throughout (failed opens and pings, streams that ended on their own).
 *
 * Targets (a row that misses one fails the run): 0 errors; a JS heap of at most 64 KiB per
 * connected session after the idle; no session object resident after it; at N ≤ 1000, the
 * awake write reaching every subscriber within 2 s. Reported, not gated: RSS per session (most
 * of it is workerd's own state for the held connections), and the evicted write, which locally
 * wakes one object after another on one thread.
 *
 * Options (argv, else env): `--connected-n 1000,5000` (`CONNECTED_N`), `--connected-seconds 60`
 * (`CONNECTED_SECONDS`), `--connected-transport mcp|sse|both` (`CONNECTED_TRANSPORT`),
 * `--storage memory|disk` (as for the main table); `--json`
 * when run alone. `--connected-n 0` skips the row in `npm run bench`.
 */
import fs from 'node:fs'
import path from 'node:path'
import { connectedIdleTable } from './connected-idle-table.ts'
import { fdCensus, fdLimit } from './idle-probe.ts'
import {
  type ConnectedSession,
  openMcpSession,
  openPlainSession,
  openSseSession,
  score,
  type Transport,
} from './idle-sessions.ts'
import { inspector } from './inspector.ts'
import { percentile } from './load.ts'
import {
  type BenchStorage,
  freePort,
  type RunningWorker,
  startWorker,
  storageOption,
  type WorkerSpec,
} from './workerd.ts'

/** What to run. */
export interface ConnectedIdleOptions {
  readonly sizes: readonly number[]
  readonly idleSeconds: number
  readonly transports: readonly Transport[]
  /** Where the objects' SQLite files live (`--storage`, as for the main table). */
  readonly storage: BenchStorage
}

/** How one write reached the subscribers. */
export interface Delivery {
  /** Session objects resident when the write was made (counted just before it). */
  readonly residentAtWrite: number
  /** How long the writer waited for its `tools/call` answer (ms); NaN when it got none. */
  readonly answerMs: number
  /** Subscribers it reached within the wait. */
  readonly received: number
  /** Delivery times from the write (ms); NaN when it reached none. */
  readonly p50: number
  readonly p99: number
  readonly max: number
  /** CPU workerd's main thread spent from the write until every subscriber had it (ms). */
  readonly cpuMs: number
}

/** What one (transport, N) run measured. */
export interface ConnectedIdleRow {
  readonly transport: Transport
  readonly n: number
  /**
   * Failed opens (warm-up included) and pings, streams that ended on their own, and an awake
   * write whose writer could not start or got no answer within 30 s.
   */
  readonly errors: number
  readonly firstError: string | undefined
  readonly openSeconds: number
  /** workerd RSS growth per connected session (KiB), right after opening and after the idle. */
  readonly kibPerSessionOpen: number
  readonly kibPerSessionIdle: number
  /** Growth of the isolate's JavaScript heap per connected session after the idle (KiB). */
  readonly jsKiBPerSession: number
  readonly fdsOpen: number
  readonly fdsIdle: number
  readonly residentOpen: number
  readonly residentIdle: number
  /** The most resident at any sample during the idle period. */
  readonly residentPeak: number
  /** How many warm-up sessions there were: none of them must be resident after the idle. */
  readonly warmup: number
  /**
   * The write made while every subscriber's object was resident (just pinged); not made (all
   * NaN) above `TARGETS.awakeN`.
   */
  readonly awake: Delivery
  /** The write made after the idle, to subscribers whose objects were evicted. */
  readonly evicted: Delivery & {
    /** `cpuMs` per subscriber reached: about one object's wake each. */
    readonly cpuPerWakeMs: number
  }
  /** The targets this row missed (empty: all met). */
  readonly misses: readonly string[]
}

const APP: WorkerSpec = {
  name: 'app',
  wranglerConfig: 'wrangler.toml',
  objects: { SESSION_DO: 'SessionDO', RESOURCE_HUB: 'ResourceHub', HANDLE_DO: 'HandleDO' },
  vars: { LOG_LEVEL: 'silent' },
}

/** Sessions opened concurrently. */
const CONCURRENCY = 32
/** Sessions opened (without subscribing) and closed first: code and allocator warm-up. */
const WARMUP = 50
/** How often the resident count is sampled during the idle period. */
const SAMPLE_MS = 10_000
/** How long awake subscribers may take to hear of a write, after its reply. */
const AWAKE_WAIT_MS = 10_000
/**
 * How long evicted subscribers may take: locally they wake one after another, a few ms each,
 * so the wait grows with N (the loop ends as soon as all have it).
 */
const evictedWaitMs = (n: number) => Math.max(10_000, n * 20)

/** The targets. */
export const TARGETS = {
  /** JavaScript heap per connected session after the idle (KiB). */
  heapKiB: 64,
  /** The largest N at which the awake write is timed against `awakeMs`. */
  awakeN: 1_000,
  /** The awake write reaches every subscriber within this (ms). */
  awakeMs: 2_000,
} as const

const log = (line: string) => process.stderr.write(`[connected-idle] ${line}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The options from argv (`--connected-*`), else the environment, else the defaults. */
export function connectedIdleOptions(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): ConnectedIdleOptions {
  const option = (name: string, variable: string) => {
    const index = argv.indexOf(name)
    return index === -1 ? env[variable] : argv[index + 1]
  }
  const sizes = (option('--connected-n', 'CONNECTED_N') ?? '1000,5000')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0)
  const idleSeconds = Number(option('--connected-seconds', 'CONNECTED_SECONDS') ?? 60)
  const transport = option('--connected-transport', 'CONNECTED_TRANSPORT') ?? 'both'
  if (!['mcp', 'sse', 'both'].includes(transport) || !(idleSeconds >= 0)) {
    throw new Error(`bad option: transport ${transport}, idle seconds ${idleSeconds}`)
  }
  const transports: Transport[] = transport === 'both' ? ['mcp', 'sse'] : [transport as Transport]
  return { sizes, idleSeconds, transports, storage: storageOption(argv) }
}

/** Opens `count` sessions `concurrency` at a time; failed opens are counted, not thrown. */
async function openMany(
  count: number,
  open: () => Promise<ConnectedSession>,
): Promise<{ sessions: ConnectedSession[]; errors: number; firstError: string | undefined }> {
  const sessions: ConnectedSession[] = []
  let errors = 0
  let firstError: string | undefined
  let started = 0
  const worker = async () => {
    while (started < count) {
      started++
      try {
        sessions.push(await open())
      } catch (error) {
        errors++
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker))
  return { sessions, errors, firstError }
}

/** `probe()`, or NaN once workerd is gone (it crashed: the errors say why). */
function safe(probe: () => number): number {
  try {
    return probe()
  } catch {
    return Number.NaN
  }
}

const NO_CENSUS = { total: Number.NaN, sockets: Number.NaN, residentSessions: Number.NaN }

/** {@link fdCensus} of workerd `pid`, or NaNs once it is gone. */
function census(pid: number): Pick<ReturnType<typeof fdCensus>, keyof typeof NO_CENSUS> {
  try {
    return fdCensus(pid)
  } catch {
    return NO_CENSUS
  }
}

/** Pings every session, `CONCURRENCY` at a time; failed pings are counted, not thrown. */
async function pingAll(
  sessions: readonly ConnectedSession[],
): Promise<{ errors: number; firstError: string | undefined }> {
  let errors = 0
  let firstError: string | undefined
  let next = 0
  const worker = async () => {
    while (next < sessions.length) {
      try {
        await sessions[next++]!.ping()
      } catch (error) {
        errors++
        firstError ??= `ping: ${error instanceof Error ? error.message : String(error)}`
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sessions.length) }, worker))
  return { errors, firstError }
}

/** `error`'s message. */
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Makes one `score` write from a fresh session and waits up to `waitMs` for every subscriber
 * still connected to hear of it, while the writer waits for its own answer (so a slow answer
 * doesn't hold up the timing of the deliveries). A writer that can't start, or gets no answer,
 * is the error returned beside what was delivered.
 */
async function timeWrite(
  worker: RunningWorker,
  subscribers: readonly ConnectedSession[],
  waitMs: number,
  what: string,
): Promise<{ delivery: Delivery; error: string | undefined }> {
  const base = worker.baseUrl
  const failed = (step: string, error: unknown) => {
    const gone = fs.existsSync(`/proc/${worker.pid}`) ? '' : ' (workerd exited)'
    return `the ${what} write's ${step} failed${gone}: ${messageOf(error)}`
  }
  // Counted before the writer's own session opens, so only the subscribers (and any warm-up
  // session not yet evicted) are in it.
  const residentAtWrite = census(worker.pid).residentSessions
  let writer: string
  try {
    writer = await openPlainSession(base)
  } catch (error) {
    return { delivery: { ...NO_DELIVERY, residentAtWrite }, error: failed('initialize', error) }
  }
  const cpuBefore = worker.mainThreadCpuMs()
  const wrote = performance.now()
  let error: string | undefined
  const answered = score(base, writer).then(
    () => performance.now() - wrote,
    (reason: unknown) => {
      error = failed('tools/call', reason)
      return Number.NaN
    },
  )
  const heard = (s: ConnectedSession) => s.updates.some((at) => at >= wrote)
  const live = subscribers.filter((s) => !s.ended)
  const deadline = performance.now() + waitMs
  while (!live.every(heard) && performance.now() < deadline) await sleep(20)
  const cpuMs = worker.mainThreadCpuMs() - cpuBefore
  const answerMs = await answered
  const times = subscribers.flatMap((s) => {
    const at = s.updates.find((t) => t >= wrote)
    return at === undefined ? [] : [at - wrote]
  })
  const some = times.length > 0
  const delivery = {
    residentAtWrite,
    answerMs,
    received: times.length,
    p50: some ? percentile(times, 50) : Number.NaN,
    p99: some ? percentile(times, 99) : Number.NaN,
    max: some ? Math.max(...times) : Number.NaN,
    cpuMs,
  }
  return { delivery, error }
}

const NO_DELIVERY: Delivery = {
  residentAtWrite: Number.NaN,
  answerMs: Number.NaN,
  received: 0,
  p50: Number.NaN,
  p99: Number.NaN,
  max: Number.NaN,
  cpuMs: Number.NaN,
}

/**
 * One run: a fresh workerd, N subscribed sessions connected on `transport`, one write while
 * their objects are awake, the idle, one write to their evicted objects, all closed.
 */
async function measure(
  transport: Transport,
  n: number,
  idleSeconds: number,
  storage: BenchStorage,
): Promise<ConnectedIdleRow> {
  const inspectorPort = await freePort()
  const worker: RunningWorker = await startWorker({ ...APP, inspectorPort, storage })
  // The isolate's heap, beside the process's RSS: how much of a session is JavaScript. The
  // inspector is attached only for the measurement: attached, it slows the isolate down.
  const heap = async () => {
    const devtools = await inspector(inspectorPort, () => fetch(`${base}/health`)).catch(
      () => undefined,
    )
    const kib = (await devtools?.heapUsedKiB().catch(() => undefined)) ?? Number.NaN
    devtools?.close()
    return kib
  }
  const base = worker.baseUrl
  const connect = transport === 'mcp' ? openMcpSession : openSseSession
  const opened: ConnectedSession[] = []
  const label = `${transport} N=${n}`
  try {
    log(`${label}: workerd ${worker.pid}, fd limit ${fdLimit(worker.pid)}`)
    const warm = await openMany(WARMUP, () => connect(base, false))
    for (const session of warm.sessions) session.close()
    await sleep(1_000)
    const heapBefore = await heap()
    const rssBefore = worker.rssKiB()
    const start = performance.now()
    const open = await openMany(n, () => connect(base, true))
    opened.push(...open.sessions)
    const openSeconds = (performance.now() - start) / 1000
    await sleep(1_000)
    const rssOpen = safe(() => worker.rssKiB())
    const atOpen = census(worker.pid)
    log(
      `${label}: ${open.sessions.length} open in ${openSeconds.toFixed(1)} s` +
        ` (${open.errors} failed${open.firstError ? `: ${open.firstError}` : ''});` +
        ` ${atOpen.total} fds, ${atOpen.residentSessions} sessions resident`,
    )

    // Above the awake target's N the write is not made: every object in memory at once holds
    // its database's three files, which at 5000 would be about all workerd may open.
    const timesAwake = n <= TARGETS.awakeN
    const pinged = timesAwake ? await pingAll(opened) : { errors: 0, firstError: undefined }
    const awake = timesAwake
      ? await timeWrite(worker, opened, AWAKE_WAIT_MS, 'awake')
      : { delivery: NO_DELIVERY, error: undefined }
    log(
      timesAwake
        ? `${label}: awake write (${awake.delivery.residentAtWrite} resident) reached` +
            ` ${awake.delivery.received} in ${fmtMs(awake.delivery.max)}; idle ${idleSeconds} s…`
        : `${label}: no awake write above N=${TARGETS.awakeN}; idle ${idleSeconds} s…`,
    )

    const samples: number[] = []
    for (let waited = 0; waited < idleSeconds * 1000; waited += SAMPLE_MS) {
      await sleep(Math.min(SAMPLE_MS, idleSeconds * 1000 - waited))
      samples.push(census(worker.pid).residentSessions)
    }
    log(`${label}: resident every ${SAMPLE_MS / 1000} s: ${samples.join(' ')}`)
    const rssIdle = safe(() => worker.rssKiB())
    const atIdle = census(worker.pid)
    const heapIdle = await heap()

    const evicted = await timeWrite(worker, opened, evictedWaitMs(n), 'evicted')
    log(
      `${label}: evicted write (${evicted.delivery.residentAtWrite} resident) reached` +
        ` ${evicted.delivery.received} in ${fmtMs(evicted.delivery.max)}`,
    )
    const ended = opened.filter((s) => s.ended).length
    // The evicted write's own failure (its answer starved by the wakes it set off, all on one
    // thread here) is reported with it, not counted: that write is not gated.
    const errors = warm.errors + open.errors + pinged.errors + ended + (awake.error ? 1 : 0)
    const firstError = [
      warm.firstError ?? open.firstError ?? pinged.firstError,
      ended > 0 ? `${ended} streams ended` : undefined,
      awake.error,
      evicted.error,
    ]
      .filter(Boolean)
      .join('; ')
    const row = {
      transport,
      n,
      errors,
      openSeconds,
      kibPerSessionOpen: (rssOpen - rssBefore) / n,
      kibPerSessionIdle: (rssIdle - rssBefore) / n,
      jsKiBPerSession: (heapIdle - heapBefore) / n,
      fdsOpen: atOpen.total,
      fdsIdle: atIdle.total,
      residentOpen: atOpen.residentSessions,
      residentIdle: atIdle.residentSessions,
      residentPeak: Math.max(...[atOpen.residentSessions, ...samples].filter(Number.isFinite)),
      warmup: WARMUP,
      awake: awake.delivery,
      evicted: {
        ...evicted.delivery,
        cpuPerWakeMs: evicted.delivery.cpuMs / evicted.delivery.received,
      },
    }
    return { ...row, firstError: firstError || undefined, misses: missedTargets(row) }
  } finally {
    for (const session of opened) session.close()
    await worker.stop()
  }
}

/** `ms` for a log line. */
const fmtMs = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : '–')

/**
 * The targets `row` misses. The write to evicted subscribers is not among them: locally every
 * object wakes on one thread, one after another, so its time says how fast this machine starts
 * objects, not how the server behaves on Cloudflare, where they wake in parallel.
 */
export function missedTargets(
  row: Omit<ConnectedIdleRow, 'misses' | 'firstError' | 'evicted'>,
): string[] {
  const misses: string[] = []
  if (row.errors !== 0) misses.push('errors')
  if (!(row.jsKiBPerSession <= TARGETS.heapKiB)) misses.push('heap')
  if (row.residentIdle !== 0) misses.push('resident')
  if (row.n <= TARGETS.awakeN) {
    const { awake } = row
    // Every subscriber's object must have been resident at the write, or it timed wakes too:
    // pinging them all took longer than workerd keeps an idle object (a machine too busy).
    if (!(awake.residentAtWrite >= row.n)) misses.push('awake (not all resident at the write)')
    else if (!(awake.received === row.n && awake.max <= TARGETS.awakeMs))
      misses.push('awake delivery')
  }
  return misses
}

/** Runs every (transport, N) of `options`, one fresh workerd each. */
export async function connectedIdle(options: ConnectedIdleOptions): Promise<ConnectedIdleRow[]> {
  const limit = fdLimit('self')
  log(`fd limit (ulimit -n): ${limit} here; workerd inherits it`)
  const rows: ConnectedIdleRow[] = []
  for (const n of options.sizes) {
    // Each stream is a socket here and one in workerd; a few hundred more for POSTs and files.
    if (n + 512 > limit) log(`N=${n} needs more than the ${limit} descriptors allowed here`)
    for (const transport of options.transports) {
      const started = performance.now()
      rows.push(await measure(transport, n, options.idleSeconds, options.storage))
      log(`${transport} N=${n}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
    }
  }
  return rows
}

async function main(): Promise<void> {
  const options = connectedIdleOptions()
  const started = performance.now()
  const rows = await connectedIdle(options)
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ options, rows }, null, 2)}\n`)
  } else {
    process.stdout.write(connectedIdleTable(rows, options.idleSeconds, options.storage))
    for (const r of rows) {
      if (r.firstError) log(`${r.transport} N=${r.n}: first error: ${r.firstError}`)
    }
  }
  log(`all done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  process.exitCode = rows.every((r) => r.misses.length === 0) ? 0 : 1
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) {
  main()
    .catch((error: unknown) => {
      log(`failed: ${error instanceof Error ? error.stack : String(error)}`)
      process.exitCode = 2
    })
    // Streams and pooled sockets of a failed run must not keep the process alive.
    .finally(() => setTimeout(() => process.exit(), 100).unref())
}
