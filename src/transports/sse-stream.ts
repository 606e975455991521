/**
 * @module
 * One server-sent-events stream, framed as Hono's `writeSSE` frames (`sseText`). This class
 * adds the MCP conventions: one JSON-RPC message per `event: message`, the response headers,
 * keepalive comments, and noticing a client that went away. Its frames go to a response body,
 * or to another {@link SSEWire}: a session object's end of a bridged stream (DESIGN §7), whose
 * response the Worker holds.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { BodyWire } from './body-wire'
import type { EventFrame } from './bridge-frames'

/** Headers of every SSE response (checklist A.8: no caching, no proxy buffering). */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
})

/** The comment frame sent on idle streams. */
export const KEEPALIVE_FRAME = ': keepalive\n\n'

/** Where an {@link SSEStream}'s frames go: a response body ({@link BodyWire}), or a socket. */
export interface SSEWire {
  writeSSE(message: EventFrame): Promise<void>
  /** Raw text: a comment or a bare `retry:` hint. */
  write(text: string): Promise<unknown>
  close(): Promise<void>
  abort(): void
  /** Registers what runs when the far end goes away. */
  onAbort(listener: () => void): void
  /** Learns the stream's position, for a wire that resumes it elsewhere; writes nothing. */
  mark?(eventId: string): void
}

/** Options of an {@link SSEStream}. */
export interface SSEStreamOptions {
  /** Where frames go; by default a new response body ({@link SSEStream.toResponse}). */
  readonly wire?: SSEWire
  /**
   * A response written sooner than this many ms after a progress notification waits out the
   * rest first. The SDKs' SSE clients dispatch every event of one network read synchronously
   * but handle notifications a microtask later, so progress that shares a read with its result
   * finds its handler gone; a gap puts them in separate reads. 0 (default): no gap.
   */
  readonly progressGapMs?: number
}

/** An open SSE response body that JSON-RPC messages are written to, in call order. */
export class SSEStream {
  readonly #api: SSEWire
  readonly #body: ReadableStream<Uint8Array> | undefined
  /** Writes in flight, chained so frames go out in call order and `close` waits for them. */
  #tail: Promise<void> = Promise.resolve()
  #started = 0
  #finished = 0
  #closed = false
  #keepalive: ReturnType<typeof setInterval> | undefined
  readonly #onClose: Array<() => void> = []
  readonly #progressGapMs: number
  /** When the last progress notification was written (ms), while a gap applies. */
  #progressAt: number | undefined

  constructor(options: SSEStreamOptions = {}) {
    this.#progressGapMs = options.progressGapMs ?? 0
    if (options.wire === undefined) {
      const wire = new BodyWire()
      this.#api = wire
      this.#body = wire.body
    } else {
      this.#api = options.wire
      this.#body = undefined
    }
    // The response body was cancelled: the client went away.
    this.#api.onAbort(() => this.#markClosed())
  }

  /** Whether the stream has been closed by us or by the client. */
  get closed(): boolean {
    return this.#closed
  }

  /** Registers a callback run once when the stream closes, from either side. */
  onClose(callback: () => void): void {
    if (this.#closed) callback()
    else this.#onClose.push(callback)
  }

  /**
   * Writes one JSON-RPC message as `event: message`, with its event id when it has one; `text`
   * is its JSON, when the caller has it.
   */
  send(message: JSONRPCMessage, id?: string, text = JSON.stringify(message)): Promise<void> {
    if (this.#progressGapMs === 0) return this.writeEvent('message', text, id)
    const event = { event: 'message', data: text, ...(id && { id }) }
    if ('method' in message) {
      if (message.method !== 'notifications/progress')
        return this.#enqueue(() => this.#api.writeSSE(event))
      return this.#enqueue(async () => {
        await this.#api.writeSSE(event)
        this.#progressAt = Date.now()
      })
    }
    return this.#enqueue(async () => {
      // Date.now() advances between I/O events in Workers, so this is the time since that write.
      const wait =
        this.#progressAt === undefined ? 0 : this.#progressAt + this.#progressGapMs - Date.now()
      this.#progressAt = undefined
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      await this.#api.writeSSE(event)
    })
  }

  /** Writes one event with the given name, data and optional id. */
  writeEvent(event: string, data: string, id?: string): Promise<void> {
    return this.#enqueue(() =>
      this.#api.writeSSE(id === undefined ? { event, data } : { event, data, id }),
    )
  }

  /**
   * Tells the wire, after everything written so far, that the client has every event of this
   * stream up to `eventId` (a bridge resumes from there if its socket breaks).
   */
  mark(eventId: string): Promise<void> {
    return this.#enqueue(async () => this.#api.mark?.(eventId))
  }

  /** Writes SSE text framed elsewhere (a bridged stream's, in the Worker), as it is. */
  writeRaw(text: string): Promise<void> {
    return this.#enqueue(() => this.#api.write(text))
  }

  /**
   * Writes a priming event (spec 2025-11-25: an event id and empty data, so the client can
   * resume from here even before any message), with a `retry:` hint for its reconnects.
   */
  prime(id: string, retryMs: number): Promise<void> {
    return this.#enqueue(() => this.#api.writeSSE({ id, data: '', retry: retryMs }))
  }

  /** Writes a `retry:` hint alone, as the last thing before the server closes the connection. */
  retryHint(retryMs: number): Promise<void> {
    return this.#enqueue(() => this.#api.write(`retry: ${retryMs}\n\n`))
  }

  /**
   * Sends a comment every `intervalMs` so idle connections survive proxies that cut silent
   * streams. It is also how a vanished client is noticed: the local runtime doesn't report a
   * client that drops a held stream, and writes to it stop completing. A write still pending a
   * whole interval later means nobody reads this stream any more, and it is released.
   */
  startKeepalive(intervalMs: number): void {
    if (this.#keepalive !== undefined || this.#closed) return
    let finishedAtLastTick = this.#finished
    this.#keepalive = setInterval(() => {
      if (this.#started > this.#finished && this.#finished === finishedAtLastTick) {
        this.abort()
        return
      }
      finishedAtLastTick = this.#finished
      void this.#enqueue(() => this.#api.write(KEEPALIVE_FRAME))
    }, intervalMs)
  }

  /** Ends the stream once every write already made has gone out. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return this.#tail
    this.#markClosed()
    this.#tail = this.#tail.then(() => this.#api.close())
    return this.#tail
  }

  /** Drops the stream at once, discarding unsent frames and releasing its resources. */
  abort(): void {
    this.#markClosed()
    // Cancels the body's reader: pending and later writes fail instead of waiting forever.
    this.#api.abort()
  }

  /** The HTTP response that carries this stream (not for a stream on another wire). */
  toResponse(headers?: Record<string, string>): Response {
    if (this.#body === undefined) throw new Error('This stream is carried by another wire')
    return new Response(this.#body, {
      status: 200,
      headers: { ...SSE_HEADERS, ...headers },
    })
  }

  #enqueue(write: () => Promise<unknown>): Promise<void> {
    if (this.#closed) return this.#tail
    this.#started++
    this.#tail = this.#tail.then(write).then(
      () => {
        this.#finished++
      },
      () => this.abort(),
    )
    return this.#tail
  }

  #markClosed(): void {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#keepalive)
    for (const callback of this.#onClose.splice(0)) callback()
  }
}
