/**
 * @module
 * Starts the real dev server (`npm start`, i.e. `wrangler dev` + workerd) as a child process on
 * free loopback ports, waits for `/health`, and tears the whole process tree down again.
 *
 * By default it serves the test app (`test/fixtures/app`: the framework around a frozen copy of
 * the demo), so a user's edits to `src/mcp/` never break a test of the framework: the `start`
 * script's exact command, run from that directory (`npm exec`, so the project's bins and Node
 * are used as under `npm start`). `app: 'demo'` runs `npm start` itself, on `src/mcp/`.
 *
 * Runs in Node (vitest project `e2e`), never inside workerd.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'

/** The repository root (where `package.json` and `wrangler.toml` live). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The test app's directory, with its own `wrangler.toml`. */
export const TEST_APP_DIR = path.join(REPO_ROOT, 'test/fixtures/app')

/** How long `startDevServer` waits for `/health` to answer 200. */
const STARTUP_TIMEOUT_MS = 60_000
/** Interval between `/health` polls. */
const POLL_INTERVAL_MS = 250
/** How long `stop()` waits after SIGTERM before it sends SIGKILL. */
const SIGTERM_GRACE_MS = 5_000
/** How much of the child's output is kept (the tail). */
const MAX_OUTPUT_CHARS = 256 * 1024

/** Flags the helper always sets itself (they override the `start` script's defaults). */
const OWN_FLAGS = ['--port', '--persist-to', '--inspector-port'] as const

/** Options for {@link startDevServer}. */
export interface DevServerOptions {
  /** The npm script to run. Default `start`; `start:everything` runs the example server. */
  script?: string
  /**
   * What the `start` script serves: `test` (default), the test app; `demo`, the repo's own app
   * with the demo in `src/mcp/`, exactly as a user runs it. Other scripts ignore it.
   */
  app?: 'test' | 'demo'
  /**
   * Extra `wrangler dev` flags, appended after the helper's own. Must not set `--port`,
   * `--persist-to` or `--inspector-port` (use the options instead): wrangler rejects repeats.
   */
  args?: string[]
  /** Port for the Worker (e.g. to restart on the same URL). Default: a free port. */
  port?: number
  /**
   * The checkout to run (default: this repository): its own `start` script, test app and
   * installed packages. A release checked out elsewhere (`release-checkout.ts`) runs as it
   * shipped.
   */
  root?: string
  /**
   * Directory for persisted state (`--persist-to`). When given, it's the caller's: `stop()` leaves
   * it alone, so a second server can be started on the same state. When omitted, a fresh temp
   * directory is created and `stop()` removes it.
   */
  persistTo?: string
}

/** A running dev server. */
export interface DevServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly baseUrl: string
  /** The loopback port the Worker listens on. */
  readonly port: number
  /** The port of wrangler's devtools inspector. */
  readonly inspectorPort: number
  /** The `--persist-to` directory. */
  readonly persistTo: string
  /** Process id of the spawned `npm`, which is also the id of its process group. */
  readonly pid: number
  /** The exact command that was spawned, for error messages. */
  readonly command: readonly string[]
  /** Everything the process tree wrote to stdout and stderr so far (the tail, ANSI stripped). */
  output(): string
  /**
   * Kills the whole process group (SIGTERM, then SIGKILL after 5 s) and removes `persistTo` if
   * the helper created it. Safe to call more than once.
   */
  stop(): Promise<void>
}

/** Process groups still alive; killed synchronously if the test process exits without `stop()`. */
const liveGroups = new Set<number>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL')
  })
}

/**
 * Finds a free TCP port on 127.0.0.1 by binding port 0 and closing the server again. (Another
 * process could take it before it's used; good enough for tests.)
 */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error(`unexpected server address: ${String(address)}`))
        return
      }
      const { port } = address
      server.close((error) => (error ? reject(error) : resolve(port)))
    })
  })
}

/** Resolves whether something accepts TCP connections on `host:port` (default 127.0.0.1). */
export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(2_000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** A command and the directory it runs in. */
export interface StartCommand {
  readonly command: readonly string[]
  readonly cwd: string
}

/**
 * The command that runs `npm start` with `overrides`, exactly as the README tells users to, or
 * (for `app: 'test'`) the same script's command in the test app's directory, in the checkout
 * at `root`.
 *
 * wrangler rejects a repeated single-value flag (`The argument "--port" expects a single value,
 * but received multiple`), so pass-through only works while the `start` script sets none of the
 * overridden flags itself; a script that does is a bug this throws on.
 */
export function startCommand(
  overrides: readonly string[],
  name = 'start',
  app: 'test' | 'demo' = 'test',
  root = REPO_ROOT,
): StartCommand {
  const pkg: unknown = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const script = readStartScript(pkg, name)
  const overridden = new Set(overrides.filter((w) => w.startsWith('--')).map(flagName))
  const clash = script.split(/\s+/).find((w) => w.startsWith('--') && overridden.has(flagName(w)))
  if (clash !== undefined) {
    throw new Error(`the start script sets ${clash}, so \`npm start -- ${clash} …\` would fail`)
  }
  if (name !== 'start' || app === 'demo') {
    return { command: ['npm', 'run', name, '--', ...overrides], cwd: root }
  }
  const quoted = overrides.map((word) => `'${word.replaceAll("'", `'\\''`)}'`)
  const cwd = path.join(root, path.relative(REPO_ROOT, TEST_APP_DIR))
  return { command: ['npm', 'exec', '-c', [script, ...quoted].join(' ')], cwd }
}

function readStartScript(pkg: unknown, name: string): string {
  if (typeof pkg === 'object' && pkg !== null && 'scripts' in pkg) {
    const { scripts } = pkg
    if (typeof scripts === 'object' && scripts !== null) {
      const script: unknown = Reflect.get(scripts, name)
      if (typeof script === 'string') return script
    }
  }
  throw new Error(`package.json has no "${name}" script`)
}

function flagName(word: string): string {
  const eq = word.indexOf('=')
  return eq === -1 ? word : word.slice(0, eq)
}

/**
 * Spawns `npm start` on free loopback ports (Worker and inspector) in its own process group and
 * waits until `GET /health` answers 200 with JSON. On failure, kills what it started and throws
 * an error that includes the server's output.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const clash = (options.args ?? []).find((arg) =>
    (OWN_FLAGS as readonly string[]).includes(flagName(arg)),
  )
  if (clash !== undefined) throw new Error(`set ${clash} through the options, not args`)
  const port = options.port ?? (await getFreePort())
  const inspectorPort = await getFreePort()
  const ownsPersistDir = options.persistTo === undefined
  const persistTo = options.persistTo ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-e2e-'))
  const { command, cwd } = startCommand(
    [
      '--port',
      String(port),
      '--persist-to',
      persistTo,
      '--inspector-port',
      String(inspectorPort),
      ...(options.args ?? []),
    ],
    options.script,
    options.app,
    options.root,
  )
  const [file, ...args] = command as [string, ...string[]]

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    WRANGLER_SEND_METRICS: 'false',
    // Tests run offline: skip fetching the real `request.cf` (the placeholder is what they'd get).
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
  }
  // FORCE_COLOR (which test runners like to set) would win over NO_COLOR.
  delete env.FORCE_COLOR

  let buffer = ''
  const append = (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    if (buffer.length > MAX_OUTPUT_CHARS) buffer = buffer.slice(-MAX_OUTPUT_CHARS)
  }

  const child = spawn(file, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      append(Buffer.from(`\n[dev-server] exited: code ${code}, signal ${signal}\n`))
      resolve()
    })
  })

  try {
    await spawned
    if (child.pid === undefined) throw new Error('no pid')
  } catch (error) {
    if (ownsPersistDir) fs.rmSync(persistTo, { recursive: true, force: true })
    throw new Error(`could not spawn ${command.join(' ')}: ${String(error)}`)
  }
  const pid = child.pid
  liveGroups.add(pid)
  installExitHook()

  let stopping: Promise<void> | undefined
  const server: DevServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    inspectorPort,
    persistTo,
    pid,
    command,
    output: () => stripAnsi(buffer),
    stop() {
      stopping ??= (async () => {
        await killGroup(child, pid, exited)
        liveGroups.delete(pid)
        if (ownsPersistDir) fs.rmSync(persistTo, { recursive: true, force: true })
      })()
      return stopping
    },
  }

  try {
    await waitForHealth(server.baseUrl, exited)
  } catch (error) {
    await server.stop()
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(
      `dev server did not start: ${reason}\ncommand: ${command.join(' ')}\n--- output ---\n${server.output()}`,
    )
  }
  return server
}

/** Polls `GET <baseUrl>/health` until it answers 200 with JSON, the process exits, or time's up. */
async function waitForHealth(baseUrl: string, exited: Promise<void>): Promise<void> {
  let hasExited = false
  void exited.then(() => {
    hasExited = true
  })
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    if (hasExited) throw new Error('the process exited before /health answered')
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) })
      const type = res.headers.get('content-type') ?? ''
      if (res.status === 200 && type.includes('application/json')) {
        await res.json()
        return
      }
      last = `status ${res.status} (${type})`
      await res.body?.cancel()
    } catch (error) {
      last =
        error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error)
    }
    await sleep(POLL_INTERVAL_MS)
  }
  throw new Error(`/health did not answer 200 JSON within ${STARTUP_TIMEOUT_MS} ms (last: ${last})`)
}

/**
 * SIGTERM to the whole group (npm, sh, wrangler, its node, esbuild and the workerd processes), wait
 * until the group is empty, SIGKILL whatever's left after the grace period.
 */
async function killGroup(child: ChildProcess, pgid: number, exited: Promise<void>): Promise<void> {
  signalGroup(pgid, 'SIGTERM')
  if (!(await waitForGroupExit(pgid, SIGTERM_GRACE_MS))) {
    signalGroup(pgid, 'SIGKILL')
    await waitForGroupExit(pgid, 2_000)
  }
  // The group leader is our own child: make sure it's reaped and its pipes are closed. Bounded,
  // so a stop can never outlast the hook that called it: its caller's error, with the server's
  // output, is what tells why a start failed.
  if (child.exitCode === null && child.signalCode === null) {
    await Promise.race([exited, sleep(SIGTERM_GRACE_MS)])
  }
  child.stdout?.destroy()
  child.stderr?.destroy()
}

/** Sends `signal` to process group `pgid`; a group that no longer exists is not an error. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch (error) {
    if (isErrno(error, 'ESRCH')) return false
    throw error
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (signalGroup(pgid, 0)) {
    if (Date.now() >= deadline) return false
    await sleep(50)
  }
  return true
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// ESC [ ... letter: colour and cursor sequences.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g')

function stripAnsi(text: string): string {
  return text.replace(ANSI, '')
}

/**
 * Starts one dev server for the calling test file (in `beforeAll`) and stops it after (in
 * `afterAll`); returns an accessor that fails clearly if the server did not start.
 */
export function useDevServer(options: DevServerOptions = {}): () => DevServer {
  let server: DevServer | undefined
  beforeAll(async () => {
    server = await startDevServer(options)
  })
  afterAll(async () => {
    await server?.stop()
  })
  return () => {
    if (!server) throw new Error('the dev server did not start')
    return server
  }
}

/** A 2025-11-25 `initialize` request, as raw tests send it. */
export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'e2e', version: '0' },
  },
} as const

/** Headers of a POST to `/mcp`. */
export const MCP_POST_HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
} as const
