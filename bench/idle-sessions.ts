/**
 * @module
 * Clients for the connected-idle bench: MCP sessions that hold a server-sent-events stream open
 * and send nothing, on either transport (`GET /mcp` after initialize, or legacy `GET /sse`), note
 * when a `notifications/resources/updated` for the leaderboard reaches them, and can send a
 * `ping` (a request that wakes the session's object) when asked. Raw
 * `node:http`: one socket per stream (no pool limit), keep-alive sockets for the POSTs.
 */
import http from 'node:http'
import { postOn, type Reply } from './load.ts'

/** The demo's shared leaderboard (`src/mcp/tools/leaderboard.ts`). */
export const LEADERBOARD_URI = 'leaderboard://scores'

/** The transports a connected session can hold its stream on. */
export type Transport = 'mcp' | 'sse'

/** Streams: each is a socket of its own for as long as it is open, and none is ever reused. */
const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY })
/** POSTs: a bounded keep-alive pool, like a client's. */
const postAgent = new http.Agent({ keepAlive: true, maxSockets: 64 })

const JSON_HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
}
/** How long any request waits for its answer (or a stream for its headers). */
const TIMEOUT_MS = 30_000
const VERSION = '2025-11-25'
const LEGACY_VERSION = '2024-11-05'

/** A JSON-RPC message as far as this bench reads one. */
interface Message {
  readonly id?: unknown
  readonly method?: string
  readonly params?: { readonly uri?: unknown }
  readonly result?: unknown
  readonly error?: unknown
}

function post(url: string, headers: Record<string, string>, body: object): Promise<Reply> {
  return postOn(postAgent, url, headers, JSON.stringify(body), TIMEOUT_MS)
}

/** The `data:` payloads of the complete frames in `text` (SSE framing, `\n\n` between frames). */
function* frames(text: string): Generator<{ event: string; data: string }> {
  for (const frame of text.split('\n\n')) {
    const event = /^event: ?(.*)$/m.exec(frame)?.[1] ?? 'message'
    const data = [...frame.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n')
    if (data !== '') yield { event, data }
  }
}

/** The reply to request `id` in a POST's body, JSON or an SSE stream; throws when there is none. */
function replyTo(reply: Reply, id: number, what: string): Message {
  if (reply.status !== 200) throw new Error(`${what} answered ${reply.status}`)
  const texts = reply.headers['content-type']?.startsWith('text/event-stream')
    ? [...frames(reply.body)].map((f) => f.data)
    : [reply.body]
  for (const text of texts) {
    const message = JSON.parse(text) as Message
    if (message.id === id && message.result !== undefined) return message
  }
  throw new Error(`${what}: no result in ${reply.body.slice(0, 200)}`)
}

const request = (id: number, method: string, params: object) => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
})
const initialize = (protocolVersion: string) =>
  request(0, 'initialize', {
    protocolVersion,
    capabilities: {},
    clientInfo: { name: 'bench-connected-idle', version: '0' },
  })
const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' }
const SUBSCRIBE = request(1, 'resources/subscribe', { uri: LEADERBOARD_URI })

/**
 * An open SSE response: parses its frames as they come and hands each to `onFrame`. `ended`
 * turns true if the server ends it or it fails before {@link EventStream.close}.
 */
class EventStream {
  ended = false
  #closed = false
  #buffer = ''
  readonly #req: http.ClientRequest

  private constructor(
    req: http.ClientRequest,
    res: http.IncomingMessage,
    onFrame: (event: string, data: string) => void,
  ) {
    this.#req = req
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      this.#buffer += chunk
      const end = this.#buffer.lastIndexOf('\n\n')
      if (end === -1) return
      const complete = this.#buffer.slice(0, end)
      this.#buffer = this.#buffer.slice(end + 2)
      for (const { event, data } of frames(complete)) onFrame(event, data)
    })
    const ended = () => {
      if (!this.#closed) this.ended = true
    }
    res.on('end', ended)
    res.on('close', ended)
    res.on('error', ended)
  }

  /** GETs `url` as an event stream; rejects unless it answers 200 `text/event-stream`. */
  static open(
    url: string,
    headers: Record<string, string>,
    onFrame: (event: string, data: string) => void,
  ): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'GET', agent: streamAgent, headers }, (res) => {
        if (
          res.statusCode !== 200 ||
          !res.headers['content-type']?.startsWith('text/event-stream')
        ) {
          res.resume()
          reject(new Error(`GET ${new URL(url).pathname} answered ${res.statusCode}`))
          return
        }
        // The stream may be silent for longer than the wait for its headers.
        req.setTimeout(0)
        resolve(new EventStream(req, res, onFrame))
      })
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`GET: no answer in ${TIMEOUT_MS} ms`)))
      req.on('error', reject)
      req.end()
    })
  }

  /** Closes the stream from this end (not counted as ended). */
  close(): void {
    this.#closed = true
    this.#req.destroy()
  }
}

/** A session holding its stream open. */
export interface ConnectedSession {
  /** `performance.now()` of every leaderboard update that reached its stream, in order. */
  readonly updates: readonly number[]
  /** Whether its stream ended (or failed) before it was closed here. */
  readonly ended: boolean
  /** Sends a `ping` in the session and waits for its answer: its object is then resident. */
  ping(): Promise<void>
  /** Closes its stream. */
  close(): void
}

/** A session under construction: its stream and how it pings are filled in by its opener. */
type OpeningSession = ConnectedSession & { stream?: EventStream; pinger?: () => Promise<void> }

/** Builds a session whose frames go through `onMessage`; the leaderboard update is caught here. */
function connected(): { session: OpeningSession; onMessage: (message: Message) => void } {
  const updates: number[] = []
  const session: OpeningSession = {
    updates,
    get ended() {
      return this.stream?.ended ?? false
    },
    ping() {
      return this.pinger?.() ?? Promise.reject(new Error('ping: the session is not open'))
    },
    close() {
      this.stream?.close()
    },
  }
  const onMessage = (message: Message) => {
    if (
      message.method === 'notifications/resources/updated' &&
      message.params?.uri === LEADERBOARD_URI
    ) {
      updates.push(performance.now())
    }
  }
  return { session, onMessage }
}

/** Request ids for pings: above the ids of the opening requests (0 and 1). */
let nextPingId = 100

/** A Streamable HTTP session: initialize and initialized, no stream; resolves with its id. */
export async function openPlainSession(baseUrl: string): Promise<string> {
  const url = `${baseUrl}/mcp`
  const init = await post(url, JSON_HEADERS, initialize(VERSION))
  replyTo(init, 0, 'initialize')
  const sessionId = init.headers['mcp-session-id']
  if (typeof sessionId !== 'string') throw new Error('initialize: no Mcp-Session-Id')
  const headers = { ...JSON_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }
  const ack = await post(url, headers, INITIALIZED)
  if (ack.status !== 202) throw new Error(`initialized answered ${ack.status}`)
  return sessionId
}

/**
 * A Streamable HTTP session holding its standalone stream (`GET /mcp`) open, subscribed to the
 * leaderboard when `subscribe`.
 */
export async function openMcpSession(
  baseUrl: string,
  subscribe: boolean,
): Promise<ConnectedSession> {
  const sessionId = await openPlainSession(baseUrl)
  const { session, onMessage } = connected()
  const ids = { 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }
  session.stream = await EventStream.open(
    `${baseUrl}/mcp`,
    { accept: 'text/event-stream', ...ids },
    (event, data) => {
      if (event === 'message') onMessage(JSON.parse(data) as Message)
    },
  )
  const send = (message: object) => post(`${baseUrl}/mcp`, { ...JSON_HEADERS, ...ids }, message)
  session.pinger = async () => {
    const id = nextPingId++
    replyTo(await send(request(id, 'ping', {})), id, 'ping')
  }
  try {
    if (subscribe) replyTo(await send(SUBSCRIBE), 1, 'subscribe')
  } catch (error) {
    session.close()
    throw error
  }
  return session
}

/**
 * A legacy HTTP+SSE session (`GET /sse`): its endpoint read from the stream, initialize and
 * initialized POSTed there (the reply comes on the stream), subscribed when `subscribe`.
 */
export async function openSseSession(
  baseUrl: string,
  subscribe: boolean,
): Promise<ConnectedSession> {
  const { session, onMessage } = connected()
  const waiting = new Map<number, (message: Message) => void>()
  let gotEndpoint: (path: string) => void = () => undefined
  const endpoint = new Promise<string>((resolve) => {
    gotEndpoint = resolve
  })
  session.stream = await EventStream.open(
    `${baseUrl}/sse`,
    { accept: 'text/event-stream' },
    (event, data) => {
      if (event === 'endpoint') return gotEndpoint(data)
      if (event !== 'message') return
      const message = JSON.parse(data) as Message
      if (typeof message.id === 'number') waiting.get(message.id)?.(message)
      onMessage(message)
    },
  )
  try {
    const url = new URL(await withTimeout(endpoint, 'endpoint event'), baseUrl).href
    const headers = { 'content-type': 'application/json' }
    const send = async (message: object, id?: number): Promise<void> => {
      const answer =
        id === undefined ? undefined : new Promise<Message>((resolve) => waiting.set(id, resolve))
      const res = await post(url, headers, message)
      if (res.status !== 202) throw new Error(`POST /messages answered ${res.status}`)
      if (answer !== undefined) {
        const reply = await withTimeout(answer, `reply ${id}`)
        if (reply.result === undefined) throw new Error(`request ${id} failed`)
      }
    }
    await send(initialize(LEGACY_VERSION), 0)
    await send(INITIALIZED)
    if (subscribe) await send(SUBSCRIBE, 1)
    session.pinger = () => {
      const id = nextPingId++
      return send(request(id, 'ping', {}), id)
    }
  } catch (error) {
    session.close()
    throw error
  }
  return session
}

/** Calls the demo's `score` tool (the leaderboard write) in session `sessionId`. */
export async function score(baseUrl: string, sessionId: string): Promise<void> {
  const reply = await post(
    `${baseUrl}/mcp`,
    { ...JSON_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION },
    request(2, 'tools/call', { name: 'score', arguments: { player: 'bench', points: 1 } }),
  )
  replyTo(reply, 2, 'score')
}

/** Rejects if `promise` takes longer than {@link TIMEOUT_MS} (a server that never answers). */
function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer in ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    )
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
