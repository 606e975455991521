/**
 * @module
 * `npm run bench:profile`: where workerd's CPU goes in one kind of call. Runs the app under
 * workerd with the V8 inspector on, warms it up, records a CPU profile while a load runs, and
 * prints self time per call by source file (through the bundle's source map) and the busiest
 * functions (or, with `--allocations`, the bytes allocated per call). Options: `--worker app|sdk-floor|sdk-v2-sessions|sdk-v2|<tag>`
 * (default `app`; a tag, e.g. `v0.1.0`, profiles that release's app from its checkout), `--load mcp|sse|modern|setup`
 * (default `mcp`), `--calls N` (default 4000),
 * `--log-level silent|info` (default `silent`), `--top N` (default 25), `--storage memory|disk`
 * (default memory, as `npm run bench`).
 */

import fs from 'node:fs'
import { SourceMap } from 'node:module'
import path from 'node:path'
import { releaseCheckout, taggedCommit } from '../test/e2e/release-checkout.ts'
import { inspector } from './inspector.ts'
import { mcpCalls, modernCalls, type RunResult, sessionSetup, sseCalls } from './load.ts'
import {
  freePort,
  type RunningWorker,
  startWorker,
  storageOption,
  type WorkerSpec,
} from './workerd.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: string) => {
  const index = args.indexOf(name)
  return index === -1 ? fallback : (args[index + 1] ?? fallback)
}
const LOAD = option('--load', 'mcp')
const CALLS = Number(option('--calls', '4000'))
const TOP = Number(option('--top', '25'))
const ALLOCATIONS = args.includes('--allocations')
const WORKER = option('--worker', 'app')
const SESSIONS = 8

/** What can be profiled: the app, and the floors it is compared with. */
const WORKERS: Record<string, WorkerSpec> = {
  app: {
    name: 'app',
    wranglerConfig: 'wrangler.toml',
    objects: { SESSION_DO: 'SessionDO', RESOURCE_HUB: 'ResourceHub', HANDLE_DO: 'HandleDO' },
    vars: { LOG_LEVEL: option('--log-level', 'silent') },
  },
  'sdk-floor': {
    name: 'sdk-floor',
    wranglerConfig: 'bench/sdk-floor/wrangler.toml',
    objects: { SDK_FLOOR_DO: 'SdkFloorDO' },
  },
  'sdk-v2-sessions': {
    name: 'sdk-v2-sessions',
    wranglerConfig: 'bench/sdk-v2-sessions/wrangler.toml',
    objects: { SDK_V2_SESSIONS_DO: 'SdkV2SessionsDO' },
  },
  'sdk-v2': { name: 'sdk-v2', wranglerConfig: 'bench/sdk-v2/wrangler.toml', objects: {} },
}

/** The spec of `--worker`: one of {@link WORKERS}, or a release's app from its checkout. */
async function workerSpec(name: string): Promise<WorkerSpec> {
  const known = WORKERS[name]
  if (known !== undefined) return known
  const commit = taggedCommit(name)
  if (commit === undefined) throw new Error(`--worker: no worker or tag named ${name}`)
  return { ...WORKERS.app!, name, root: await releaseCheckout(name, commit) }
}
const CONCURRENCY = 16

/** A node of a V8 CPU profile (`Profiler.stop`). */
interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
  children?: number[]
}
/** A V8 CPU profile (`Profiler.stop`). */
export interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

function load(worker: RunningWorker, calls: number): Promise<RunResult> {
  const target = { kind: 'app' as const, worker }
  if (LOAD === 'sse') return sseCalls(worker, SESSIONS, Math.ceil(calls / SESSIONS), CONCURRENCY)
  if (LOAD === 'modern') return modernCalls(worker, calls, CONCURRENCY)
  if (LOAD === 'setup') return sessionSetup(target, calls, CONCURRENCY)
  return mcpCalls(target, SESSIONS, Math.ceil(calls / SESSIONS), CONCURRENCY)
}

/** The file a bundle position came from, shortened to the package or the repo's folder. */
function sourceOf(map: SourceMap, line: number, column: number): string {
  const entry = map.findEntry(line, column) as { originalSource?: string }
  const source = entry.originalSource ?? '(bundle)'
  const modules = source.lastIndexOf('node_modules/')
  if (modules !== -1) {
    const rest = source.slice(modules + 'node_modules/'.length).split('/')
    const name = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
    return `${name}: ${rest.slice(rest[0]!.startsWith('@') ? 2 : 1).join('/')}`
  }
  return source.replace(/^.*?\/(src|durable|routes)\//, '$1/')
}

/** A heap-sampling node (`HeapProfiler.stopSampling`). */
interface HeapNode {
  id: number
  callFrame: ProfileNode['callFrame']
  selfSize: number
  children: HeapNode[]
}

/** A profile as {@link report} reads it: nodes with their children, and a value per node. */
export interface Tree {
  readonly nodes: readonly ProfileNode[]
  readonly self: ReadonlyMap<number, number>
}

/** The self time of each node of a CPU profile. */
export function cpuTree(profile: Profile): Tree {
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0))
  }
  return { nodes: profile.nodes, self }
}

function heapTree(head: HeapNode): Tree {
  const nodes: ProfileNode[] = []
  const self = new Map<number, number>()
  const visit = (node: HeapNode) => {
    nodes.push({ id: node.id, callFrame: node.callFrame, children: node.children.map((c) => c.id) })
    self.set(node.id, node.selfSize)
    for (const child of node.children) visit(child)
  }
  visit(head)
  return { nodes, self }
}

async function main(): Promise<void> {
  if (!['mcp', 'sse', 'modern', 'setup'].includes(LOAD)) {
    throw new Error('--load is mcp, sse, modern or setup')
  }
  const inspectorPort = await freePort()
  const spec = await workerSpec(WORKER)
  if (spec === undefined) throw new Error(`--worker is one of ${Object.keys(WORKERS).join(', ')}`)
  const worker = await startWorker({ ...spec, inspectorPort, storage: storageOption(args) })
  try {
    await load(worker, CALLS) // warm-up: JIT, caches
    const devtools = await inspector(inspectorPort)
    if (ALLOCATIONS) {
      await devtools.send('HeapProfiler.enable')
      await devtools.send('HeapProfiler.startSampling', {
        samplingInterval: 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      })
    } else {
      await devtools.send('Profiler.enable')
      await devtools.send('Profiler.setSamplingInterval', { interval: 100 })
      await devtools.send('Profiler.start')
    }
    const cpuBefore = worker.mainThreadCpuMs()
    const result = await load(worker, CALLS)
    const cpuMs = worker.mainThreadCpuMs() - cpuBefore
    const tree = ALLOCATIONS
      ? heapTree(
          (await devtools.send<{ profile: { head: HeapNode } }>('HeapProfiler.stopSampling'))
            .profile.head,
        )
      : cpuTree((await devtools.send<{ profile: Profile }>('Profiler.stop')).profile)
    devtools.close()
    process.stdout.write(
      `${LOAD} on ${WORKER}: ${result.calls} calls, ${result.errors} errors; workerd main thread ${((cpuMs * 1000) / result.calls).toFixed(0)} µs/call\n\n`,
    )
    report(tree, worker, result.calls, ALLOCATIONS ? 'B' : 'µs')
  } finally {
    await worker.stop()
  }
}

/**
 * Prints `tree` per call (its values divided by `calls`): by source file, by function, and
 * with the app's own functions on the stack.
 */
export function report(tree: Tree, worker: RunningWorker, calls: number, unit: string): void {
  const map = new SourceMap(
    JSON.parse(fs.readFileSync(path.join(worker.dir, 'index.js.map'), 'utf8')) as never,
  )
  const byId = new Map(tree.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of tree.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const names = new Map<number, { source: string; fn: string }>()
  const nameOf = (id: number) => {
    let name = names.get(id)
    if (name === undefined) {
      const { callFrame } = byId.get(id)!
      const native = callFrame.url === '' || !callFrame.url.endsWith('index.js')
      const source = native
        ? `(${callFrame.functionName || 'runtime'})`
        : sourceOf(map, callFrame.lineNumber, callFrame.columnNumber)
      name = { source, fn: `${callFrame.functionName || '(anonymous)'} — ${source}` }
      names.set(id, name)
    }
    return name
  }
  const bySource = new Map<string, number>()
  const byFunction = new Map<string, number>()
  /** Totals with the function on the stack, for the app's own code (`src/`, `durable/`, `routes/`). */
  const inclusive = new Map<string, number>()
  for (const [id, value] of tree.self) {
    if (value === 0) continue
    const { source, fn } = nameOf(id)
    bySource.set(source, (bySource.get(source) ?? 0) + value)
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + value)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = nameOf(at)
      if (/^(src|durable|routes)\//.test(name.source) && !seen.has(name.fn)) {
        seen.add(name.fn)
        inclusive.set(name.fn, (inclusive.get(name.fn) ?? 0) + value)
      }
    }
  }
  const perCall = (value: number) => (value / calls).toFixed(1).padStart(8)
  const top = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([name, value]) => `${perCall(value)} ${unit}  ${name}`)
  const total = [...tree.self.values()].reduce((a, b) => a + b, 0)
  const what = unit === 'B' ? 'allocated' : 'self time'
  process.stdout.write(
    [
      `sampled: ${perCall(total).trim()} ${unit} per call`,
      '',
      `${what} per call, by source:`,
      ...top(bySource),
      '',
      `${what} per call, by function:`,
      ...top(byFunction),
      '',
      `${what} per call with the app's own function on the stack (callees included):`,
      ...top(inclusive),
      '',
    ].join('\n'),
  )
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) {
  void main().catch((error: unknown) => {
    process.stderr.write(
      `profile failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    )
    process.exitCode = 2
  })
}
