/**
 * @module
 * A logical SSE stream of a session: its events are logged first, then written to whichever
 * connection is attached right now, if any. Connections come and go (a client drops, resumes with
 * `Last-Event-ID`); the stream and its events stay, so nothing sent while no one listened is lost.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { type EventJournal, formatEventId, type JournalEvent } from './event-journal'
import type { MessageSink } from './message-sink'
import type { ResponseLimit, SentMessage } from './response-limit'
import type { SSEStream } from './sse-stream'

/** How a connection is attached. */
export interface AttachOptions {
  /** Events to write before going live (a resume's replay), in order. */
  readonly replay?: readonly JournalEvent[]
  /** Send a priming event first, with this `retry:` hint (clients at 2025-11-25 or later). */
  readonly primeRetryMs?: number
  /** The seq a resuming client already has; the priming event points there. */
  readonly resumeFrom?: number
  /**
   * Tell the connection's wire, after the replay, where the stream is (`SSEStream.mark`): a
   * bridge resumes from there if its socket breaks before another event.
   */
  readonly mark?: boolean
}

/** How a stream logs. */
export interface JournaledStreamOptions {
  /**
   * Group commit for streams whose protocol has no resumption (legacy HTTP+SSE): while a
   * connection is attached, its events are written at once and logged together within this
   * many ms, and at the latest when the connection closes, instead of one storage commit per
   * event before its write. An object that crashes with a client connected can lose up to this
   * much of that client's log. Omitted or 0: every event is logged before it is written.
   */
  readonly logWithinMs?: number
  /** The largest response sent: one over it is logged and sent as its error. None: no limit. */
  readonly limit?: ResponseLimit
}

/** One logical stream: a journal key plus the connection currently attached. */
export class JournaledStream implements MessageSink {
  readonly closed = false
  #connection: SSEStream | undefined
  readonly #logWithinMs: number
  readonly #limit: ResponseLimit | undefined
  /** Events written to the connection but not logged yet, in seq order, with their JSON. */
  readonly #unlogged: Array<{ seq: number; message: JSONRPCMessage; text: string }> = []
  #flushTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly id: string,
    readonly journal: EventJournal,
    options: JournaledStreamOptions = {},
  ) {
    this.#logWithinMs = options.logWithinMs ?? 0
    this.#limit = options.limit
  }

  /** Whether a client connection is attached and open. */
  get connected(): boolean {
    return this.#connection !== undefined && !this.#connection.closed
  }

  /** The attached connection, if open. */
  get connection(): SSEStream | undefined {
    return this.connected ? this.#connection : undefined
  }

  /** Logs `message` and writes it to the attached connection, if any (see `write`). */
  send(message: JSONRPCMessage): void {
    void this.write(message)
  }

  /**
   * Logs `message` (or, group-committing with a connection attached, queues it to be logged)
   * and writes it; resolves once the connection took it, or at once (undefined) when no
   * connection is attached. `sent`: the message as it is to be sent, measured already (a
   * reply's, by its budget), which is then written as it is.
   */
  write(message: JSONRPCMessage, sent?: SentMessage): Promise<void> | undefined {
    // Serialized once, for the log and the connection both, and measured on the way.
    let text: string
    if (sent !== undefined) ({ message, text } = sent)
    else {
      text = JSON.stringify(message)
      const replacement = this.#limit?.replacement(message, text)
      if (replacement !== undefined) ({ message, text } = replacement)
    }
    const connection = this.connection
    if (this.#logWithinMs === 0 || connection === undefined) {
      const eventId = this.journal.append(this.id, message, undefined, text)
      return connection?.send(message, eventId, text)
    }
    const seq = this.journal.allocate(this.id)
    this.#unlogged.push({ seq, message, text })
    this.#flushTimer ??= setTimeout(() => this.flush(), this.#logWithinMs)
    return connection.send(message, formatEventId(this.id, seq), text)
  }

  /** Logs every event written but not logged yet (all in one storage commit). */
  flush(): void {
    clearTimeout(this.#flushTimer)
    this.#flushTimer = undefined
    for (const { seq, message, text } of this.#unlogged.splice(0))
      this.journal.append(this.id, message, seq, text)
  }

  /**
   * Attaches a connection: priming event, replayed events, then live. All of it happens in one
   * synchronous step, so no event can slip between the replay and the live ones. A connection
   * still attached is dropped first: a stream has one connection at a time, and the newest
   * wins (the old one is usually a client that vanished without closing it). Whatever the old
   * one was sent is in the log by then, for the new one to resume from.
   */
  attach(connection: SSEStream, options: AttachOptions = {}): void {
    this.connection?.abort()
    if (options.primeRetryMs !== undefined) {
      const primingId =
        options.resumeFrom === undefined
          ? this.journal.primingId(this.id)
          : formatEventId(this.id, options.resumeFrom)
      void connection.prime(primingId, options.primeRetryMs)
    }
    for (const event of options.replay ?? []) void connection.send(event.message, event.id)
    if (options.mark) void connection.mark(this.journal.primingId(this.id))
    this.#connection = connection
    // Before a client can reconnect, everything this connection carried is in the log.
    if (this.#logWithinMs > 0) connection.onClose(() => this.flush())
  }
}
