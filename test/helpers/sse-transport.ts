/**
 * Raw HTTP+SSE helpers: open `/sse`, read its endpoint, POST to `/messages`.
 */
import { expect } from 'vitest'
import { fetchApp, MSG } from './requests'
import { parseSSE, type SSEEvent } from './sse'

/** An open `/sse` stream that a test reads event by event. */
export class LegacyStream {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>
  readonly #decoder = new TextDecoder()
  #raw = ''
  #consumed = 0
  /** A read a timeout gave up on: the next read takes its chunk, so none is lost. */
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined

  constructor(readonly response: Response) {
    this.#reader = response.body!.getReader()
  }

  /** Everything received so far, exactly as framed. */
  get raw(): string {
    return this.#raw
  }

  /** Waits for the next event (comments skipped) or fails after `timeoutMs`. */
  async next(timeoutMs = 3_000): Promise<SSEEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const { events } = parseSSE(this.#complete())
      const event = events[this.#consumed]
      if (event !== undefined) {
        this.#consumed++
        return event
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms; got: ${this.#raw}`)
      const chunk = await this.#readWithin(left)
      if (chunk === 'timeout') continue
      if (chunk.done) throw new Error(`stream ended; got: ${this.#raw}`)
      this.#raw += this.#decoder.decode(chunk.value, { stream: true })
    }
  }

  /** The next `event: message`, parsed. */
  async nextMessage(timeoutMs?: number): Promise<Record<string, unknown>> {
    const event = await this.next(timeoutMs)
    expect(event.event).toBe('message')
    return JSON.parse(event.data) as Record<string, unknown>
  }

  /** Reads for `ms` and returns what arrived (events and comments). */
  async drain(ms: number): Promise<string> {
    const start = this.#raw.length
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      const chunk = await this.#readWithin(deadline - Date.now())
      if (chunk === 'timeout' || chunk.done) break
      this.#raw += this.#decoder.decode(chunk.value, { stream: true })
    }
    return this.#raw.slice(start)
  }

  /**
   * Whether the server ended this stream (the body finished or failed) within `timeoutMs`,
   * reading and keeping whatever arrives until then.
   */
  async ended(timeoutMs = 3_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const chunk = await this.#readWithin(deadline - Date.now()).catch(() => ({
        done: true as const,
        value: undefined,
      }))
      if (chunk === 'timeout') return false
      if (chunk.done) return true
      this.#raw += this.#decoder.decode(chunk.value, { stream: true })
    }
    return false
  }

  /** Drops the connection, as a client going away would. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => undefined)
  }

  /** The next chunk, or 'timeout' after `ms` (the read stays pending for the next call). */
  async #readWithin(ms: number): Promise<ReadableStreamReadResult<Uint8Array> | 'timeout'> {
    this.#pending ??= this.#reader.read()
    let timer: ReturnType<typeof setTimeout> | undefined
    const chunk = await Promise.race([
      this.#pending,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms)
      }),
    ]).finally(() => clearTimeout(timer))
    if (chunk !== 'timeout') this.#pending = undefined
    return chunk
  }

  /** Only complete events (up to the last blank line) are parsed. */
  #complete(): string {
    const end = this.#raw.lastIndexOf('\n\n')
    return end === -1 ? '' : this.#raw.slice(0, end + 2)
  }
}

/** Opens `/sse` (optionally reconnecting to `sessionId`, from `lastEventId`) and returns it. */
export async function openLegacy(
  sessionId?: string,
  path = '/sse',
  lastEventId?: string,
): Promise<LegacyStream> {
  const query = sessionId === undefined ? '' : `?sessionId=${sessionId}`
  const headers: Record<string, string> = { accept: 'text/event-stream' }
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId
  const res = await fetchApp(path + query, { headers })
  return new LegacyStream(res)
}

/** Opens a legacy session and reads its endpoint event; returns the stream, id and endpoint. */
export async function startLegacy(): Promise<{
  stream: LegacyStream
  sessionId: string
  endpoint: string
}> {
  const stream = await openLegacy()
  expect(stream.response.status).toBe(200)
  const first = await stream.next()
  expect(first.event).toBe('endpoint')
  const sessionId = /sessionId=([0-9a-f]{64})$/.exec(first.data)?.[1]
  expect(sessionId).toBeDefined()
  return { stream, sessionId: sessionId!, endpoint: first.data }
}

/** POSTs `body` to `/messages?sessionId=…`. */
export function postMessage(
  sessionId: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetchApp(`/messages?sessionId=${sessionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** Starts a legacy session and completes the handshake on it (2024-11-05). */
export async function initializedLegacy() {
  const session = await startLegacy()
  expect((await postMessage(session.sessionId, MSG.initialize('2024-11-05'))).status).toBe(202)
  await session.stream.nextMessage()
  expect((await postMessage(session.sessionId, MSG.initialized)).status).toBe(202)
  return session
}
