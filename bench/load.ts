/**
 * @module
 * A load generator written for MCP. Every reply is validated (right id, right echo); anything
 * else counts as an error.
 */
import http from 'node:http'
import type { RunningWorker } from './workerd.ts'

/** A response of {@link postOn}: status, headers and the whole body. */
export interface Reply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/**
 * Keep-alive connections, like fetch's. Node's own HTTP client costs the load generator about
 * half the CPU of fetch per call, and on a 2-core machine what the client saves is what the
 * runtimes under test get.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })

/** POSTs `body` to `url` and reads the whole reply. */
function post(url: string, headers: Record<string, string>, body: string): Promise<Reply> {
  return postOn(agent, url, headers, body)
}

/** POSTs `body` to `url` over `via`'s connections and reads the whole reply, within `timeoutMs`. */
export function postOn(
  via: http.Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs?: number,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: via, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      )
      res.on('error', reject)
    })
    if (timeoutMs !== undefined) {
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`POST: no answer in ${timeoutMs} ms`)))
    }
    req.on('error', reject)
    req.end(body)
  })
}

/** What one run measured. */
export interface RunResult {
  readonly calls: number
  readonly errors: number
  readonly seconds: number
  /** Latencies of the calls, in ms. */
  readonly latencies: number[]
}

const HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
}

const initialize = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'bench', version: '0' },
  },
})

const echoCall = (id: number, text: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
})

/** Whether `body` is the echo reply to request `id` with `text`. */
function isEcho(body: unknown, id: number, text: string): boolean {
  const reply = body as { id?: unknown; result?: { content?: Array<{ text?: unknown }> } }
  return reply.id === id && reply.result?.content?.[0]?.text === text
}

/** Runs `tasks` with at most `concurrency` in flight. */
async function pool(tasks: Array<() => Promise<void>>, concurrency: number): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!
      await task()
    }
  })
  await Promise.all(workers)
}

/**
 * A session of the app (Streamable HTTP) or of the baseline (just a name), with headers every
 * request carries (`Authorization`, for the auth rows).
 */
export type Target =
  | { kind: 'app'; worker: RunningWorker; headers?: Readonly<Record<string, string>> }
  | { kind: 'baseline'; worker: RunningWorker; headers?: Readonly<Record<string, string>> }

/** Opens a session: initialize, then initialized (the same two POSTs on either target). */
async function openSession(target: Target): Promise<string> {
  const url = `${target.worker.baseUrl}/mcp`
  const headers = { ...HEADERS, ...target.headers }
  const res = await post(url, headers, JSON.stringify(initialize(0)))
  const sessionId = res.headers['mcp-session-id']
  if (res.status !== 200 || typeof sessionId !== 'string') {
    throw new Error(`initialize failed: ${res.status}`)
  }
  const ack = await post(
    url,
    { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  )
  if (ack.status !== 202) throw new Error(`initialized answered ${ack.status}`)
  return sessionId
}

/** One echo call over POST /mcp; resolves with whether the reply was right. */
async function callOnce(target: Target, sessionId: string, id: number): Promise<boolean> {
  const text = `echo ${id}`
  const res = await post(
    `${target.worker.baseUrl}/mcp`,
    {
      ...HEADERS,
      ...target.headers,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
    },
    JSON.stringify(echoCall(id, text)),
  )
  const body: unknown = res.headers['content-type']?.startsWith('application/json')
    ? JSON.parse(res.body)
    : undefined
  return res.status === 200 && isEcho(body, id, text)
}

/**
 * S sessions × K echo calls at concurrency C, over POST /mcp. `timing` is called when the
 * sessions are open and the timed calls start.
 */
export async function mcpCalls(
  target: Target,
  sessions: number,
  perSession: number,
  concurrency: number,
  timing: () => void = () => undefined,
): Promise<RunResult> {
  const ids = await Promise.all(Array.from({ length: sessions }, () => openSession(target)))
  const latencies: number[] = []
  let errors = 0
  let next = 1
  const tasks = Array.from({ length: sessions * perSession }, (_, i) => async () => {
    const id = next++
    const start = performance.now()
    const ok = await callOnce(target, ids[i % sessions]!, id).catch(() => false)
    latencies.push(performance.now() - start)
    if (!ok) errors++
  })
  timing()
  const start = performance.now()
  await pool(tasks, concurrency)
  return { calls: tasks.length, errors, seconds: (performance.now() - start) / 1000, latencies }
}

/** A legacy session: its stream, and the replies it is waiting for by id. */
class LegacySession {
  readonly waiting = new Map<number, (body: unknown) => void>()
  sessionId = ''
  #stream: http.ClientRequest | undefined

  async open(baseUrl: string): Promise<void> {
    let endpoint: (id: string) => void = () => undefined
    const gotEndpoint = new Promise<string>((resolve, reject) => {
      endpoint = resolve
      // Node's own client, as for the POSTs: on 2 cores, what the load generator spends on
      // reading the stream is taken from the runtime under test.
      this.#stream = http.get(
        `${baseUrl}/sse`,
        { agent: false, headers: { accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`GET /sse answered ${res.statusCode}`))
          res.setEncoding('utf8')
          let buffer = ''
          res.on('data', (chunk: string) => {
            buffer += chunk
            let end = buffer.indexOf('\n\n')
            while (end !== -1) {
              this.#frame(buffer.slice(0, end), endpoint)
              buffer = buffer.slice(end + 2)
              end = buffer.indexOf('\n\n')
            }
          })
          res.on('error', () => undefined)
        },
      )
      this.#stream.on('error', reject)
    })
    this.sessionId = await gotEndpoint
    await this.send(
      baseUrl,
      { ...initialize(0), params: { ...initialize(0).params, protocolVersion: '2024-11-05' } },
      0,
    )
    await post(
      `${baseUrl}/messages?sessionId=${this.sessionId}`,
      { 'content-type': 'application/json' },
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    )
  }

  /** POSTs a request and resolves with its reply from the stream. */
  async send(baseUrl: string, message: object, id: number): Promise<unknown> {
    const reply = new Promise<unknown>((resolve) => this.waiting.set(id, resolve))
    const res = await post(
      `${baseUrl}/messages?sessionId=${this.sessionId}`,
      { 'content-type': 'application/json' },
      JSON.stringify(message),
    )
    if (res.status !== 202) throw new Error(`POST /messages answered ${res.status}`)
    const body = await reply
    this.waiting.delete(id)
    return body
  }

  async close(): Promise<void> {
    this.#stream?.destroy()
  }

  #frame(frame: string, endpoint: (id: string) => void): void {
    const data = /^data: (.*)$/m.exec(frame)?.[1]
    if (frame.startsWith('event: endpoint') && data) endpoint(/sessionId=(\w+)/.exec(data)![1]!)
    else if (frame.startsWith('event: message') && data) {
      const body = JSON.parse(data) as { id?: number }
      if (typeof body.id === 'number') this.waiting.get(body.id)?.(body)
    }
  }
}

/**
 * S legacy sessions × K echo calls at concurrency C: POST /messages, reply on the stream.
 * `timing` is called when the sessions are open and the timed calls start.
 */
export async function sseCalls(
  worker: RunningWorker,
  sessions: number,
  perSession: number,
  concurrency: number,
  timing: () => void = () => undefined,
): Promise<RunResult> {
  const open = Array.from({ length: sessions }, () => new LegacySession())
  await Promise.all(open.map((s) => s.open(worker.baseUrl)))
  const latencies: number[] = []
  let errors = 0
  let next = 1
  const tasks = Array.from({ length: sessions * perSession }, (_, i) => async () => {
    const id = next++
    const text = `echo ${id}`
    const start = performance.now()
    const body = await open[i % sessions]!.send(worker.baseUrl, echoCall(id, text), id).catch(
      () => undefined,
    )
    latencies.push(performance.now() - start)
    if (!isEcho(body, id, text)) errors++
  })
  timing()
  const start = performance.now()
  await pool(tasks, concurrency)
  const seconds = (performance.now() - start) / 1000
  await Promise.all(open.map((s) => s.close()))
  return { calls: tasks.length, errors, seconds, latencies }
}

/** A 2026-07-28 echo call: the envelope in `params._meta`, the standard headers beside it. */
const MODERN_HEADERS = {
  ...HEADERS,
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': 'echo',
}
const modernEcho = (id: number, text: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: {
    name: 'echo',
    arguments: { text },
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0' },
    },
  },
})

/**
 * N stateless 2026-07-28 echo calls at concurrency C (no session: every call stands alone),
 * each with `headers` too.
 */
export async function modernCalls(
  worker: RunningWorker,
  calls: number,
  concurrency: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<RunResult> {
  const sent = { ...MODERN_HEADERS, ...headers }
  const latencies: number[] = []
  let errors = 0
  const tasks = Array.from({ length: calls }, (_, i) => async () => {
    const id = i + 1
    const text = `echo ${id}`
    const start = performance.now()
    const ok = await post(`${worker.baseUrl}/mcp`, sent, JSON.stringify(modernEcho(id, text)))
      .then((res) => res.status === 200 && isEcho(JSON.parse(res.body), id, text))
      .catch(() => false)
    latencies.push(performance.now() - start)
    if (!ok) errors++
  })
  const start = performance.now()
  await pool(tasks, concurrency)
  return { calls, errors, seconds: (performance.now() - start) / 1000, latencies }
}

/** N new sessions, one call each: set up (initialize + initialized) and used once. */
export async function sessionSetup(
  target: Target,
  sessions: number,
  concurrency: number,
): Promise<RunResult> {
  const latencies: number[] = []
  let errors = 0
  const tasks = Array.from({ length: sessions }, (_, i) => async () => {
    const start = performance.now()
    const ok = await openSession(target)
      .then((id) => callOnce(target, id, i + 1))
      .catch(() => false)
    latencies.push(performance.now() - start)
    if (!ok) errors++
  })
  const start = performance.now()
  await pool(tasks, concurrency)
  return { calls: sessions, errors, seconds: (performance.now() - start) / 1000, latencies }
}

/** N sessions set up and left idle; the workerd RSS grows by this much per session (KiB). */
export async function idleMemory(
  target: Target,
  sessions: number,
  concurrency: number,
): Promise<{ kibPerSession: number; errors: number }> {
  await new Promise((resolve) => setTimeout(resolve, 500))
  const before = target.worker.rssKiB()
  let errors = 0
  const tasks = Array.from({ length: sessions }, () => async () => {
    const ok = await openSession(target)
      .then(() => true)
      .catch(() => false)
    if (!ok) errors++
  })
  await pool(tasks, concurrency)
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const after = target.worker.rssKiB()
  return { kibPerSession: Math.max(0, after - before) / sessions, errors }
}

/** The p-th percentile of `values` (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
