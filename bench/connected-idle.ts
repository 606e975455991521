/**
 * @module
 * The connected-idle row of `npm run bench` (alone: `npm run bench:idle`): N sessions each hold
 * an SSE stream open and send nothing, for an idle period; then one write to the shared
 * leaderboard must reach every one of them. Measured in a fresh workerd per (transport, N), after
 * a small warm-up: errors (failed opens, streams that ended), workerd RSS per connected session,
 * its open files, how many session objects stay resident (`idle-probe.ts`), and the update's
 * delivery time to each subscriber.
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

/** What one (transport, N) run measured. */
export interface ConnectedIdleRow {
  readonly transport: Transport
  readonly n: number
  /** Failed opens (warm-up included) plus streams that ended on their own. */
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
  readonly scoreMs: number
  /** CPU workerd's main thread spent from the write until every subscriber had it (ms). */
  readonly writeCpuMs: number
  readonly received: number
  readonly deliveryP50: number
  readonly deliveryP99: number
  readonly deliveryMax: number
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
/** How long subscribers may take to hear of the write, after its reply. */
const DELIVERY_WAIT_MS = 10_000

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

/** One run: a fresh workerd, N sessions connected on `transport`, idle, one write, closed. */
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
  try {
    log(`${transport} N=${n}: workerd ${worker.pid}, fd limit ${fdLimit(worker.pid)}`)
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
      `${transport} N=${n}: ${open.sessions.length} open in ${openSeconds.toFixed(1)} s` +
        ` (${open.errors} failed${open.firstError ? `: ${open.firstError}` : ''});` +
        ` ${atOpen.total} fds, ${atOpen.residentSessions} sessions resident; idle ${idleSeconds} s…`,
    )
    const samples: number[] = []
    for (let waited = 0; waited < idleSeconds * 1000; waited += SAMPLE_MS) {
      await sleep(Math.min(SAMPLE_MS, idleSeconds * 1000 - waited))
      samples.push(census(worker.pid).residentSessions)
    }
    log(`${transport} N=${n}: resident every ${SAMPLE_MS / 1000} s: ${samples.join(' ')}`)
    const rssIdle = safe(() => worker.rssKiB())
    const atIdle = census(worker.pid)
    const heapIdle = await heap()

    const cpuBefore = worker.mainThreadCpuMs()
    let wrote = performance.now()
    let scoreMs = Number.NaN
    let writeError: string | undefined
    try {
      const writer = await openPlainSession(base)
      wrote = performance.now()
      await score(base, writer)
      scoreMs = performance.now() - wrote
      const live = opened.filter((s) => !s.ended)
      const deadline = performance.now() + DELIVERY_WAIT_MS
      while (live.some((s) => s.updatedAt === undefined) && performance.now() < deadline) {
        await sleep(20)
      }
    } catch (error) {
      writeError = `the write failed: ${error instanceof Error ? error.message : String(error)}`
    }
    const writeCpuMs = worker.mainThreadCpuMs() - cpuBefore
    if (!fs.existsSync(`/proc/${worker.pid}`)) writeError = `workerd exited; ${writeError ?? ''}`
    const delivery = opened.flatMap((s) => (s.updatedAt === undefined ? [] : [s.updatedAt - wrote]))
    const ended = opened.filter((s) => s.ended).length
    const errors = warm.errors + open.errors + ended
    const row = {
      transport,
      n,
      errors,
      firstError: [
        warm.firstError ?? open.firstError,
        ended > 0 ? `${ended} streams ended` : undefined,
        writeError,
      ]
        .filter(Boolean)
        .join('; '),
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
      scoreMs,
      received: delivery.length,
      deliveryP50: delivery.length === 0 ? Number.NaN : percentile(delivery, 50),
      deliveryP99: delivery.length === 0 ? Number.NaN : percentile(delivery, 99),
      deliveryMax: delivery.length === 0 ? Number.NaN : Math.max(...delivery),
      writeCpuMs,
    }
    return { ...row, firstError: row.firstError || undefined, misses: missedTargets(row) }
  } finally {
    for (const session of opened) session.close()
    await worker.stop()
  }
}

/** The targets `row` misses. */
function missedTargets(row: Omit<ConnectedIdleRow, 'misses' | 'firstError'>): string[] {
  const misses: string[] = []
  if (row.errors !== 0) misses.push('errors')
  if (!(row.kibPerSessionIdle <= 64)) misses.push('RSS')
  if (row.residentIdle !== 0) misses.push('resident')
  if (row.received !== row.n) misses.push('lost')
  if (row.n <= 1000 && !(row.deliveryMax <= 2000)) misses.push('delivery')
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
