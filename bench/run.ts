/**
 * @module
 * `npm run bench`: the app against the baseline (one Worker→Durable Object hop per call), both
 * under workerd directly, driven in the same run, interleaved. Prints one table with each figure
 * as a ratio to the baseline and the target it must meet; `--json` prints it for machines.
 * Options: `--idle N` (idle sessions held, default 1000), `--rounds N` (default 2).
 */
import {
  idleMemory,
  mcpCalls,
  percentile,
  type RunResult,
  sessionSetup,
  sseCalls,
  type Target,
} from './load.ts'
import { type RunningWorker, startWorker } from './workerd.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name)
  return index === -1 ? fallback : Number(args[index + 1])
}
const json = args.includes('--json')
const IDLE = option('--idle', 1_000)
const ROUNDS = option('--rounds', 2)
const SESSIONS = 8
const PER_SESSION = 150
const CONCURRENCY = 16
const SETUP = 300

const log = (line: string) => {
  if (!json) process.stderr.write(`${line}\n`)
}

/** The better of several runs of the same scenario (the most calls per second). */
function best(runs: RunResult[]): RunResult {
  return runs.reduce((a, b) => (b.calls / b.seconds > a.calls / a.seconds ? b : a))
}

interface Row {
  metric: string
  app: number
  baseline: number
  ratio: number
  target: string
  ok: boolean
}

async function main(): Promise<void> {
  log('bundling and starting the app and the baseline under workerd…')
  const app = await startWorker({
    name: 'app',
    wranglerConfig: 'wrangler.toml',
    objects: { SESSION_DO: 'SessionDO', RESOURCE_HUB: 'ResourceHub' },
    vars: { LOG_LEVEL: 'silent' },
  })
  const base = await startWorker({
    name: 'baseline',
    wranglerConfig: 'bench/baseline/wrangler.toml',
    objects: { BASELINE_DO: 'BaselineDO' },
  })
  const appT: Target = { kind: 'app', worker: app }
  const baseT: Target = { kind: 'baseline', worker: base }
  try {
    log('warming up…')
    await mcpCalls(appT, 4, 50, 8)
    await mcpCalls(baseT, 4, 50, 8)
    await sseCalls(app, 2, 50, 8)

    const appMcp: RunResult[] = []
    const appSse: RunResult[] = []
    const baseMcp: RunResult[] = []
    const appSetup: RunResult[] = []
    const baseSetup: RunResult[] = []
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1}/${ROUNDS}: calls over /mcp and /sse, session setup…`)
      // Alternate who goes first, so neither always gets the warmer machine.
      const pairs: Array<[() => Promise<RunResult>, RunResult[]]> = [
        [() => mcpCalls(appT, SESSIONS, PER_SESSION, CONCURRENCY), appMcp],
        [() => mcpCalls(baseT, SESSIONS, PER_SESSION, CONCURRENCY), baseMcp],
        [() => sseCalls(app, SESSIONS, PER_SESSION, CONCURRENCY), appSse],
        [() => sessionSetup(appT, SETUP, CONCURRENCY), appSetup],
        [() => sessionSetup(baseT, SETUP, CONCURRENCY), baseSetup],
      ]
      if (round % 2 === 1) pairs.reverse()
      for (const [run, into] of pairs) into.push(await run())
    }

    log(`idle memory: ${IDLE} sessions each…`)
    const appIdle = await idleMemory(appT, IDLE, 32)
    const baseIdle = await idleMemory(baseT, IDLE, 32)

    const [am, bm, as, aset, bset] = [
      best(appMcp),
      best(baseMcp),
      best(appSse),
      best(appSetup),
      best(baseSetup),
    ]
    const rate = (r: RunResult) => r.calls / r.seconds
    const errors =
      [...appMcp, ...appSse, ...appSetup].reduce((n, r) => n + r.errors, 0) + appIdle.errors
    const baseErrors =
      [...baseMcp, ...baseSetup].reduce((n, r) => n + r.errors, 0) + baseIdle.errors
    const row = (
      metric: string,
      a: number,
      b: number,
      target: string,
      ok: (ratio: number) => boolean,
    ): Row => {
      const ratio = b === 0 ? 0 : a / b
      return { metric, app: a, baseline: b, ratio, target, ok: ok(ratio) }
    }
    const rows: Row[] = [
      row('/mcp tool calls/s', rate(am), rate(bm), '≥ 0.70×', (r) => r >= 0.7),
      row('/sse tool calls/s', rate(as), rate(bm), '≥ 0.80×', (r) => r >= 0.8),
      row('session setup/s', rate(aset), rate(bset), '≥ 0.50×', (r) => r >= 0.5),
      row(
        '/mcp p50 ms',
        percentile(am.latencies, 50),
        percentile(bm.latencies, 50),
        '',
        () => true,
      ),
      row(
        '/mcp p99 ms',
        percentile(am.latencies, 99),
        percentile(bm.latencies, 99),
        '≤ 2×',
        (r) => r <= 2,
      ),
      row(
        '/sse p50 ms',
        percentile(as.latencies, 50),
        percentile(bm.latencies, 50),
        '',
        () => true,
      ),
      row(
        '/sse p99 ms',
        percentile(as.latencies, 99),
        percentile(bm.latencies, 99),
        '≤ 2×',
        (r) => r <= 2,
      ),
      row(
        'KiB per idle session',
        appIdle.kibPerSession,
        baseIdle.kibPerSession,
        '≤ 1.2×',
        (r) => r <= 1.2,
      ),
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
      const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n >= 100 ? 0 : 2))
      const lines = [
        '| metric | app | baseline | ratio | target | |',
        '|---|---:|---:|---:|---|---|',
        ...rows.map(
          (r) =>
            `| ${r.metric} | ${fmt(r.app)} | ${fmt(r.baseline)} | ${r.target === '= 0' ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.target ? (r.ok ? 'ok' : 'MISS') : ''} |`,
        ),
      ]
      process.stdout.write(
        `${lines.join('\n')}\n\n${SESSIONS} sessions × ${PER_SESSION} calls at concurrency ${CONCURRENCY}; ${SETUP} sessions set up; ${IDLE} idle; best of ${ROUNDS} interleaved rounds.\n`,
      )
    }
    process.exitCode = rows.every((r) => r.ok) ? 0 : 1
  } finally {
    await Promise.all([app.stop(), base.stop()].map((p: Promise<void>) => p.catch(() => undefined)))
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 2
})

export type { RunningWorker }
