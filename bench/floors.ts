/**
 * @module
 * The main table of `npm run bench`: the app against floors that run the same work, all under
 * workerd directly, interleaved round by round.
 *
 * - **SDK floor** (`bench/sdk-floor/`): SDK v1 on Durable Objects by hand, one object per
 *   session with a bare `McpServer` and the SDK's own transport. The sessionful targets are
 *   ratios to it, so they measure what the framework adds, not the SDK's own cost.
 * - **one-hop baseline** (`bench/baseline/`): one Worker→object hop and a hand-written JSON-RPC
 *   answer, no SDK; shown for information.
 * - **bare SDK v2** (`bench/sdk-v2/`): the floor of 2026-07-28 calls, which wake no object.
 * - **bearer auth** (the app with `AUTH_TOKENS`): the reference of the `auth` rows, the app
 *   behind the OAuth authorization server plugin with one of its tokens (and with its token
 *   cache off, for information), on both eras.
 *
 * Every ratio is taken within a round (the runs of a round go back to back, in an order that
 * rotates by round) and the median over rounds reported, which cancels most of a shared
 * machine's drift.
 */
import {
  idleMemory,
  mcpCalls,
  modernCalls,
  percentile,
  type RunResult,
  sessionSetup,
  sseCalls,
  type Target,
} from './load.ts'
import { oauthAccessToken } from './oauth-token.ts'
import {
  type BenchStorage,
  type RunningWorker,
  startWorker,
  storageNote,
  type WorkerSpec,
} from './workerd.ts'

/** What the rounds run. */
export interface FloorOptions {
  readonly rounds: number
  readonly idle: number
  readonly verbose: boolean
  /** Run only these groups (`mcp`, `sse`, `setup`, `modern`, `auth`, `idle`); all when absent. */
  readonly only?: readonly string[]
  /** Where every worker's objects keep their SQLite files. */
  readonly storage: BenchStorage
  readonly log: (line: string) => void
}

const SESSIONS = 8
const PER_SESSION = 500
const CONCURRENCY = 16
const SETUP = 300
/** Sessions set up (and not counted) before the idle measurement, to warm the process up. */
const IDLE_WARMUP = 200

const OBJECTS = { SESSION_DO: 'SessionDO', RESOURCE_HUB: 'ResourceHub', HANDLE_DO: 'HandleDO' }
const APP: WorkerSpec = {
  name: 'app',
  wranglerConfig: 'wrangler.toml',
  objects: OBJECTS,
  vars: { LOG_LEVEL: 'silent' },
}
/** The app as users run it: one JSON line per HTTP request and per JSON-RPC request. */
const APP_LOGGED: WorkerSpec = { ...APP, name: 'app-logged', vars: { LOG_LEVEL: 'info' } }
const SDK_FLOOR: WorkerSpec = {
  name: 'sdk-floor',
  wranglerConfig: 'bench/sdk-floor/wrangler.toml',
  objects: { SDK_FLOOR_DO: 'SdkFloorDO' },
}
const BASELINE: WorkerSpec = {
  name: 'baseline',
  wranglerConfig: 'bench/baseline/wrangler.toml',
  objects: { BASELINE_DO: 'BaselineDO' },
}
const SDK_V2: WorkerSpec = {
  name: 'sdk-v2',
  wranglerConfig: 'bench/sdk-v2/wrangler.toml',
  objects: {},
}

/** The app behind static bearer tokens: the reference of the auth rows. */
const BEARER_TOKEN = 'bench-static-token'
const APP_BEARER: WorkerSpec = {
  ...APP,
  name: 'app-bearer',
  vars: { LOG_LEVEL: 'silent', AUTH_TOKENS: `bench:${BEARER_TOKEN}` },
}
/** The app behind its own OAuth authorization server (local sign-in; tokens in an in-memory KV). */
const APP_OAUTH: WorkerSpec = {
  ...APP,
  name: 'app-oauth',
  vars: { LOG_LEVEL: 'silent', OAUTH_IDENTITY: 'dev' },
  kv: ['OAUTH_KV'],
}
/** The same with the token cache off: every request reads the token's record and decrypts it. */
const APP_OAUTH_UNCACHED: WorkerSpec = {
  ...APP_OAUTH,
  name: 'app-oauth-uncached',
  vars: { ...APP_OAUTH.vars, OAUTH_TOKEN_CACHE_MS: '0' },
}

/** One load run, with the CPU workerd's main thread (all JavaScript) spent per call. */
type Run = RunResult & { readonly cpuUsPerCall: number }

async function withCpu(worker: RunningWorker, load: () => Promise<RunResult>): Promise<Run> {
  const before = worker.mainThreadCpuMs()
  const result = await load()
  return { ...result, cpuUsPerCall: ((worker.mainThreadCpuMs() - before) * 1000) / result.calls }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n >= 100 ? 0 : 2))

/** One row: the baseline, the floor and the app, the app's ratio to the floor, its target. */
export interface FloorRow {
  readonly metric: string
  readonly baseline?: number
  readonly floor: number
  readonly app: number
  readonly ratio: number
  readonly target: string
  readonly ok: boolean
}

/** The runs of every round, by series name. */
type Series = Record<string, Run[]>

/** Idle memory per session in a fresh process, after a warm-up batch. */
async function freshIdleMemory(spec: WorkerSpec, idle: number) {
  const worker = await startWorker(spec)
  try {
    const target: Target = { kind: spec.name === 'app' ? 'app' : 'baseline', worker }
    const warm = await idleMemory(target, IDLE_WARMUP, 32)
    const measured = await idleMemory(target, idle, 32)
    return { kibPerSession: measured.kibPerSession, errors: warm.errors + measured.errors }
  } finally {
    await worker.stop()
  }
}

/** Runs the rounds and builds the table; `ok` when every target was met. */
export async function floors(options: FloorOptions): Promise<{
  ok: boolean
  rows: FloorRow[]
  table: string
}> {
  const { log, rounds, storage } = options
  const included = (group: string) =>
    options.only === undefined ||
    options.only.some((only) => group === only || group.startsWith(`${only}-`))
  const started: RunningWorker[] = []
  /** A worker started on first use (so `--only` starts only what its groups need). */
  const lazy = (spec: WorkerSpec) => {
    let worker: Promise<RunningWorker> | undefined
    return () => {
      worker ??= startWorker({ ...spec, storage }).then((w) => {
        started.push(w)
        return w
      })
      return worker
    }
  }
  log('bundling and starting the workers the rounds need, on first use (warm-up round)…')
  const workers = {
    app: lazy(APP),
    logged: lazy(APP_LOGGED),
    floor: lazy(SDK_FLOOR),
    base: lazy(BASELINE),
    v2: lazy(SDK_V2),
    // Modern calls wake no object, and their floor's isolate serves nothing else; locally an
    // app isolate that also hosts the sessionful rounds' objects carries their heap through
    // every collection (about 100 µs a call more here). The modern rows get an app of their own.
    modern: lazy({ ...APP, name: 'app-modern' }),
    bearer: lazy(APP_BEARER),
    oauth: lazy(APP_OAUTH),
    uncached: lazy(APP_OAUTH_UNCACHED),
  }
  /** The OAuth apps' access tokens, one per worker, got by signing in once. */
  const tokens = new Map<RunningWorker, Promise<string>>()
  const authOf = async (worker: RunningWorker, oauth: boolean) => {
    if (!oauth) return { authorization: `Bearer ${BEARER_TOKEN}` }
    let token = tokens.get(worker)
    if (token === undefined) {
      token = oauthAccessToken(worker.baseUrl)
      tokens.set(worker, token)
    }
    return { authorization: `Bearer ${await token}` }
  }
  type Lazy = () => Promise<RunningWorker>
  const t = (worker: RunningWorker, kind: Target['kind'] = 'baseline'): Target => ({ kind, worker })
  const mcp = (w: Lazy) => async () => {
    const worker = await w()
    return withCpu(worker, () => mcpCalls(t(worker), SESSIONS, PER_SESSION, CONCURRENCY))
  }
  const sse = (w: Lazy) => async () => {
    const worker = await w()
    return withCpu(worker, () => sseCalls(worker, SESSIONS, PER_SESSION, CONCURRENCY))
  }
  const setup =
    (w: Lazy, kind: Target['kind'] = 'baseline') =>
    async () => {
      const worker = await w()
      return withCpu(worker, () => sessionSetup(t(worker, kind), SETUP, CONCURRENCY))
    }
  const modern = (w: Lazy) => async () => {
    const worker = await w()
    return withCpu(worker, () => modernCalls(worker, SESSIONS * PER_SESSION, CONCURRENCY))
  }
  const authMcp = (w: Lazy, oauth: boolean) => async () => {
    const worker = await w()
    const target: Target = { kind: 'app', worker, headers: await authOf(worker, oauth) }
    return withCpu(worker, () => mcpCalls(target, SESSIONS, PER_SESSION, CONCURRENCY))
  }
  const authModern = (w: Lazy, oauth: boolean) => async () => {
    const worker = await w()
    const headers = await authOf(worker, oauth)
    return withCpu(worker, () => modernCalls(worker, SESSIONS * PER_SESSION, CONCURRENCY, headers))
  }
  const allJobs: Array<[string, () => Promise<Run>]> = [
    ['mcp:app', mcp(workers.app)],
    ['mcp:logged', mcp(workers.logged)],
    ['mcp:floor', mcp(workers.floor)],
    ['mcp:base', mcp(workers.base)],
    ['sse:app', sse(workers.app)],
    // The floor has no /sse: its /mcp run beside the app's /sse run is the reference.
    ['sse:floor', mcp(workers.floor)],
    ['setup:app', setup(workers.app, 'app')],
    ['setup:floor', setup(workers.floor)],
    ['setup:base', setup(workers.base)],
    ['modern:app', modern(workers.modern)],
    ['modern:v2', modern(workers.v2)],
    ['auth:bearer', authMcp(workers.bearer, false)],
    ['auth:oauth', authMcp(workers.oauth, true)],
    ['auth:uncached', authMcp(workers.uncached, true)],
    ['auth-modern:bearer', authModern(workers.bearer, false)],
    ['auth-modern:oauth', authModern(workers.oauth, true)],
    ['auth-modern:uncached', authModern(workers.uncached, true)],
  ]
  const jobs = allJobs.filter(([name]) => included(name.split(':')[0]!))
  const series: Series = Object.fromEntries(allJobs.map(([name]) => [name, []]))
  try {
    // Round 0 warms every worker up (JIT, caches) and is dropped.
    for (let round = 0; round <= rounds; round++) {
      log(round === 0 ? 'warming up…' : `round ${round}/${rounds}…`)
      // Pairs stay side by side; which of a pair goes first alternates by round.
      for (let group = 0; group < jobs.length; ) {
        const prefix = jobs[group]![0].split(':')[0]
        const members = jobs.filter(([name]) => name.startsWith(`${prefix}:`))
        const ordered = round % 2 === 0 ? members : [...members].reverse()
        for (const [name, run] of ordered) {
          const result = await run()
          if (round > 0) series[name]!.push(result)
        }
        group += members.length
      }
    }
  } finally {
    await Promise.all(started.map((w) => w.stop().catch(() => undefined)))
  }

  const idle = included('idle')
  if (idle) log(`idle memory: ${options.idle} sessions each, in fresh processes…`)
  const skipped = { kibPerSession: Number.NaN, errors: 0 }
  const appIdle = idle ? await freshIdleMemory({ ...APP, storage }, options.idle) : skipped
  const floorIdle = idle ? await freshIdleMemory({ ...SDK_FLOOR, storage }, options.idle) : skipped
  const baseIdle = idle ? await freshIdleMemory({ ...BASELINE, storage }, options.idle) : skipped

  const rate = (r: Run) => r.calls / r.seconds
  const p50 = (r: Run) => percentile(r.latencies, 50)
  const p99 = (r: Run) => percentile(r.latencies, 99)
  const cpu = (r: Run) => r.cpuUsPerCall
  const row = (
    metric: string,
    app: string,
    floor: string,
    base: string | undefined,
    figure: (r: Run) => number,
    target = '',
    ok: (ratio: number) => boolean = () => true,
  ): FloorRow | undefined => {
    const apps = series[app]!
    if (apps.length === 0) return undefined
    const floors = series[floor]!
    const ratio = median(apps.map((r, i) => figure(r) / figure(floors[i]!)))
    if (options.verbose) {
      log(
        `${metric} (app/floor by round): ${apps.map((r, i) => `${fmt(figure(r))}/${fmt(figure(floors[i]!))}`).join('  ')}`,
      )
    }
    return {
      metric,
      ...(base !== undefined && { baseline: median(series[base]!.map(figure)) }),
      floor: median(floors.map(figure)),
      app: median(apps.map(figure)),
      ratio,
      target,
      ok: ok(ratio),
    }
  }
  const errors =
    Object.entries(series)
      .filter(([name]) => !/:(floor|base|v2)$/.test(name))
      .flatMap(([, runs]) => runs)
      .reduce((n, r) => n + r.errors, 0) + appIdle.errors
  const rows = [
    row('/mcp tool calls/s', 'mcp:app', 'mcp:floor', 'mcp:base', rate, '≥ 0.90×', (r) => r >= 0.9),
    row('/mcp tool calls/s, logging at info', 'mcp:logged', 'mcp:floor', 'mcp:base', rate),
    row(
      '/sse tool calls/s (floor: its /mcp)',
      'sse:app',
      'sse:floor',
      undefined,
      rate,
      '≥ 0.85×',
      (r) => r >= 0.85,
    ),
    row(
      'session setup/s',
      'setup:app',
      'setup:floor',
      'setup:base',
      rate,
      '≥ 0.85×',
      (r) => r >= 0.85,
    ),
    row('/mcp p50 ms', 'mcp:app', 'mcp:floor', 'mcp:base', p50),
    row('/mcp p99 ms', 'mcp:app', 'mcp:floor', 'mcp:base', p99, '≤ 1.5×', (r) => r <= 1.5),
    row('/sse p50 ms', 'sse:app', 'sse:floor', undefined, p50),
    row('/sse p99 ms', 'sse:app', 'sse:floor', undefined, p99, '≤ 1.5×', (r) => r <= 1.5),
    row('/mcp workerd CPU µs/call', 'mcp:app', 'mcp:floor', 'mcp:base', cpu),
    row('/mcp workerd CPU µs/call, logging at info', 'mcp:logged', 'mcp:floor', 'mcp:base', cpu),
    row('/sse workerd CPU µs/call', 'sse:app', 'sse:floor', undefined, cpu),
    row('setup workerd CPU µs/session', 'setup:app', 'setup:floor', 'setup:base', cpu),
    // 2026-07-28 calls wake no object: their floor is SDK v2 alone, in the same rounds.
    row(
      '2026-07-28 tool calls/s (floor: bare SDK v2)',
      'modern:app',
      'modern:v2',
      undefined,
      rate,
      '≥ 0.85×',
      (r) => r >= 0.85,
    ),
    row('2026-07-28 p99 ms (floor: bare SDK v2)', 'modern:app', 'modern:v2', undefined, p99),
    row(
      '2026-07-28 workerd CPU µs/call (floor: bare SDK v2)',
      'modern:app',
      'modern:v2',
      undefined,
      cpu,
    ),
    // The auth rows: the app behind its own OAuth server, against the same app behind static
    // bearer tokens (the "SDK floor" column holds the bearer figure).
    row(
      '/mcp tool calls/s, OAuth server token (÷ bearer token)',
      'auth:oauth',
      'auth:bearer',
      undefined,
      rate,
      '≥ 0.90×',
      (r) => r >= 0.9,
    ),
    row(
      '2026-07-28 tool calls/s, OAuth server token (÷ bearer token)',
      'auth-modern:oauth',
      'auth-modern:bearer',
      undefined,
      rate,
      '≥ 0.90×',
      (r) => r >= 0.9,
    ),
    row('/mcp workerd CPU µs/call, OAuth (÷ bearer)', 'auth:oauth', 'auth:bearer', undefined, cpu),
    row(
      '2026-07-28 workerd CPU µs/call, OAuth (÷ bearer)',
      'auth-modern:oauth',
      'auth-modern:bearer',
      undefined,
      cpu,
    ),
    row(
      '/mcp tool calls/s, OAuth, token cache off (÷ bearer)',
      'auth:uncached',
      'auth:bearer',
      undefined,
      rate,
    ),
    row(
      '/mcp workerd CPU µs/call, OAuth, token cache off (÷ bearer)',
      'auth:uncached',
      'auth:bearer',
      undefined,
      cpu,
    ),
    row(
      '2026-07-28 tool calls/s, OAuth, token cache off (÷ bearer)',
      'auth-modern:uncached',
      'auth-modern:bearer',
      undefined,
      rate,
    ),
    row(
      '2026-07-28 workerd CPU µs/call, OAuth, token cache off (÷ bearer)',
      'auth-modern:uncached',
      'auth-modern:bearer',
      undefined,
      cpu,
    ),
    idle && {
      metric: 'KiB per idle session',
      baseline: baseIdle.kibPerSession,
      floor: floorIdle.kibPerSession,
      app: appIdle.kibPerSession,
      ratio: appIdle.kibPerSession / floorIdle.kibPerSession,
      target: '≤ 1.2×',
      ok: appIdle.kibPerSession <= 1.2 * floorIdle.kibPerSession,
    },
    {
      metric: `errors (incl. ${options.idle} idle)`,
      floor: 0,
      app: errors,
      ratio: 0,
      target: '= 0',
      ok: errors === 0,
    },
  ].filter((r): r is FloorRow => typeof r === 'object' && r !== null)
  const lines = [
    '| metric | one-hop baseline | SDK floor | app | app ÷ floor | target | |',
    '|---|---:|---:|---:|---:|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.metric} | ${r.baseline === undefined ? '' : fmt(r.baseline)} | ${fmt(r.floor)} | ${fmt(r.app)} | ${r.target === '= 0' ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.target ? (r.ok ? 'ok' : 'MISS') : ''} |`,
    ),
  ]
  const table = `${lines.join('\n')}\n\n${SESSIONS} sessions × ${PER_SESSION} calls at concurrency ${CONCURRENCY}; ${SETUP} sessions set up; ${options.idle} idle; median of ${rounds} interleaved rounds (ratios taken within each round); the app runs with LOG_LEVEL=silent unless the row says otherwise; CPU is workerd's main thread, which runs all JavaScript; the objects' SQLite files are ${storageNote(storage)}.\n`
  return { ok: rows.every((r) => r.ok), rows, table }
}
