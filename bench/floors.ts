/**
 * @module
 * The main table of `npm run bench`: the app against floors that run the same work, all under
 * workerd directly, interleaved round by round.
 *
 * - **SDK floors** (`bench/sdk-floor/`, SDK v1; `bench/sdk-v2-sessions/`, SDK v2): the SDK on
 *   Durable Objects by hand, one object per session with a bare `McpServer` and the SDK's own
 *   transport. The sessionful targets are ratios to the faster of the two in each round, so they
 *   measure what the framework adds, not the SDK's own cost.
 * - **one-hop baseline** (`bench/baseline/`): one Worker→object hop and a hand-written JSON-RPC
 *   answer, no SDK; shown for information.
 * - **bare SDK v2** (`bench/sdk-v2/`): the floor of 2026-07-28 calls, which wake no object.
 * - **bearer auth** (the app with `AUTH_TOKENS`): the reference of the `auth` rows, the app
 *   behind the OAuth authorization server plugin with one of its tokens (and with its token
 *   cache off, for information), on both eras.
 * - **a release** (`--release v0.1.0`): that tag's app, checked out and installed beside the
 *   repo, in the same rounds: every figure of the app against it, which must not regress.
 *
 * Every ratio is taken within a round and the median over rounds reported. Within a round the
 * runs of a group take turns in slices (the order reversed every turn), so a slow spell of a
 * shared machine falls on all of them alike rather than on one run.
 */
import fs from 'node:fs'
import path from 'node:path'
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
  /** A release to run in the same rounds: its tag, and the checkout its app is built from. */
  readonly release?: { readonly tag: string; readonly root: string }
  /** Sessions set up per round by the setup rows (default {@link SETUP}). */
  readonly setupSessions?: number
  /** Parts each run of a round is cut into, taking turns (default {@link SLICES}). */
  readonly slices?: number
  readonly log: (line: string) => void
}

const SESSIONS = 8
const PER_SESSION = 500
const CONCURRENCY = 16
/**
 * Parts each run of a round is cut into, taking turns with the other runs of its group: on a
 * shared VM a slow spell of a few seconds otherwise lands on one run and not the next.
 */
const SLICES = 4
/**
 * Sessions set up per round, unless `--setup-sessions` says otherwise: at about 300 a second,
 * 300 sessions measured one second of work, and the setup ratio's median moved by a quarter
 * from one run to the next.
 */
const SETUP = 1500
/** Sessions set up (and not counted) before the idle measurement, to warm the process up. */
const IDLE_WARMUP = 200

const OBJECTS = {
  SESSION_DO: 'SessionDO',
  RESOURCE_HUB: 'ResourceHub',
  HANDLE_DO: 'HandleDO',
  HANDLE_OWNER_DO: 'HandleOwnerDO',
  REQUEST_STATE_DO: 'RequestStateDO',
}
/**
 * The objects a release's `wrangler.toml` binds (name → class), so any tagged commit can run in
 * the rounds (v0.1.0 had no quota or state objects).
 */
function releaseObjects(root: string): Record<string, string> {
  const toml = fs.readFileSync(path.join(root, 'wrangler.toml'), 'utf8')
  const bindings = toml.matchAll(
    /\[\[durable_objects\.bindings\]\]\s*name\s*=\s*"(\w+)"\s*class_name\s*=\s*"(\w+)"/g,
  )
  return Object.fromEntries([...bindings].map(([, name, className]) => [name!, className!]))
}
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
const SDK_V2_SESSIONS: WorkerSpec = {
  name: 'sdk-v2-sessions',
  wranglerConfig: 'bench/sdk-v2-sessions/wrangler.toml',
  objects: { SDK_V2_SESSIONS_DO: 'SdkV2SessionsDO' },
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
type Run = RunResult & { readonly cpuUsPerCall: number; readonly cpuMs: number }

/**
 * Runs `load` and adds workerd's main-thread CPU per call, counted from when the load's timed
 * part starts (`timing`, when it calls it: sessions it opens first don't count) to its end.
 */
async function withCpu(
  worker: RunningWorker,
  load: (timing: () => void) => Promise<RunResult>,
): Promise<Run> {
  let before = worker.mainThreadCpuMs()
  const result = await load(() => {
    before = worker.mainThreadCpuMs()
  })
  const cpuMs = worker.mainThreadCpuMs() - before
  return { ...result, cpuUsPerCall: (cpuMs * 1000) / result.calls, cpuMs }
}

/** The slices of one job in one round, as one run: their calls, time and CPU added up. */
function combined(slices: readonly Run[]): Run {
  const calls = slices.reduce((n, r) => n + r.calls, 0)
  const cpuMs = slices.reduce((n, r) => n + r.cpuMs, 0)
  return {
    calls,
    errors: slices.reduce((n, r) => n + r.errors, 0),
    seconds: slices.reduce((n, r) => n + r.seconds, 0),
    latencies: slices.flatMap((r) => r.latencies),
    cpuMs,
    cpuUsPerCall: (cpuMs * 1000) / calls,
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n >= 100 ? 0 : 2))

/**
 * One row: the baseline, the floors and the app, the app's ratio to the (faster) floor and its
 * target; with a release in the rounds, the release's figure and the app's ratio to it.
 */
export interface FloorRow {
  readonly metric: string
  readonly baseline?: number
  /** The SDK v1 floor (the only floor of the 2026-07-28 rows is bare SDK v2). */
  readonly floor: number
  /** The SDK v2 sessions floor. */
  readonly floor2?: number
  readonly app: number
  readonly ratio: number
  readonly target: string
  readonly ok: boolean
  readonly release?: number
  /** The app's figure over the release's, median of the rounds' ratios. */
  readonly releaseRatio?: number
  readonly releaseOk?: boolean
}

/** The least the app may keep of a release's figure, in the better direction. */
const RELEASE_FLOOR = 0.95

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
  const setupSessions = options.setupSessions ?? SETUP
  const slices = options.slices ?? SLICES
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
  const release = options.release
  const releaseApp: WorkerSpec | undefined =
    release === undefined
      ? undefined
      : { ...APP, name: release.tag, root: release.root, objects: releaseObjects(release.root) }
  const workers = {
    app: lazy(APP),
    logged: lazy(APP_LOGGED),
    floor: lazy(SDK_FLOOR),
    floor2: lazy(SDK_V2_SESSIONS),
    base: lazy(BASELINE),
    v2: lazy(SDK_V2),
    // Modern calls wake no object, and their floor's isolate serves nothing else; locally an
    // app isolate that also hosts the sessionful rounds' objects carries their heap through
    // every collection (about 100 µs a call more here). The modern rows get an app of their own.
    modern: lazy({ ...APP, name: 'app-modern' }),
    bearer: lazy(APP_BEARER),
    oauth: lazy(APP_OAUTH),
    uncached: lazy(APP_OAUTH_UNCACHED),
    release: releaseApp && lazy(releaseApp),
    releaseModern: releaseApp && lazy({ ...releaseApp, name: `${releaseApp.name}-modern` }),
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
  /** One job: runs `1 / slices` of its load. */
  type Job = (slices: number) => Promise<Run>
  const t = (worker: RunningWorker, kind: Target['kind'] = 'baseline'): Target => ({ kind, worker })
  const part = (n: number, slices: number) => Math.max(1, Math.round(n / slices))
  const mcp =
    (w: Lazy): Job =>
    async (slices) => {
      const worker = await w()
      return withCpu(worker, (timing) =>
        mcpCalls(t(worker), SESSIONS, part(PER_SESSION, slices), CONCURRENCY, timing),
      )
    }
  const sse =
    (w: Lazy): Job =>
    async (slices) => {
      const worker = await w()
      return withCpu(worker, (timing) =>
        sseCalls(worker, SESSIONS, part(PER_SESSION, slices), CONCURRENCY, timing),
      )
    }
  const setup =
    (w: Lazy, kind: Target['kind'] = 'baseline'): Job =>
    async (slices) => {
      const worker = await w()
      return withCpu(worker, () =>
        sessionSetup(t(worker, kind), part(setupSessions, slices), CONCURRENCY),
      )
    }
  const modern =
    (w: Lazy): Job =>
    async (slices) => {
      const worker = await w()
      return withCpu(worker, () =>
        modernCalls(worker, part(SESSIONS * PER_SESSION, slices), CONCURRENCY),
      )
    }
  const authMcp =
    (w: Lazy, oauth: boolean): Job =>
    async (slices) => {
      const worker = await w()
      const target: Target = { kind: 'app', worker, headers: await authOf(worker, oauth) }
      return withCpu(worker, (timing) =>
        mcpCalls(target, SESSIONS, part(PER_SESSION, slices), CONCURRENCY, timing),
      )
    }
  const authModern =
    (w: Lazy, oauth: boolean): Job =>
    async (slices) => {
      const worker = await w()
      const headers = await authOf(worker, oauth)
      return withCpu(worker, () =>
        modernCalls(worker, part(SESSIONS * PER_SESSION, slices), CONCURRENCY, headers),
      )
    }
  const { release: rel, releaseModern: relModern } = workers
  const allJobs: Array<[string, Job]> = [
    ['mcp:app', mcp(workers.app)],
    ['mcp:logged', mcp(workers.logged)],
    ['mcp:floor', mcp(workers.floor)],
    ['mcp:floor2', mcp(workers.floor2)],
    ['mcp:base', mcp(workers.base)],
    ...(rel ? [['mcp:release', mcp(rel)] as [string, Job]] : []),
    ['sse:app', sse(workers.app)],
    // The floors have no /sse: their /mcp runs beside the app's /sse run are the reference.
    ['sse:floor', mcp(workers.floor)],
    ['sse:floor2', mcp(workers.floor2)],
    ...(rel ? [['sse:release', sse(rel)] as [string, Job]] : []),
    ['setup:app', setup(workers.app, 'app')],
    ['setup:floor', setup(workers.floor)],
    ['setup:floor2', setup(workers.floor2)],
    ['setup:base', setup(workers.base)],
    ...(rel ? [['setup:release', setup(rel, 'app')] as [string, Job]] : []),
    ['modern:app', modern(workers.modern)],
    ['modern:v2', modern(workers.v2)],
    ...(relModern ? [['modern:release', modern(relModern)] as [string, Job]] : []),
    // The auth rows: the app behind its own OAuth server (`app`), against the same app behind
    // static bearer tokens (`floor`), and with its token cache off (`uncached`).
    ['auth:app', authMcp(workers.oauth, true)],
    ['auth:floor', authMcp(workers.bearer, false)],
    ['auth:uncached', authMcp(workers.uncached, true)],
    ['auth-modern:app', authModern(workers.oauth, true)],
    ['auth-modern:floor', authModern(workers.bearer, false)],
    ['auth-modern:uncached', authModern(workers.uncached, true)],
  ]
  const jobs = allJobs.filter(([name]) => included(name.split(':')[0]!))
  const series: Series = Object.fromEntries(allJobs.map(([name]) => [name, []]))
  try {
    // Round 0 warms every worker up (JIT, caches) and is dropped.
    for (let round = 0; round <= rounds; round++) {
      log(round === 0 ? 'warming up…' : `round ${round}/${rounds}…`)
      // A group's runs stay side by side, each cut in `slices` parts that take turns (the order
      // reversed every turn), so a slow spell of the machine falls on all of them alike.
      for (let group = 0; group < jobs.length; ) {
        const prefix = jobs[group]![0].split(':')[0]
        const members = jobs.filter(([name]) => name.startsWith(`${prefix}:`))
        const parts = new Map<string, Run[]>(members.map(([name]) => [name, []]))
        for (let turn = 0; turn < slices; turn++) {
          const ordered = (round * slices + turn) % 2 === 0 ? members : [...members].reverse()
          for (const [name, run] of ordered) parts.get(name)!.push(await run(slices))
        }
        if (round > 0) for (const [name, runs] of parts) series[name]!.push(combined(runs))
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
  const floor2Idle = idle
    ? await freshIdleMemory({ ...SDK_V2_SESSIONS, storage }, options.idle)
    : skipped
  const baseIdle = idle ? await freshIdleMemory({ ...BASELINE, storage }, options.idle) : skipped
  const releaseIdle =
    idle && releaseApp !== undefined
      ? await freshIdleMemory({ ...releaseApp, storage }, options.idle)
      : undefined

  const rate = (r: Run) => r.calls / r.seconds
  const p50 = (r: Run) => percentile(r.latencies, 50)
  const p99 = (r: Run) => percentile(r.latencies, 99)
  const cpu = (r: Run) => r.cpuUsPerCall
  /**
   * A row of `group` (its runs are `<group>:app`, `:floor`, `:floor2`, `:base`, `:release`):
   * the app's figure over the floor's, the floor being, in each round, whichever of the two
   * SDK floors made more calls per second. `higher`: a bigger figure is better (a rate).
   */
  const row = (
    metric: string,
    group: string,
    figure: (r: Run) => number,
    higher: boolean,
    target = '',
    ok: (ratio: number) => boolean = () => true,
    app = `${group}:app`,
  ): FloorRow | undefined => {
    const apps = series[app]!
    if (apps.length === 0) return undefined
    const floors = series[`${group}:floor`] ?? series[`${group}:v2`]!
    const floors2 = series[`${group}:floor2`] ?? []
    const faster = (i: number) => {
      const other = floors2[i]
      return other !== undefined && rate(other) > rate(floors[i]!) ? other : floors[i]!
    }
    const ratio = median(apps.map((r, i) => figure(r) / figure(faster(i))))
    const base = series[`${group}:base`] ?? []
    // A release runs silent: only the app's own silent runs compare with it.
    const releases = app === `${group}:app` ? (series[`${group}:release`] ?? []) : []
    if (options.verbose) {
      const release = (i: number) =>
        releases[i] === undefined ? '' : `/${fmt(figure(releases[i]))}`
      log(
        `${metric} (app/faster floor${releases.length > 0 ? '/release' : ''} by round): ${apps.map((r, i) => `${fmt(figure(r))}/${fmt(figure(faster(i)))}${release(i)}`).join('  ')}`,
      )
    }
    const releaseRatio =
      releases.length === 0
        ? undefined
        : median(apps.map((r, i) => figure(r) / figure(releases[i]!)))
    return {
      metric,
      ...(base.length > 0 && { baseline: median(base.map(figure)) }),
      floor: median(floors.map(figure)),
      ...(floors2.length > 0 && { floor2: median(floors2.map(figure)) }),
      app: median(apps.map(figure)),
      ratio,
      target,
      ok: ok(ratio),
      ...(releaseRatio !== undefined && {
        release: median(releases.map(figure)),
        releaseRatio,
        releaseOk: higher ? releaseRatio >= RELEASE_FLOOR : releaseRatio <= 1 / RELEASE_FLOOR,
      }),
    }
  }
  const errors =
    Object.entries(series)
      .filter(([name]) => !/:(floor|base|v2)$/.test(name))
      .flatMap(([, runs]) => runs)
      .reduce((n, r) => n + r.errors, 0) + appIdle.errors
  const rows = [
    row('/mcp tool calls/s', 'mcp', rate, true, '≥ 0.90×', (r) => r >= 0.9),
    row('/mcp tool calls/s, logging at info', 'mcp', rate, true, '', undefined, 'mcp:logged'),
    row('/sse tool calls/s (floors: their /mcp)', 'sse', rate, true, '≥ 0.85×', (r) => r >= 0.85),
    row('session setup/s', 'setup', rate, true, '≥ 0.85×', (r) => r >= 0.85),
    row('/mcp p50 ms', 'mcp', p50, false),
    row('/mcp p99 ms', 'mcp', p99, false, '≤ 1.5×', (r) => r <= 1.5),
    row('/sse p50 ms', 'sse', p50, false),
    row('/sse p99 ms', 'sse', p99, false, '≤ 1.5×', (r) => r <= 1.5),
    row('/mcp workerd CPU µs/call', 'mcp', cpu, false),
    row(
      '/mcp workerd CPU µs/call, logging at info',
      'mcp',
      cpu,
      false,
      '',
      undefined,
      'mcp:logged',
    ),
    row('/sse workerd CPU µs/call', 'sse', cpu, false),
    row('setup workerd CPU µs/session', 'setup', cpu, false),
    // 2026-07-28 calls wake no object: their floor is SDK v2 alone, in the same rounds.
    row(
      '2026-07-28 tool calls/s (floor: bare SDK v2)',
      'modern',
      rate,
      true,
      '≥ 0.85×',
      (r) => r >= 0.85,
    ),
    row('2026-07-28 p99 ms (floor: bare SDK v2)', 'modern', p99, false),
    row('2026-07-28 workerd CPU µs/call (floor: bare SDK v2)', 'modern', cpu, false),
    row(
      '/mcp tool calls/s, OAuth server token (÷ bearer token)',
      'auth',
      rate,
      true,
      '≥ 0.90×',
      (r) => r >= 0.9,
    ),
    row(
      '2026-07-28 tool calls/s, OAuth server token (÷ bearer token)',
      'auth-modern',
      rate,
      true,
      '≥ 0.90×',
      (r) => r >= 0.9,
    ),
    row('/mcp workerd CPU µs/call, OAuth (÷ bearer)', 'auth', cpu, false),
    row('2026-07-28 workerd CPU µs/call, OAuth (÷ bearer)', 'auth-modern', cpu, false),
    row(
      '/mcp tool calls/s, OAuth, token cache off (÷ bearer)',
      'auth',
      rate,
      true,
      '',
      () => true,
      'auth:uncached',
    ),
    row(
      '/mcp workerd CPU µs/call, OAuth, token cache off (÷ bearer)',
      'auth',
      cpu,
      false,
      '',
      () => true,
      'auth:uncached',
    ),
    row(
      '2026-07-28 tool calls/s, OAuth, token cache off (÷ bearer)',
      'auth-modern',
      rate,
      true,
      '',
      () => true,
      'auth-modern:uncached',
    ),
    row(
      '2026-07-28 workerd CPU µs/call, OAuth, token cache off (÷ bearer)',
      'auth-modern',
      cpu,
      false,
      '',
      () => true,
      'auth-modern:uncached',
    ),
    idle && {
      metric: 'KiB per idle session',
      baseline: baseIdle.kibPerSession,
      floor: floorIdle.kibPerSession,
      floor2: floor2Idle.kibPerSession,
      app: appIdle.kibPerSession,
      // Against the leaner floor.
      ratio: appIdle.kibPerSession / Math.min(floorIdle.kibPerSession, floor2Idle.kibPerSession),
      target: '≤ 1.2×',
      ok:
        appIdle.kibPerSession <= 1.2 * Math.min(floorIdle.kibPerSession, floor2Idle.kibPerSession),
      ...(releaseIdle !== undefined && {
        release: releaseIdle.kibPerSession,
        releaseRatio: appIdle.kibPerSession / releaseIdle.kibPerSession,
        releaseOk: appIdle.kibPerSession <= releaseIdle.kibPerSession / RELEASE_FLOOR,
      }),
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
  const num = (n: number | undefined) => (n === undefined ? '' : fmt(n))
  const releaseCells = (r: FloorRow) =>
    release === undefined
      ? ''
      : ` ${num(r.release)} | ${r.releaseRatio === undefined ? '' : `${r.releaseRatio.toFixed(2)}×`} | ${r.releaseOk === undefined ? '' : r.releaseOk ? 'ok' : 'MISS'} |`
  const lines = [
    `| metric | one-hop baseline | SDK v1 floor | SDK v2 floor | app | app ÷ faster floor | target | |${release === undefined ? '' : ` ${release.tag} | app ÷ ${release.tag} | ≥ ${RELEASE_FLOOR}× |`}`,
    `|---|---:|---:|---:|---:|---:|---|---|${release === undefined ? '' : '---:|---:|---|'}`,
    ...rows.map(
      (r) =>
        `| ${r.metric} | ${num(r.baseline)} | ${fmt(r.floor)} | ${num(r.floor2)} | ${fmt(r.app)} | ${r.target === '= 0' ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.target ? (r.ok ? 'ok' : 'MISS') : ''} |${releaseCells(r)}`,
    ),
  ]
  const releaseNote =
    release === undefined
      ? ''
      : ` ${release.tag} runs in the same rounds (its own checkout and packages); against it no figure may lose more than ${Math.round((1 - RELEASE_FLOOR) * 100)}% (a rate ≥ ${RELEASE_FLOOR}×, a time or CPU ≤ ${(1 / RELEASE_FLOOR).toFixed(2)}×).`
  const table = `${lines.join('\n')}\n\n${SESSIONS} sessions × ${PER_SESSION} calls at concurrency ${CONCURRENCY}; ${setupSessions} sessions set up; ${options.idle} idle; median of ${rounds} interleaved rounds (ratios taken within each round, against whichever SDK floor was faster in that round; the 2026-07-28 rows' floor is bare SDK v2); the app runs with LOG_LEVEL=silent unless the row says otherwise; CPU is workerd's main thread, which runs all JavaScript; the objects' SQLite files are ${storageNote(storage)}.${releaseNote}\n`
  return { ok: rows.every((r) => r.ok && r.releaseOk !== false), rows, table }
}
