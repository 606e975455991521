/**
 * @module
 * The requests of a legacy (HTTP+SSE) session that are waiting for their response. Each POST is
 * acknowledged with 202 and its response goes out later on the session's stream, so a request
 * the object loses in a restart would leave its client waiting forever: one still unanswered is
 * recorded in storage, and a restarted object answers it with an error. When that record is
 * written follows the legacy stream's logging (`EVENT_LOG_LEGACY_DELAY_MS`):
 * - delay 0: before the 202 leaves, unless the response is out by then (and so in the log);
 * - otherwise: with the stream's group commit, within the delay, for the requests still
 *   unanswered by then. Most are answered long before, and nothing is written for them.
 */
import type { RequestId } from '@modelcontextprotocol/server'
import { LEGACY_STREAM } from '../src/transports/event-journal'
import { isResponse, type MessageSink } from '../src/transports/message-sink'
import type { EventLog } from './event-log'

/** One request without a response yet. */
interface Pending {
  /** Whether it has a row in storage (deleted once answered). */
  stored: boolean
  /** Wakes {@link LegacyRequest.keep} when the response goes out (or never will: cancelled). */
  wake?: () => void
}

/** One legacy request: where its replies go, and what to await before acknowledging it. */
export interface LegacyRequest {
  readonly sink: MessageSink
  /** Call before acknowledging the request; the 202 waits for it (see the module notes). */
  keep(): Promise<void>
}

/** The legacy session's unanswered requests, and the sink their replies go through. */
export class LegacyRequests {
  readonly #pending = new Map<RequestId, Pending>()
  readonly #log: Pick<EventLog, 'track' | 'settle'>
  readonly #sink: MessageSink
  readonly #delayMs: number
  #timer: ReturnType<typeof setTimeout> | undefined

  /**
   * @param stream The session's legacy stream, which every reply goes on.
   * @param delayMs The stream's logging delay (0: log before write).
   */
  constructor(log: Pick<EventLog, 'track' | 'settle'>, stream: MessageSink, delayMs: number) {
    this.#log = log
    this.#delayMs = delayMs
    this.#sink = {
      closed: false,
      send: (message) => {
        if (isResponse(message)) this.#settle(message.id)
        stream.send(message)
      },
      cancel: (id) => this.#settle(id),
    }
  }

  /** Registers request `requestId`. */
  open(requestId: RequestId): LegacyRequest {
    const pending: Pending = { stored: false }
    this.#pending.set(requestId, pending)
    if (this.#delayMs > 0) {
      this.#timer ??= setTimeout(() => this.#storeUnanswered(), this.#delayMs)
      return { sink: this.#sink, keep: () => Promise.resolve() }
    }
    return { sink: this.#sink, keep: () => this.#keep(requestId, pending) }
  }

  /** Stops the group commit's timer (the session is ending). */
  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Delay 0: waits for the response until the next macrotask, else records the request. */
  async #keep(requestId: RequestId, pending: Pending): Promise<void> {
    // Still in the map: not answered yet (an answered request leaves it).
    const unanswered = () => this.#pending.get(requestId) === pending
    if (unanswered()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 0)
        pending.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    if (unanswered()) this.#store(requestId, pending)
  }

  /** The group commit's part: every request still unanswered is recorded. */
  #storeUnanswered(): void {
    this.#timer = undefined
    for (const [requestId, pending] of this.#pending) {
      if (!pending.stored) this.#store(requestId, pending)
    }
  }

  #store(requestId: RequestId, pending: Pending): void {
    pending.stored = true
    this.#log.track(LEGACY_STREAM, requestId)
  }

  #settle(requestId: RequestId): void {
    const pending = this.#pending.get(requestId)
    if (pending === undefined) return
    this.#pending.delete(requestId)
    if (pending.stored) this.#log.settle(LEGACY_STREAM, requestId)
    pending.wake?.()
  }
}
