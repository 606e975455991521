/**
 * @module
 * Runs a Worker under `workerd` directly: bundled by wrangler (`deploy --dry-run`), with a
 * workerd config generated from its wrangler config, on a loopback port, with local SQLite
 * Durable Object storage. No wrangler dev proxy sits in front, so what is measured is the Worker
 * and its objects.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..')

/** The runtime `npm start` runs: the workerd of the project's wrangler. */
const WORKERD = createRequire(path.join(ROOT, 'node_modules', 'wrangler', 'package.json')).resolve(
  'workerd/bin/workerd',
)

/** What to run: a wrangler config and the Durable Object classes it binds. */
export interface WorkerSpec {
  readonly name: string
  /** The checkout the config is in and bundled from, with its own packages (default: this one). */
  readonly root?: string
  readonly wranglerConfig: string
  /** Binding name → class name. */
  readonly objects: Readonly<Record<string, string>>
  readonly vars?: Readonly<Record<string, string>>
  /** KV namespace bindings, each served from memory by `kv-store.js` (empty at start). */
  readonly kv?: readonly string[]
  /** Serve the V8 inspector (Chrome DevTools protocol) on this loopback port. */
  readonly inspectorPort?: number
  /** Where the objects' SQLite files live (default {@link DEFAULT_STORAGE}). */
  readonly storage?: BenchStorage
}

/**
 * Where a bench's workerd keeps its Durable Objects' SQLite files. workerd commits each write
 * with an `fsync` on the thread that runs all JavaScript, so on a disk every commit stalls every
 * object; Cloudflare's storage confirms writes by replication instead. `memory` (a tmpfs,
 * `/dev/shm`) takes the VM's disk out of the figures; `disk` (the system's temp folder) keeps it.
 */
export type BenchStorage = 'memory' | 'disk'

/** The storage benches use unless told otherwise. */
export const DEFAULT_STORAGE: BenchStorage = 'memory'

const MEMORY_ROOT = '/dev/shm'

/** The folder a worker's bundle and state go in, for `storage`; memory falls back to disk. */
function storageRoot(storage: BenchStorage = DEFAULT_STORAGE): string {
  if (storage === 'memory' && fs.statSync(MEMORY_ROOT, { throwIfNoEntry: false })?.isDirectory()) {
    return MEMORY_ROOT
  }
  return os.tmpdir()
}

/** Where `storage` puts the objects' files, in words for a table's footer (the fallback shows). */
export function storageNote(storage: BenchStorage = DEFAULT_STORAGE): string {
  const root = storageRoot(storage)
  return `${root === MEMORY_ROOT ? 'in memory' : 'on disk'} (${root})`
}

/** Reads `--storage memory|disk` from a bench's arguments. */
export function storageOption(args: readonly string[]): BenchStorage {
  const index = args.indexOf('--storage')
  if (index === -1) return DEFAULT_STORAGE
  const value = args[index + 1]
  if (value !== 'memory' && value !== 'disk') {
    throw new Error(`--storage takes memory or disk, not ${value ?? 'nothing'}`)
  }
  return value
}

/** A running workerd. */
export interface RunningWorker {
  readonly name: string
  readonly baseUrl: string
  readonly pid: number
  /** The folder of its bundle (`index.js`, `index.js.map`) and state. */
  readonly dir: string
  /** Resident set size of the workerd process, in KiB. */
  rssKiB(): number
  /**
   * CPU time used so far by workerd's main thread (the one that runs all JavaScript), in ms;
   * NaN where `/proc` is not there to tell.
   */
  mainThreadCpuMs(): number
  stop(): Promise<void>
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ: 100 on Linux). */
const USER_HZ = 100

/** User + system CPU time of thread `pid` of process `pid` (the main thread), in ms. */
function mainThreadCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ
  } catch {
    return Number.NaN
  }
}

/** Bundles the Worker and writes its workerd config; returns the config's path. */
export function buildWorker(spec: WorkerSpec, dir: string): string {
  const root = spec.root ?? ROOT
  const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler')
  execFileSync(wrangler, ['deploy', '--dry-run', '--outdir', dir, '-c', spec.wranglerConfig], {
    cwd: root,
    stdio: 'pipe',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  })
  const toml = fs.readFileSync(path.join(root, spec.wranglerConfig), 'utf8')
  // nodejs_compat is the default from 2026-08-04 on, and workerd refuses it as a flag there.
  const date = /compatibility_date\s*=\s*"([^"]+)"/.exec(toml)?.[1] ?? '2026-08-15'
  const bindings = [
    ...Object.entries(spec.objects).map(
      ([binding, className]) => `(name = "${binding}", durableObjectNamespace = "${className}")`,
    ),
    ...Object.entries(spec.vars ?? {}).map(
      ([name, value]) => `(name = "${name}", text = ${JSON.stringify(value)})`,
    ),
    ...(spec.kv ?? []).map((name) => `(name = "${name}", kvNamespace = "kv-${name}")`),
  ]
  const kvServices = (spec.kv ?? []).map((name) => `(name = "kv-${name}", worker = .kvStore),`)
  fs.copyFileSync(path.join(ROOT, 'bench', 'kv-store.js'), path.join(dir, 'kv-store.js'))
  const namespaces = Object.values(spec.objects).map(
    (className) =>
      `(className = "${className}", uniqueKey = "${spec.name}-${className}", enableSql = true)`,
  )
  fs.mkdirSync(path.join(dir, 'state'), { recursive: true })
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "state", disk = (path = ${JSON.stringify(path.join(dir, 'state'))}, writable = true)),
    ${kvServices.join('\n    ')}
  ],
  sockets = [(name = "http", address = "127.0.0.1:PORT", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "index.js")],
  compatibilityDate = "${date}",
  bindings = [${bindings.join(', ')}],
  durableObjectNamespaces = [${namespaces.join(', ')}],
  durableObjectStorage = (localDisk = "state"),
);
const kvStore :Workerd.Worker = (
  modules = [(name = "kv-store.js", esModule = embed "kv-store.js")],
  compatibilityDate = "${date}",
);
`
  const file = path.join(dir, 'config.capnp')
  fs.writeFileSync(file, config)
  return file
}

/** Starts workerd on a free loopback port and waits until it answers. */
export async function startWorker(spec: WorkerSpec): Promise<RunningWorker> {
  const dir = fs.mkdtempSync(path.join(storageRoot(spec.storage), `bench-${spec.name}-`))
  const config = buildWorker(spec, dir)
  const port = await freePort()
  const child: ChildProcess = spawn(
    WORKERD,
    [
      'serve',
      config,
      '--experimental',
      '--socket-addr',
      `http=127.0.0.1:${port}`,
      ...(spec.inspectorPort === undefined
        ? []
        : ['--inspector-addr', `127.0.0.1:${spec.inspectorPort}`]),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000)
  })
  const baseUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      await fetch(`${baseUrl}/`, { method: 'HEAD' })
      break
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL')
        throw new Error(`workerd for ${spec.name} did not start: ${stderr}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const pid = child.pid!
  return {
    name: spec.name,
    baseUrl,
    pid,
    dir,
    rssKiB: () => {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
    },
    mainThreadCpuMs: () => mainThreadCpuMs(pid),
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL')
          resolve(undefined)
        }, 3_000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve(undefined)
        })
      })
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
