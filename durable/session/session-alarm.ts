/**
 * @module
 * The one alarm a session object has, and what it is for: idle expiry and event-log pruning,
 * whichever is due first. Keeps what this instance knows of the scheduled time, so the hot path
 * never writes an alarm it already has.
 */

/** The session object's alarm. */
export class SessionAlarm {
  readonly #storage: DurableObjectStorage
  readonly #maxAgeMs: number
  /** When the alarm is set for, as far as this instance knows (undefined: not known or none). */
  #at: number | undefined
  /** Whether {@link SessionAlarm.at} is what storage holds (read, or set by this instance). */
  #known = false

  /**
   * @param maxAgeMs The event log's age cap. The count and byte caps are kept at append time,
   *   so the alarm only has to come back when logged events age out: an idle session with a
   *   connected client wakes about once per this long, not on a short timer.
   */
  constructor(storage: DurableObjectStorage, maxAgeMs: number) {
    this.#storage = storage
    this.#maxAgeMs = maxAgeMs
  }

  /**
   * Reads the scheduled time from storage (once per instance, when the session starts), unless
   * this instance set it (a session's `initialize` just did).
   */
  async load(): Promise<void> {
    if (this.#known) return
    this.#at = (await this.#storage.getAlarm()) ?? undefined
    this.#known = true
  }

  /** An event was logged now: the alarm fires by the time it ages out, to prune it. */
  pruneSoon(): void {
    const at = Date.now() + this.#maxAgeMs
    if (this.#at !== undefined && this.#at <= at) return
    void this.set(at)
  }

  /** The next time to wake, given when the session expires and whether the log has events. */
  next(now: number, expiresAt: number, hasEvents: boolean): number {
    return hasEvents ? Math.min(expiresAt, now + this.#maxAgeMs) : expiresAt
  }

  /** Sets the alarm. */
  async set(at: number): Promise<void> {
    this.#at = at
    this.#known = true
    await this.#storage.setAlarm(at)
  }

  /** Forgets the scheduled time (it fired, or the session's storage was deleted). */
  forget(): void {
    this.#at = undefined
    this.#known = false
  }
}
