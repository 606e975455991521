/**
 * @module
 * The one timer a session needs for "answer as a stream after `afterMs`": replies are watched in
 * the order they open (so their deadlines are in order too) and the timer is armed for the
 * oldest one only, instead of one timer per request on the hot path.
 */

/** A reply that can be turned into a stream while it still waits for responses. */
export interface StreamableReply {
  /** Whether every response has been sent (nothing left to do). */
  readonly closed: boolean
  /** Turns the reply into an SSE stream if it isn't one yet. */
  streamNow(): void
}

/** Turns each watched reply still waiting `afterMs` after it opened into a stream. */
export class StreamAfter {
  readonly #afterMs: number
  readonly #queue: Array<{ readonly at: number; readonly reply: StreamableReply }> = []
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(afterMs: number) {
    this.#afterMs = afterMs
  }

  /** Watches `reply`, opened now. */
  watch(reply: StreamableReply): void {
    while (this.#queue[0]?.reply.closed) this.#queue.shift()
    this.#queue.push({ at: Date.now() + this.#afterMs, reply })
    if (this.#timer === undefined) this.#arm(this.#afterMs)
  }

  /** Stops the timer (the session is closing). */
  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue.length = 0
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, ms))
  }

  #fire(): void {
    this.#timer = undefined
    const now = Date.now()
    while (this.#queue.length > 0 && (this.#queue[0]!.at <= now || this.#queue[0]!.reply.closed)) {
      const { reply } = this.#queue.shift()!
      if (!reply.closed) reply.streamNow()
    }
    const next = this.#queue[0]
    if (next !== undefined) this.#arm(next.at - now)
  }
}
