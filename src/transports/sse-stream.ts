/**
 * @module
 * One server-sent-events response body. Framing is Hono's (`SSEStreamingApi.writeSSE`); this class
 * adds the MCP conventions: one JSON-RPC message per `event: message`, the response headers, and a
 * close callback.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { SSEStreamingApi } from 'hono/streaming'

/** Headers of every SSE response (checklist A.8: no caching, no proxy buffering). */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
})

/** An open SSE response body that JSON-RPC messages are written to, in call order. */
export class SSEStream {
  readonly #api: SSEStreamingApi
  /** Writes in flight, chained so frames go out in call order and `close` waits for them. */
  #tail: Promise<void> = Promise.resolve()
  #closed = false
  readonly #onClose: Array<() => void> = []

  constructor() {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
    this.#api = new SSEStreamingApi(writable, readable)
    // The reader side was cancelled: the client went away.
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

  /** Writes one JSON-RPC message as `event: message`. */
  send(message: JSONRPCMessage): Promise<void> {
    return this.writeEvent('message', JSON.stringify(message))
  }

  /** Writes one event with the given name and data. */
  writeEvent(event: string, data: string): Promise<void> {
    return this.#enqueue(() => this.#api.writeSSE({ event, data }))
  }

  /** Ends the stream once every write already made has gone out. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return this.#tail
    this.#markClosed()
    this.#tail = this.#tail.then(() => this.#api.close())
    return this.#tail
  }

  #enqueue(write: () => Promise<unknown>): Promise<void> {
    if (this.#closed) return this.#tail
    this.#tail = this.#tail.then(write).then(
      () => undefined,
      () => this.#markClosed(),
    )
    return this.#tail
  }

  /** The HTTP response that carries this stream. */
  toResponse(headers?: Record<string, string>): Response {
    return new Response(this.#api.responseReadable, {
      status: 200,
      headers: { ...SSE_HEADERS, ...headers },
    })
  }

  #markClosed(): void {
    if (this.#closed) return
    this.#closed = true
    for (const callback of this.#onClose.splice(0)) callback()
  }
}
