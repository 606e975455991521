/**
 * @module
 * `npm run bench:rounds`: what one 2026-07-28 `input_required` round costs. The everything
 * example runs under workerd directly (`workerd.ts`); each pair is a `tools/call` of
 * `test_input_required_result_elicitation` that answers `input_required` with signed state
 * (round 1), then the retry with the answer and that state, which completes (round 2). Prints
 * the latency of each round (p50 / p99, one pair at a time) and workerd's main-thread CPU per
 * pair, at concurrency 1 and 8.
 * Options: `--pairs N` (default 400), `--storage memory|disk`, `--key` (sign with a
 * `REQUEST_STATE_KEY` var instead of the default, none).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { percentile, postOn } from './load.ts'
import { ROOT, type RunningWorker, startWorker, storageNote, storageOption } from './workerd.ts'

const args = process.argv.slice(2)
const at = args.indexOf('--pairs')
const PAIRS = at === -1 ? 400 : Number(args[at + 1])
const storage = storageOption(args)
const WRANGLER_CONFIG = 'examples/everything/wrangler.toml'

/** The Durable Object bindings of the example's wrangler config (binding → class). */
function objectsOf(config: string): Record<string, string> {
  const toml = fs.readFileSync(path.join(ROOT, config), 'utf8')
  const pairs = toml.matchAll(/name = "([A-Z_]+)"\nclass_name = "(\w+)"/g)
  return Object.fromEntries([...pairs].map((match) => [match[1], match[2]]))
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
const HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': 'test_input_required_result_elicitation',
}

function call(id: number, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name: 'test_input_required_result_elicitation',
      arguments: {},
      ...extra,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
        'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0' },
      },
    },
  })
}

interface Pair {
  readonly first: number
  readonly second: number
}

/** One round 1 + round 2; throws unless both answer as they should. */
async function pair(worker: RunningWorker, id: number): Promise<Pair> {
  const url = `${worker.baseUrl}/mcp`
  const t0 = performance.now()
  const first = JSON.parse((await postOn(agent, url, HEADERS, call(id))).body)
  const t1 = performance.now()
  const state = first.result?.requestState
  if (typeof state !== 'string') throw new Error(`round 1: ${JSON.stringify(first)}`)
  const answer = { user_name: { action: 'accept', content: { name: 'Ada' } } }
  const body = call(id + 1, { inputResponses: answer, requestState: state })
  const second = JSON.parse((await postOn(agent, url, HEADERS, body)).body)
  const t2 = performance.now()
  if (second.result?.content?.[0]?.text !== 'Hello, Ada!') {
    throw new Error(`round 2: ${JSON.stringify(second)}`)
  }
  return { first: t1 - t0, second: t2 - t1 }
}

/** `pairs` pairs, `concurrency` at a time: latencies and CPU per pair. */
async function run(worker: RunningWorker, pairs: number, concurrency: number) {
  const done: Pair[] = []
  let next = 0
  const cpu = worker.mainThreadCpuMs()
  const start = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < pairs) {
        const n = next++
        done.push(await pair(worker, 2 * n + 1))
      }
    }),
  )
  const seconds = (performance.now() - start) / 1000
  const cpuMsPerPair = (worker.mainThreadCpuMs() - cpu) / pairs
  const ms = (values: number[], p: number) => percentile(values, p).toFixed(2)
  const firsts = done.map((d) => d.first)
  const seconds2 = done.map((d) => d.second)
  return `| ${concurrency} | ${ms(firsts, 50)} / ${ms(firsts, 99)} | ${ms(seconds2, 50)} / ${ms(seconds2, 99)} | ${cpuMsPerPair.toFixed(3)} | ${(pairs / seconds).toFixed(0)} |`
}

async function main() {
  const vars: Record<string, string> = args.includes('--key')
    ? { REQUEST_STATE_KEY: 'bench-only request state key, 32+ bytes long' }
    : {}
  const worker = await startWorker({
    name: 'input-round',
    wranglerConfig: WRANGLER_CONFIG,
    objects: objectsOf(WRANGLER_CONFIG),
    vars: { LOG_LEVEL: 'silent', ...vars },
    storage,
  })
  try {
    await run(worker, 100, 4)
    const lines = [
      '| concurrency | round 1 ms p50 / p99 | round 2 ms p50 / p99 | workerd CPU ms/pair | pairs/s |',
      '|---|---|---|---|---|',
      await run(worker, PAIRS, 1),
      await run(worker, PAIRS, 8),
    ]
    process.stdout.write(
      `${lines.join('\n')}\n\n${PAIRS} pairs after 100 warm-up pairs; REQUEST_STATE_KEY ${vars.REQUEST_STATE_KEY === undefined ? 'unset' : 'set'}; the objects' SQLite files are ${storageNote(storage)}.\n`,
    )
  } finally {
    await worker.stop()
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 2
})
