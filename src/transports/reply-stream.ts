/**
 * @module
 * The reply to one POST that carried requests. It answers with plain JSON when the responses are
 * the only thing the server sends for those requests, and switches to an SSE stream as soon as
 * anything else (progress, a log message, a server→client request) comes first, so a handler never
 * has to know which one the client gets.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js'
import { isResponse, type MessageSink } from './message-sink'
import { SSEStream } from './sse-stream'

/** Options of a {@link ReplyStream}. */
export interface ReplyStreamOptions {
  /** Whether the POST body was a batch (a JSON reply is then an array). */
  readonly batch: boolean
  /** Extra headers for the reply, such as `Mcp-Session-Id`. */
  readonly headers?: Record<string, string>
  /** Called once when the reply is complete or abandoned. */
  readonly onDone?: () => void
  /** Interval of keepalive comments once the reply is an SSE stream; none when omitted. */
  readonly keepaliveMs?: number
}

/** Collects the server's messages for the requests of one POST and turns them into its reply. */
export class ReplyStream implements MessageSink {
  /** Resolves with the HTTP response once its form (JSON or SSE) is known. */
  readonly response: Promise<Response>
  readonly #pending: Set<RequestId>
  readonly #buffered: JSONRPCMessage[] = []
  readonly #options: ReplyStreamOptions
  #resolve!: (response: Response) => void
  #sse: SSEStream | undefined
  #done = false

  constructor(requestIds: readonly RequestId[], options: ReplyStreamOptions) {
    this.#pending = new Set(requestIds)
    this.#options = options
    this.response = new Promise((resolve) => {
      this.#resolve = resolve
    })
  }

  /** Whether every response has been delivered, or the client went away. */
  get closed(): boolean {
    return this.#done || (this.#sse?.closed ?? false)
  }

  /** Delivers one message that relates to this POST's requests. */
  send(message: JSONRPCMessage): void {
    if (this.closed) return
    if (this.#sse === undefined && !isResponse(message)) this.#switchToSSE()
    if (isResponse(message)) this.#pending.delete(message.id)
    if (this.#sse !== undefined) {
      void this.#sse.send(message)
      if (this.#pending.size === 0) this.#finish()
      return
    }
    this.#buffered.push(message)
    if (this.#pending.size === 0) {
      this.#markDone()
      const body = this.#options.batch ? this.#buffered : this.#buffered[0]
      this.#resolve(Response.json(body, { status: 200, headers: this.#options.headers }))
    }
  }

  /**
   * Ends the reply without the missing responses (the session ended under it). A JSON reply that
   * never started answers with whatever was collected.
   */
  abort(fallback: Response): void {
    if (this.#done) return
    this.#markDone()
    if (this.#sse !== undefined) void this.#sse.close()
    else this.#resolve(fallback)
  }

  #switchToSSE(): void {
    const sse = new SSEStream()
    if (this.#options.keepaliveMs !== undefined) sse.startKeepalive(this.#options.keepaliveMs)
    this.#sse = sse
    // The client went away mid-reply: nothing more can be delivered here.
    sse.onClose(() => {
      if (!this.#done) this.#markDone()
    })
    this.#resolve(sse.toResponse(this.#options.headers))
    for (const message of this.#buffered.splice(0)) void sse.send(message)
  }

  #finish(): void {
    this.#markDone()
    void this.#sse?.close()
  }

  #markDone(): void {
    this.#done = true
    this.#options.onDone?.()
  }
}
