/**
 * @module
 * The requests of a legacy (HTTP+SSE) session that are waiting for their response. Each POST is
 * acknowledged with 202 and its response goes out later on the session's stream, so a request
 * the object loses in a restart would leave its client waiting forever. Before a 202 goes out,
 * its request is in one of three states, each safe across a restart: answered and taken by the
 * client's connection; answered and in the event log; or recorded in storage as unanswered (a
 * restarted object answers those with an error).
 */
import type { RequestId } from '@modelcontextprotocol/sdk/types.js'
import { LEGACY_STREAM } from '../src/transports/event-journal'
import type { JournaledStream } from '../src/transports/journaled-stream'
import { isResponse, type MessageSink } from '../src/transports/message-sink'
import type { EventLog } from './event-log'

/** One request without a response yet. */
interface Pending {
  /** Whether it has a row in storage (deleted once answered). */
  stored: boolean
  /** Set when the response went out: the write of it to the connection, if one was attached. */
  answer?: { readonly written: Promise<void> | undefined }
  /** Wakes {@link LegacyRequest.keep} when the response goes out. */
  wake?: () => void
}

/** One legacy request: where its replies go, and what to await before acknowledging it. */
export interface LegacyRequest {
  readonly sink: MessageSink
  /**
   * Call before acknowledging the request; the 202 waits for it. When the response is out by
   * the next macrotask (most are) and the connection took it, nothing is written. A response
   * the connection has not taken (it may be gone without our knowing yet) is logged now; a
   * request without a response yet is recorded. Either write is durable before the 202 leaves
   * (the object's output gate).
   */
  keep(): Promise<void>
}

/** Resolves after the next macrotask. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/** The legacy session's unanswered requests, and the sink their replies go through. */
export class LegacyRequests {
  readonly #pending = new Map<RequestId, Pending>()
  readonly #log: Pick<EventLog, 'track' | 'settle'>
  readonly #stream: JournaledStream
  readonly #sink: MessageSink

  /** @param stream The session's legacy stream, which every reply goes on. */
  constructor(log: Pick<EventLog, 'track' | 'settle'>, stream: JournaledStream) {
    this.#log = log
    this.#stream = stream
    this.#sink = {
      closed: false,
      send: (message) => {
        const written = stream.write(message)
        if (isResponse(message)) this.#settle(message.id, written)
      },
      cancel: (id) => this.#settle(id, undefined),
    }
  }

  /** Registers request `requestId`. */
  open(requestId: RequestId): LegacyRequest {
    const pending: Pending = { stored: false }
    this.#pending.set(requestId, pending)
    return { sink: this.#sink, keep: () => this.#keep(requestId, pending) }
  }

  async #keep(requestId: RequestId, pending: Pending): Promise<void> {
    if (pending.answer === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 0)
        pending.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    const answer = pending.answer
    if (answer === undefined) {
      if (this.#pending.get(requestId) !== pending) return
      pending.stored = true
      this.#log.track(LEGACY_STREAM, requestId)
      return
    }
    if (answer.written === undefined) return
    let taken = false
    await Promise.race([answer.written.then(() => (taken = true)), nextTask()])
    if (!taken) this.#stream.flush()
  }

  #settle(requestId: RequestId, written: Promise<void> | undefined): void {
    const pending = this.#pending.get(requestId)
    if (pending === undefined) return
    this.#pending.delete(requestId)
    if (pending.stored) this.#log.settle(LEGACY_STREAM, requestId)
    pending.answer = { written }
    pending.wake?.()
  }
}
