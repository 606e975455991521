/**
 * @module
 * `npm run bench:commits`: storage commits per session setup (initialize + initialized + one
 * call), counted as the `fsync`/`fdatasync` calls `strace` sees workerd make while the sessions
 * are set up, for the app and the floors (and a release, `--release <tag>`). workerd commits each
 * write with one `fsync` on its main thread, so this is what a session costs the disk (and, on
 * Cloudflare, in confirmed writes). Options: `--sessions N` (default 100), `--storage memory|disk`
 * (default memory: a tmpfs still takes the calls), `--only app,sdk-floor,…`, `--phases` (sessions one at a
 * time, commits counted per step). Needs `strace`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { releaseCheckout, taggedCommit } from '../test/e2e/release-checkout.ts'
import { sessionSetup } from './load.ts'
import { type RunningWorker, startWorker, storageOption, type WorkerSpec } from './workerd.ts'

const args = process.argv.slice(2)
const option = (name: string) => {
  const index = args.indexOf(name)
  return index === -1 ? undefined : args[index + 1]
}
const SESSIONS = Number(option('--sessions') ?? 100)
const ONLY = option('--only')?.split(',')
const RELEASE = option('--release')
const PHASES = args.includes('--phases')
const PHASE_PAUSE_MS = 200
const WARMUP = 20

const SPECS: WorkerSpec[] = [
  {
    name: 'app',
    wranglerConfig: 'wrangler.toml',
    objects: {
      SESSION_DO: 'SessionDO',
      RESOURCE_HUB: 'ResourceHub',
      HANDLE_DO: 'HandleDO',
      HANDLE_OWNER_DO: 'HandleOwnerDO',
      REQUEST_STATE_DO: 'RequestStateDO',
    },
    vars: { LOG_LEVEL: 'silent' },
  },
  {
    name: 'sdk-floor',
    wranglerConfig: 'bench/sdk-floor/wrangler.toml',
    objects: { SDK_FLOOR_DO: 'SdkFloorDO' },
  },
  {
    name: 'sdk-v2-sessions',
    wranglerConfig: 'bench/sdk-v2-sessions/wrangler.toml',
    objects: { SDK_V2_SESSIONS_DO: 'SdkV2SessionsDO' },
  },
]

/** Attaches `strace` to every thread of `pid`, counting sync calls; resolves with the count. */
function countSyncs(pid: number): {
  ready: Promise<void>
  count: () => number
  stop: () => Promise<number>
} {
  const child: ChildProcess = spawn(
    'strace',
    ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-p', String(pid)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let count = 0
  let attached!: () => void
  const ready = new Promise<void>((resolve) => {
    attached = resolve
  })
  let buffer = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      if (/\b(fsync|fdatasync)\(/.test(line)) {
        count++
        if (process.env.COMMITS_TRACE) process.stderr.write(`${line}\n`)
      }
    }
  })
  // strace prints nothing on attach with -qq; give it a moment to seize every thread.
  setTimeout(attached, 1_000)
  return {
    ready,
    count: () => count,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve(count))
        child.kill('SIGINT')
      }),
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * With `--phases`: sessions set up one at a time, a pause after each step, and the commits
 * counted per step (initialize, initialized, first call), to tell which write costs what.
 */
async function phases(worker: RunningWorker, counter: { count: () => number }): Promise<string> {
  const url = `${worker.baseUrl}/mcp`
  const headers = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
  }
  const totals = [0, 0, 0]
  const post = (body: unknown, sessionId?: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        ...headers,
        ...(sessionId && { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }),
      },
      body: JSON.stringify(body),
    })
  const step = async (index: number, run: () => Promise<Response>) => {
    const before = counter.count()
    const res = await run()
    await res.arrayBuffer()
    await pause(PHASE_PAUSE_MS)
    totals[index]! += counter.count() - before
    return res
  }
  for (let i = 0; i < SESSIONS; i++) {
    const init = await step(0, () =>
      post({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'bench', version: '0' },
        },
      }),
    )
    const id = init.headers.get('mcp-session-id') ?? undefined
    await step(1, () => post({ jsonrpc: '2.0', method: 'notifications/initialized' }, id))
    await step(2, () =>
      post(
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'x' } },
        },
        id,
      ),
    )
  }
  const [a, b, c] = totals.map((n) => (n / SESSIONS).toFixed(2))
  return `initialize ${a}, initialized ${b}, first call ${c}`
}

async function measure(spec: WorkerSpec): Promise<string> {
  const worker: RunningWorker = await startWorker({ ...spec, storage: storageOption(args) })
  try {
    const target = { kind: 'baseline' as const, worker }
    await sessionSetup(target, PHASES ? 1 : WARMUP, 4)
    const counter = countSyncs(worker.pid)
    await counter.ready
    if (PHASES) {
      const line = await phases(worker, counter)
      await counter.stop()
      return `${spec.name}: per step, ${line}`
    }
    const run = await sessionSetup(target, SESSIONS, 8)
    // Commits are made after the replies they gate; let the last ones land.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const syncs = await counter.stop()
    return `${spec.name}: ${(syncs / SESSIONS).toFixed(2)} commits per session setup (${syncs} over ${SESSIONS}, ${run.errors} errors)`
  } finally {
    await worker.stop()
  }
}

async function main(): Promise<void> {
  const specs = [...SPECS]
  if (RELEASE !== undefined) {
    const commit = taggedCommit(RELEASE)
    if (commit === undefined) throw new Error(`--release: this clone has no tag ${RELEASE}`)
    const root = await releaseCheckout(RELEASE, commit)
    specs.push({
      ...SPECS[0]!,
      name: RELEASE,
      root,
      objects: { SESSION_DO: 'SessionDO', RESOURCE_HUB: 'ResourceHub', HANDLE_DO: 'HandleDO' },
    })
  }
  for (const spec of specs) {
    if (ONLY !== undefined && !ONLY.includes(spec.name)) continue
    process.stdout.write(`${await measure(spec)}\n`)
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 2
})
