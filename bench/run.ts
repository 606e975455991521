/**
 * @module
 * `npm run bench`: the app against its floors, all under workerd directly, driven in the same
 * run, interleaved: the one-hop baseline (one Worker→Durable Object hop per call) for the
 * sessionful era, and bare SDK v2 (`createMcpHandler` alone) for 2026-07-28 calls. Prints one
 * table with each figure as a ratio to its floor and the target it must meet; `--json` prints it
 * for machines.
 * Options: `--idle N` (idle sessions held, default 1000), `--rounds N` (default 5), `--verbose`
 * (each round's figures too).
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
import { type RunningWorker, startWorker, type WorkerSpec } from './workerd.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name)
  return index === -1 ? fallback : Number(args[index + 1])
}
const json = args.includes('--json')
const verbose = args.includes('--verbose')
const IDLE = option('--idle', 1_000)
const ROUNDS = option('--rounds', 5)
const SESSIONS = 8
const PER_SESSION = 150
const CONCURRENCY = 16
const SETUP = 300

const log = (line: string) => {
  if (!json) process.stderr.write(`${line}\n`)
}

/** A figure for the table. */
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n >= 100 ? 0 : 2))

/** The median of `values`. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** One load run, with the CPU workerd's main thread spent per call in it. */
type Run = RunResult & { readonly cpuUsPerCall: number }

/**
 * Runs `load` against `worker` and adds the CPU time its main thread spent per call: the thread
 * that runs all of a Worker's JavaScript, and so what bounds its throughput. Steadier than
 * calls/s on a machine whose speed drifts, since waiting does not count.
 */
async function withCpu(worker: RunningWorker, load: () => Promise<RunResult>): Promise<Run> {
  const before = worker.mainThreadCpuMs()
  const result = await load()
  const cpuUsPerCall = ((worker.mainThreadCpuMs() - before) * 1000) / result.calls
  return { ...result, cpuUsPerCall }
}

interface Row {
  metric: string
  app: number
  baseline: number
  ratio: number
  target: string
  ok: boolean
}

const APP: WorkerSpec = {
  name: 'app',
  wranglerConfig: 'wrangler.toml',
  objects: { SESSION_DO: 'SessionDO', RESOURCE_HUB: 'ResourceHub', HANDLE_DO: 'HandleDO' },
  vars: { LOG_LEVEL: 'silent' },
}
const BASELINE: WorkerSpec = {
  name: 'baseline',
  wranglerConfig: 'bench/baseline/wrangler.toml',
  objects: { BASELINE_DO: 'BaselineDO' },
}
/** The modern era's floor: SDK v2's createMcpHandler alone, the same echo tool. */
const SDK_V2: WorkerSpec = {
  name: 'sdk-v2',
  wranglerConfig: 'bench/sdk-v2/wrangler.toml',
  objects: {},
}

/** Sessions set up (and not counted) before the idle measurement, to warm the process up. */
const IDLE_WARMUP = 200

/**
 * Idle memory per session, measured the same way for both: in a fresh process (so neither pays
 * for what the throughput rounds left behind), after a warm-up batch (the isolate's code and the
 * allocator's first arenas are not per-session costs).
 */
async function freshIdleMemory(
  spec: WorkerSpec,
  kind: Target['kind'],
): Promise<{ kibPerSession: number; errors: number }> {
  const worker = await startWorker(spec)
  try {
    const warm = await idleMemory({ kind, worker }, IDLE_WARMUP, 32)
    const measured = await idleMemory({ kind, worker }, IDLE, 32)
    return { kibPerSession: measured.kibPerSession, errors: warm.errors + measured.errors }
  } finally {
    await worker.stop()
  }
}

async function main(): Promise<void> {
  log('bundling and starting the app, the baseline and bare SDK v2 under workerd…')
  const app = await startWorker(APP)
  const base = await startWorker(BASELINE)
  const sdk = await startWorker(SDK_V2)
  const appT: Target = { kind: 'app', worker: app }
  const baseT: Target = { kind: 'baseline', worker: base }
  try {
    const appMcp: Run[] = []
    const appSse: Run[] = []
    const baseMcp: Run[] = []
    const baseSse: Run[] = []
    const appSetup: Run[] = []
    const baseSetup: Run[] = []
    const appModern: Run[] = []
    const sdkModern: Run[] = []
    const onApp = (load: () => Promise<RunResult>) => () => withCpu(app, load)
    const onBase = (load: () => Promise<RunResult>) => () => withCpu(base, load)
    const onSdk = (load: () => Promise<RunResult>) => () => withCpu(sdk, load)
    const MODERN_CALLS = SESSIONS * PER_SESSION
    /**
     * Each app run is paired with a baseline run right next to it (the baseline for /sse is the
     * same /mcp run as for /mcp, made again beside it); who goes first alternates by round, so
     * neither always gets the warmer machine. Round 0 warms up both (JIT, caches) and is dropped.
     */
    for (let round = 0; round <= ROUNDS; round++) {
      log(
        round === 0
          ? 'warming up…'
          : `round ${round}/${ROUNDS}: /mcp, /sse, session setup, 2026-07-28…`,
      )
      const pairs: Array<[() => Promise<Run>, Run[], () => Promise<Run>, Run[]]> = [
        [
          onApp(() => mcpCalls(appT, SESSIONS, PER_SESSION, CONCURRENCY)),
          appMcp,
          onBase(() => mcpCalls(baseT, SESSIONS, PER_SESSION, CONCURRENCY)),
          baseMcp,
        ],
        [
          onApp(() => sseCalls(app, SESSIONS, PER_SESSION, CONCURRENCY)),
          appSse,
          onBase(() => mcpCalls(baseT, SESSIONS, PER_SESSION, CONCURRENCY)),
          baseSse,
        ],
        [
          onApp(() => sessionSetup(appT, SETUP, CONCURRENCY)),
          appSetup,
          onBase(() => sessionSetup(baseT, SETUP, CONCURRENCY)),
          baseSetup,
        ],
        [
          onApp(() => modernCalls(app, MODERN_CALLS, CONCURRENCY)),
          appModern,
          onSdk(() => modernCalls(sdk, MODERN_CALLS, CONCURRENCY)),
          sdkModern,
        ],
      ]
      for (const [runApp, appInto, runBase, baseInto] of pairs) {
        let appResult: Run
        let baseResult: Run
        if (round % 2 === 0) {
          appResult = await runApp()
          baseResult = await runBase()
        } else {
          baseResult = await runBase()
          appResult = await runApp()
        }
        if (round === 0) continue
        appInto.push(appResult)
        baseInto.push(baseResult)
      }
    }

    log(`idle memory: ${IDLE} sessions each, in fresh processes…`)
    const appIdle = await freshIdleMemory(APP, 'app')
    const baseIdle = await freshIdleMemory(BASELINE, 'baseline')

    const rate = (r: Run) => r.calls / r.seconds
    const p50 = (r: Run) => percentile(r.latencies, 50)
    const p99 = (r: Run) => percentile(r.latencies, 99)
    const cpu = (r: Run) => r.cpuUsPerCall
    const errors =
      [...appMcp, ...appSse, ...appSetup, ...appModern].reduce((n, r) => n + r.errors, 0) +
      appIdle.errors
    const baseErrors =
      [...baseMcp, ...baseSse, ...baseSetup, ...sdkModern].reduce((n, r) => n + r.errors, 0) +
      baseIdle.errors
    /**
     * A figure of the app against the baseline: the ratio is taken within each round (both ran
     * back to back, on the same machine state) and the median of those ratios reported, which
     * cancels most of the drift of a shared machine.
     */
    const row = (
      metric: string,
      app: Run[],
      base: Run[],
      figure: (r: Run) => number,
      target: string,
      ok: (ratio: number) => boolean,
    ): Row => {
      const ratio = median(app.map((r, i) => figure(r) / figure(base[i]!)))
      if (verbose) {
        const pairs = app.map((r, i) => `${fmt(figure(r))}/${fmt(figure(base[i]!))}`)
        log(`${metric} (app/baseline by round): ${pairs.join('  ')}`)
      }
      return {
        metric,
        app: median(app.map(figure)),
        baseline: median(base.map(figure)),
        ratio,
        target,
        ok: ok(ratio),
      }
    }
    const rows: Row[] = [
      row('/mcp tool calls/s', appMcp, baseMcp, rate, '≥ 0.70×', (r) => r >= 0.7),
      row('/sse tool calls/s', appSse, baseSse, rate, '≥ 0.80×', (r) => r >= 0.8),
      row('session setup/s', appSetup, baseSetup, rate, '≥ 0.50×', (r) => r >= 0.5),
      row('/mcp p50 ms', appMcp, baseMcp, p50, '', () => true),
      row('/mcp p99 ms', appMcp, baseMcp, p99, '≤ 2×', (r) => r <= 2),
      row('/sse p50 ms', appSse, baseSse, p50, '', () => true),
      row('/sse p99 ms', appSse, baseSse, p99, '≤ 2×', (r) => r <= 2),
      row('/mcp workerd CPU µs/call', appMcp, baseMcp, cpu, '', () => true),
      row('/sse workerd CPU µs/call', appSse, baseSse, cpu, '', () => true),
      row('setup workerd CPU µs/session', appSetup, baseSetup, cpu, '', () => true),
      // The modern leg wakes no object: its floor is SDK v2 alone, in the same rounds.
      row(
        '2026-07-28 tool calls/s (floor: bare SDK v2)',
        appModern,
        sdkModern,
        rate,
        '≥ 0.85×',
        (r) => r >= 0.85,
      ),
      row('2026-07-28 p99 ms (floor: bare SDK v2)', appModern, sdkModern, p99, '', () => true),
      row(
        '2026-07-28 workerd CPU µs/call (floor: bare SDK v2)',
        appModern,
        sdkModern,
        cpu,
        '',
        () => true,
      ),
      // For information: against the one-hop baseline's /mcp run of the same round.
      row(
        '2026-07-28 tool calls/s (floor: one-hop baseline)',
        appModern,
        baseMcp,
        rate,
        '',
        () => true,
      ),
      {
        metric: 'KiB per idle session',
        app: appIdle.kibPerSession,
        baseline: baseIdle.kibPerSession,
        ratio: appIdle.kibPerSession / baseIdle.kibPerSession,
        target: '≤ 1.2×',
        ok: appIdle.kibPerSession <= 1.2 * baseIdle.kibPerSession,
      },
      {
        metric: `errors (incl. ${IDLE} idle)`,
        app: errors,
        baseline: baseErrors,
        ratio: 0,
        target: '= 0',
        ok: errors === 0,
      },
    ]
    const setup = {
      sessions: SESSIONS,
      perSession: PER_SESSION,
      concurrency: CONCURRENCY,
      setupSessions: SETUP,
      idle: IDLE,
      rounds: ROUNDS,
    }
    if (json) {
      process.stdout.write(`${JSON.stringify({ setup, rows }, null, 2)}\n`)
    } else {
      const lines = [
        '| metric | app | floor | ratio | target | |',
        '|---|---:|---:|---:|---|---|',
        ...rows.map(
          (r) =>
            `| ${r.metric} | ${fmt(r.app)} | ${fmt(r.baseline)} | ${r.target === '= 0' ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.target ? (r.ok ? 'ok' : 'MISS') : ''} |`,
        ),
      ]
      process.stdout.write(
        `${lines.join('\n')}\n\n${SESSIONS} sessions × ${PER_SESSION} calls at concurrency ${CONCURRENCY}; ${SETUP} sessions set up; ${IDLE} idle; median of ${ROUNDS} interleaved rounds (ratios taken within each round); the floor is the one-hop baseline unless the metric names another; CPU is workerd's main thread, which runs all JavaScript.\n`,
      )
    }
    process.exitCode = rows.every((r) => r.ok) ? 0 : 1
  } finally {
    await Promise.all(
      [app.stop(), base.stop(), sdk.stop()].map((p: Promise<void>) => p.catch(() => undefined)),
    )
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 2
})

export type { RunningWorker }
