/**
 * Sessions survive a real restart of `npm start` on the same persisted state: the server process
 * tree is killed mid-request and started again with the same `--persist-to` dir and port, and
 * both transports carry on over the session ids they had before.
 *
 * - Streamable HTTP: the session's app data is still there, and `Last-Event-ID` replays the
 *   interrupted countdown's reply stream from the log, ending with an error for the lost request.
 * - Legacy HTTP+SSE: a reply posted while no stream was connected waits in the log and arrives
 *   when the client reconnects after the restart.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevServer, getFreePort, startDevServer } from './dev-server'

/**
 * The legacy reply below is written into a connection the client already dropped (the server
 * can't tell yet) and the server is killed right after: only with every legacy event logged
 * before its write (not group-committed, the default) does it survive.
 */
const STRICT_LOG = ['--var', 'EVENT_LOG_LEGACY_DELAY_MS:0']

/** How long any one wait for the server (a frame, the end of a stream) may take. */
const WAIT_MS = 10_000

const PROTOCOL_VERSION = '2025-11-25'
const LEGACY_PROTOCOL_VERSION = '2024-11-05'
const INTERRUPTED = 'Request interrupted: the server restarted before it finished; please retry'

/** One event of an SSE stream (comment-only blocks such as keepalives are left out). */
interface SseEvent {
  event?: string
  data: string
  id?: string
  retry?: number
}

/** Parses the complete event blocks at the start of `text`; returns them and what's left. */
function parseSse(text: string): { events: SseEvent[]; rest: string } {
  const normalized = text.replace(/\r\n?/g, '\n')
  const end = normalized.lastIndexOf('\n\n')
  if (end === -1) return { events: [], rest: normalized }
  const events: SseEvent[] = []
  for (const block of normalized.slice(0, end).split('\n\n')) {
    const event: SseEvent = { data: '' }
    const data: string[] = []
    let fields = 0
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const name = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      fields++
      if (name === 'event') event.event = value
      else if (name === 'data') data.push(value)
      else if (name === 'id') event.id = value
      else if (name === 'retry') event.retry = Number(value)
    }
    if (fields === 0) continue
    event.data = data.join('\n')
    events.push(event)
  }
  return { events, rest: normalized.slice(end + 2) }
}

/** Reads an SSE body in the background; callers wait for enough events, or for its end. */
class SseReader {
  readonly events: SseEvent[] = []
  #rest = ''
  #ended = false
  #error: unknown
  #wake: Array<() => void> = []

  constructor(body: ReadableStream<Uint8Array>) {
    void this.#pump(body.getReader())
  }

  /** The error the body failed with (e.g. the connection was cut), if any. */
  get error(): unknown {
    return this.#error
  }

  /** Waits until `done(events)` holds; throws when the body ends first or time runs out. */
  async until(done: (events: SseEvent[]) => boolean, what: string): Promise<SseEvent[]> {
    await this.#wait(() => done(this.events) || this.#ended, what)
    if (!done(this.events)) {
      throw new Error(
        `the stream ended before ${what} (${String(this.#error ?? 'cleanly')}); got ${JSON.stringify(this.events)}`,
      )
    }
    return this.events
  }

  /** Waits for the body to end; returns every event it carried. */
  async end(what: string): Promise<SseEvent[]> {
    await this.#wait(() => this.#ended, what)
    return this.events
  }

  async #wait(ready: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS
    while (!ready()) {
      const left = deadline - Date.now()
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events)}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async #pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        const { events, rest } = parseSse(this.#rest + decoder.decode(value, { stream: true }))
        this.#rest = rest
        this.events.push(...events)
        this.#notify()
      }
    } catch (error) {
      this.#error = error
    }
    this.#ended = true
    this.#notify()
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake()
  }
}

const messageEvents = (events: SseEvent[]) => events.filter((e) => e.event === 'message')

/** The `<seq>` of an event id `<stream>_<seq>`. */
function seqOf(eventId: string | undefined): number {
  const match = /^(?:get|sse|p\d+)_(\d+)$/.exec(eventId ?? '')
  if (!match) throw new Error(`not an event id: ${String(eventId)}`)
  return Number(match[1])
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** State carried from before the restart to after it. */
interface Before {
  /** The Streamable HTTP session. */
  sessionId: string
  /** The id of the last countdown event received before the kill (K). */
  lastCountdownEventId: string
  /** The progress values received up to K. */
  progressSeen: number[]
  /** The countdown's body, still read in the background until the kill cuts it. */
  countdown: SseReader
  /** The legacy session, its endpoint and the id of the initialize result on its stream. */
  legacySessionId: string
  legacyEndpoint: string
  legacyInitializeEventId: string
}

describe('a restart of npm start on the same persisted state', () => {
  let dir: string | undefined
  let port = 0
  let server: DevServer | undefined
  let before: Before | undefined
  let restarted = false
  const clients: Client[] = []

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-e2e-restart-'))
    port = await getFreePort()
    server = await startDevServer({ persistTo: dir, port, args: STRICT_LOG })
  })

  afterAll(async () => {
    try {
      for (const client of clients.splice(0)) await client.close()
      await server?.stop()
    } finally {
      if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  function dev(): DevServer {
    if (!server) throw new Error('the dev server did not start')
    return server
  }

  function state(): Before {
    if (!before) throw new Error('the sessions were not set up before the restart')
    if (!restarted) throw new Error('the server was not restarted')
    return before
  }

  /** `POST /mcp` with one JSON-RPC message. */
  function postMcp(message: object, sessionId?: string): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
    }
    if (sessionId !== undefined) {
      headers['mcp-session-id'] = sessionId
      headers['mcp-protocol-version'] = PROTOCOL_VERSION
    }
    return fetch(`${dev().baseUrl}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify(message),
    })
  }

  /** `POST /mcp` with a request; returns its response message (from a JSON or an SSE reply). */
  async function call(id: number, method: string, params: object, sessionId: string) {
    const res = await postMcp({ jsonrpc: '2.0', id, method, params }, sessionId)
    const type = res.headers.get('content-type') ?? ''
    const text = await res.text()
    expect(res.status, `${method}: ${text}`).toBe(200)
    if (type.includes('application/json')) return JSON.parse(text) as unknown
    expect(type).toContain('text/event-stream')
    const messages = messageEvents(parseSse(text).events).map((e) => JSON.parse(e.data) as unknown)
    return messages.at(-1)
  }

  /** `POST /messages` (legacy) with one JSON-RPC message. */
  function postLegacy(endpoint: string, message: object): Promise<Response> {
    return fetch(`${dev().baseUrl}${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    })
  }

  it('sets up both kinds of session, with a countdown in flight', async () => {
    // Streamable HTTP: initialize, initialized, remember.
    const init = await postMcp({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 't', version: '0' },
      },
    })
    expect(init.status).toBe(200)
    const sessionId = init.headers.get('mcp-session-id') ?? ''
    expect(sessionId).toMatch(/^[0-9a-f]{64}$/)
    await init.body?.cancel()
    const initialized = await postMcp(
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      sessionId,
    )
    expect(initialized.status).toBe(202)
    await initialized.body?.cancel()

    const remembered = await postMcp(
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'remember', arguments: { key: 'city', note: 'Lisbon' } },
      },
      sessionId,
    )
    expect(remembered.status).toBe(200)
    expect(remembered.headers.get('content-type')).toContain('application/json')
    expect(await remembered.json()).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { content: [{ type: 'text', text: 'Remembered "city".' }] },
    })

    // A long countdown, answered as an SSE stream; it's still running when the server dies. Its
    // body is never cancelled: the kill cuts it.
    const countdown = await postMcp(
      {
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: {
          name: 'countdown',
          arguments: { from: 50, intervalMs: 200 },
          _meta: { progressToken: 'r' },
        },
      },
      sessionId,
    )
    expect(countdown.status).toBe(200)
    expect(countdown.headers.get('content-type')).toContain('text/event-stream')
    if (!countdown.body) throw new Error('the countdown has no body')
    const countdownStream = new SseReader(countdown.body)
    const received = messageEvents(
      await countdownStream.until((e) => messageEvents(e).length >= 2, '2 countdown messages'),
    )
    const progressSeen = received.map((e) => {
      const message = JSON.parse(e.data) as { method?: string; params?: { progress?: number } }
      expect(message.method).toBe('notifications/progress')
      return message.params?.progress ?? Number.NaN
    })
    // The stream's priming event comes first, with the id to resume from before any message.
    const priming = countdownStream.events[0]
    expect(priming).toMatchObject({ data: '', retry: 1000 })
    expect(priming?.id).toMatch(/^p\d+_\d+$/)
    const lastCountdownEventId = received.at(-1)?.id ?? ''
    expect(lastCountdownEventId).toMatch(/^p\d+_\d+$/)

    // Legacy: open the stream, initialize over /messages, read the result.
    const legacyAbort = new AbortController()
    const legacy = await fetch(`${dev().baseUrl}/sse`, {
      headers: { accept: 'text/event-stream' },
      signal: legacyAbort.signal,
    })
    expect(legacy.status).toBe(200)
    if (!legacy.body) throw new Error('the legacy stream has no body')
    const legacyStream = new SseReader(legacy.body)
    const [endpointEvent] = await legacyStream.until((e) => e.length >= 1, 'the endpoint event')
    expect(endpointEvent?.event).toBe('endpoint')
    const legacyEndpoint = endpointEvent?.data ?? ''
    const legacySessionId = /^\/messages\?sessionId=([0-9a-f]{64})$/.exec(legacyEndpoint)?.[1]
    if (legacySessionId === undefined) throw new Error(`unexpected endpoint: ${legacyEndpoint}`)

    const legacyInit = await postLegacy(legacyEndpoint, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: LEGACY_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 't', version: '0' },
      },
    })
    expect(legacyInit.status).toBe(202)
    await legacyInit.body?.cancel()
    const legacyInitialized = await postLegacy(legacyEndpoint, {
      jsonrpc: '2.0',
      method: 'notifications/initialized',
    })
    expect(legacyInitialized.status).toBe(202)
    await legacyInitialized.body?.cancel()
    const [initResult] = messageEvents(
      await legacyStream.until((e) => messageEvents(e).length >= 1, 'the initialize result'),
    )
    expect(JSON.parse(initResult?.data ?? '')).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { protocolVersion: LEGACY_PROTOCOL_VERSION },
    })
    const legacyInitializeEventId = initResult?.id ?? ''
    expect(legacyInitializeEventId).toMatch(/^sse_\d+$/)

    // Drop the legacy stream, then post a request whose reply must wait in the log.
    legacyAbort.abort()
    await legacyStream.end('the dropped legacy stream to end')
    await sleep(300)
    const echo = await postLegacy(legacyEndpoint, {
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'sent while away' } },
    })
    expect(echo.status).toBe(202)
    await echo.body?.cancel()

    before = {
      sessionId,
      lastCountdownEventId,
      progressSeen,
      countdown: countdownStream,
      legacySessionId,
      legacyEndpoint,
      legacyInitializeEventId,
    }
  })

  it('restarts on the same dir and port', async () => {
    if (!before) throw new Error('the sessions were not set up before the restart')
    const old = dev()
    await old.stop()
    // The kill cut the countdown's reply before its result.
    const cut = await before.countdown.end('the kill to cut the countdown')
    expect(before.countdown.error).toBeDefined()
    expect(messageEvents(cut).map((e) => JSON.parse(e.data) as unknown)).not.toContainEqual(
      expect.objectContaining({ id: 7 }),
    )
    expect(fs.readdirSync(old.persistTo)).not.toHaveLength(0)
    server = undefined
    server = await startDevServer({ persistTo: old.persistTo, port, args: STRICT_LOG })
    expect(dev().baseUrl).toBe(old.baseUrl)
    restarted = true
  })

  it('still has the session and its app data', async () => {
    const { sessionId } = state()
    expect(
      await call(10, 'tools/call', { name: 'recall', arguments: { key: 'city' } }, sessionId),
    ).toEqual({ jsonrpc: '2.0', id: 10, result: { content: [{ type: 'text', text: 'Lisbon' }] } })
  })

  it('replays the interrupted countdown after K, ending with an error for the lost request', async () => {
    const { sessionId, lastCountdownEventId, progressSeen, countdown } = state()
    const res = await fetch(`${dev().baseUrl}/mcp`, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': PROTOCOL_VERSION,
        'last-event-id': lastCountdownEventId,
      },
    })
    if (res.status !== 200) throw new Error(`GET /mcp answered ${res.status}: ${await res.text()}`)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    if (!res.body) throw new Error('the replay has no body')
    const reader = new SseReader(res.body)
    const events = await reader.end('the replay to end')
    expect(reader.error).toBeUndefined()

    // A priming event may lead (empty data, the id resumed from); every other event is a message.
    const [first, ...others] = events
    const replayed = first?.data === '' ? others : events
    if (first?.data === '') expect(first.id).toBe(lastCountdownEventId)
    expect(replayed.every((e) => e.event === 'message')).toBe(true)
    expect(replayed.length).toBeGreaterThanOrEqual(1)

    const stream = lastCountdownEventId.slice(0, lastCountdownEventId.indexOf('_') + 1)
    const seqs = replayed.map((e) => {
      expect(e.id?.startsWith(stream), `${e.id} is on ${stream}`).toBe(true)
      return seqOf(e.id)
    })
    let previous = seqOf(lastCountdownEventId)
    for (const seq of seqs) {
      expect(seq).toBeGreaterThan(previous)
      previous = seq
    }

    // Every event is logged before it is sent: what reached the client after K (until the kill)
    // is where the replay starts, unchanged.
    const afterK = messageEvents(countdown.events)
    const sentAfterK = afterK.slice(afterK.findIndex((e) => e.id === lastCountdownEventId) + 1)
    expect(replayed.slice(0, sentAfterK.length)).toEqual(sentAfterK)

    const messages = replayed.map((e) => JSON.parse(e.data) as unknown)
    const last = messages.pop()
    expect(last).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32603, message: INTERRUPTED },
    })
    let progress = progressSeen.at(-1) ?? 0
    for (const message of messages) {
      expect(message).toMatchObject({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 'r', total: 50 },
      })
      const next = (message as { params: { progress: number } }).params.progress
      expect(next).toBeGreaterThan(progress)
      progress = next
    }
  })

  it('rejects a malformed Last-Event-ID', async () => {
    const { sessionId } = state()
    const res = await fetch(`${dev().baseUrl}/mcp`, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': PROTOCOL_VERSION,
        'last-event-id': 'nope',
      },
    })
    const text = await res.text()
    expect(res.status, text).toBe(400)
  })

  it('delivers the legacy reply posted while away when the client reconnects', async () => {
    const { legacySessionId, legacyEndpoint, legacyInitializeEventId } = state()
    const abort = new AbortController()
    const res = await fetch(`${dev().baseUrl}/sse?sessionId=${legacySessionId}`, {
      headers: { accept: 'text/event-stream', 'last-event-id': legacyInitializeEventId },
      signal: abort.signal,
    })
    try {
      if (res.status !== 200)
        throw new Error(`GET /sse answered ${res.status}: ${await res.text()}`)
      if (!res.body) throw new Error('the legacy stream has no body')
      const reader = new SseReader(res.body)
      const [endpoint, echo] = await reader.until(
        (e) => e.length >= 2,
        'the endpoint and a message',
      )
      expect(endpoint).toEqual({ event: 'endpoint', data: legacyEndpoint })
      expect(echo?.event).toBe('message')
      expect(JSON.parse(echo?.data ?? '')).toEqual({
        jsonrpc: '2.0',
        id: 9,
        result: { content: [{ type: 'text', text: 'sent while away' }] },
      })
      expect(echo?.id).toMatch(/^sse_\d+$/)
      expect(seqOf(echo?.id)).toBeGreaterThan(seqOf(legacyInitializeEventId))
    } finally {
      abort.abort()
    }
  })

  it('serves a new session to the SDK client', async () => {
    state()
    const client = new Client({ name: 'e2e-restart', version: '0.0.1' })
    clients.push(client)
    await client.connect(new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`)))
    expect(
      await client.callTool({ name: 'echo', arguments: { text: 'after the restart' } }),
    ).toEqual({ content: [{ type: 'text', text: 'after the restart' }] })
  })
})
