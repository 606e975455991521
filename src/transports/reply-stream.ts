/**
 * @module
 * The reply to one POST that carried requests. It answers with plain JSON when the responses are
 * the only thing the server sends for those requests, and switches to an SSE stream as soon as
 * anything else (progress, a log message, a server→client request) comes first, or when the
 * responses take too long (`streamNow`), so a handler never has to know which one the client
 * gets. Once it is a stream, every message is logged before it is written, and a client that
 * drops the connection can resume it with `Last-Event-ID` (spec: a disconnect is not a
 * cancellation; the responses wait in the log).
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server'
import type { EventJournal, JournalEvent } from './event-journal'
import { JournaledStream } from './journaled-stream'
import { isResponse, type MessageSink } from './message-sink'
import { ReplyBudget } from './reply-budget'
import type { ResponseLimit, SentMessage } from './response-limit'
import { messagesReply, type SessionReply } from './session-reply'
import { SSEStream } from './sse-stream'

/** Options of a {@link ReplyStream}. */
export interface ReplyStreamOptions {
  /** Where the stream's events are logged. */
  readonly journal: EventJournal
  /** Whether the POST body was a batch (a JSON reply is then an array). */
  readonly batch: boolean
  /** The largest response sent; one over it goes as its error. */
  readonly limit: ResponseLimit
  /**
   * The most bytes the responses may hold in all, when the POST carried more than one request
   * (a batch); a response past it goes as its error.
   */
  readonly maxBytes?: number
  /** Extra headers for the reply, such as `Mcp-Session-Id`. */
  readonly headers?: Record<string, string>
  /** Called once when every response has been sent, or the reply was abandoned. */
  readonly onDone?: () => void
  /** Interval of keepalive comments once the reply is an SSE stream; none when omitted. */
  readonly keepaliveMs?: number
  /** Prime every connection of the stream, with this `retry:` hint (2025-11-25 or later). */
  readonly primeRetryMs?: number
  /**
   * Close a connection that has been open this long, after a `retry:` hint; the call goes on and
   * the client resumes with `Last-Event-ID` (spec 2025-11-25: polling). Needs `primeRetryMs`.
   */
  readonly maxConnectionMs?: number
}

/** Collects the server's messages for the requests of one POST and turns them into its reply. */
export class ReplyStream implements MessageSink {
  /** Resolves with the HTTP response once its form (JSON or SSE) is known. */
  readonly response: Promise<SessionReply>
  readonly #requestIds: readonly RequestId[]
  readonly #pending: Set<RequestId>
  /** Responses in, while the reply may still be JSON: as they are to be sent. */
  readonly #buffered: SentMessage[] = []
  readonly #budget: ReplyBudget
  readonly #options: ReplyStreamOptions
  #resolve!: (response: SessionReply) => void
  #stream: JournaledStream | undefined
  #done = false

  constructor(requestIds: readonly RequestId[], options: ReplyStreamOptions) {
    this.#requestIds = requestIds
    this.#pending = new Set(requestIds)
    this.#options = options
    this.#budget = new ReplyBudget(
      options.limit,
      requestIds.length > 1 ? options.maxBytes : undefined,
    )
    this.response = new Promise((resolve) => {
      this.#resolve = resolve
    })
  }

  /**
   * Turns the reply into an SSE stream now, if it is still waiting and isn't one yet (a call
   * that takes long becomes resumable; see `StreamAfter`).
   */
  streamNow(): void {
    if (!this.#done && this.#stream === undefined) this.#switchToSSE()
  }

  /** The id of the logged stream, once the reply is one. */
  get streamId(): string | undefined {
    return this.#stream?.id
  }

  /** Whether every response has been sent (or the reply was abandoned). */
  get closed(): boolean {
    return this.#done
  }

  /** Delivers one message that relates to this POST's requests. */
  send(message: JSONRPCMessage): void {
    if (this.#done) return
    if (this.#stream === undefined && !isResponse(message)) this.#switchToSSE()
    // Measured (and replaced, past a bound) as it comes: the reply never holds more.
    const sent = isResponse(message) ? this.#budget.take(message) : undefined
    if (isResponse(message)) this.#pending.delete(message.id)
    const last = this.#pending.size === 0
    if (this.#stream !== undefined) {
      const written = this.#stream.write(message, sent)
      if (last) this.#finish(written)
      return
    }
    this.#buffered.push(sent!)
    if (last) this.#resolveJson()
  }

  /**
   * Attaches a resuming client's connection: the events after its `Last-Event-ID`, then live.
   * False when a connection is still attached.
   */
  resume(connection: SSEStream, replay: readonly JournalEvent[], resumeFrom: number): boolean {
    if (this.#stream === undefined || this.#done) return false
    this.#stream.attach(connection, {
      replay,
      resumeFrom,
      primeRetryMs: this.#options.primeRetryMs,
    })
    this.#limitConnection(connection)
    return true
  }

  /**
   * Request `id` was cancelled: per spec no response will come for it. When it was the last one
   * pending, the reply ends (an SSE stream closes; a reply with nothing to say becomes an empty
   * stream, the only body that carries no response).
   */
  cancel(id: RequestId): void {
    if (this.#done || !this.#pending.delete(id) || this.#pending.size > 0) return
    if (this.#stream === undefined && this.#buffered.length > 0) {
      this.#resolveJson()
      return
    }
    if (this.#stream === undefined) this.#switchToSSE()
    this.#finish(undefined)
    void this.#stream?.connection?.close()
  }

  /**
   * Ends the current connection early (after turning the reply into a stream if it wasn't one),
   * with a `retry:` hint; the requests go on and the client resumes. Only for primed streams:
   * false when the client could not resume.
   */
  dropConnection(): boolean {
    const retryMs = this.#options.primeRetryMs
    if (this.#done || retryMs === undefined) return false
    if (this.#stream === undefined) this.#switchToSSE()
    const connection = this.#stream?.connection
    if (connection === undefined) return true
    void connection.retryHint(retryMs)
    void connection.close()
    return true
  }

  /** Ends the reply without the missing responses (the session ended under it). */
  abort(fallback: Response): void {
    if (this.#done) return
    this.#markDone()
    if (this.#stream !== undefined) void this.#stream.connection?.close()
    else this.#resolve(fallback)
  }

  /** Every response is in, none sent yet: the reply is JSON. */
  #resolveJson(): void {
    this.#markDone()
    const { batch, headers = {}, limit } = this.#options
    this.#resolve(messagesReply(this.#buffered.splice(0), batch, headers, limit.quickChars))
  }

  #switchToSSE(): void {
    const { journal, keepaliveMs, primeRetryMs, headers, limit } = this.#options
    const connection = new SSEStream()
    if (keepaliveMs !== undefined) connection.startKeepalive(keepaliveMs)
    this.#stream = new JournaledStream(journal.openReplyStream(this.#requestIds), journal, {
      limit,
    })
    this.#stream.attach(connection, { primeRetryMs })
    this.#limitConnection(connection)
    this.#resolve(connection.toResponse(headers))
    for (const sent of this.#buffered.splice(0)) this.#stream.write(sent.message, sent)
  }

  /** Ends `connection` after `maxConnectionMs` if the call is still running by then. */
  #limitConnection(connection: SSEStream): void {
    const { maxConnectionMs, primeRetryMs } = this.#options
    if (maxConnectionMs === undefined || primeRetryMs === undefined) return
    const timer = setTimeout(() => {
      if (this.#done || connection.closed) return
      void connection.retryHint(primeRetryMs)
      void connection.close()
    }, maxConnectionMs)
    connection.onClose(() => clearTimeout(timer))
  }

  /** All responses are in: record it, and end the connection once the last one went out. */
  #finish(lastWrite: Promise<void> | undefined): void {
    const stream = this.#stream!
    stream.journal.finishStream(stream.id)
    this.#markDone()
    const connection = stream.connection
    if (lastWrite === undefined || connection === undefined) return
    void lastWrite.then(() => {
      if (!connection.closed) stream.journal.markDelivered(stream.id)
      return connection.close()
    })
  }

  #markDone(): void {
    this.#done = true
    this.#options.onDone?.()
  }
}
