/**
 * @module
 * A hub's fan-out to its subscribed sessions, in the background: the writer is answered once the
 * value is stored, and the sessions are told a bounded number at a time. A session is never told
 * twice at once: a change that comes while it is being told is told again once that call is
 * done, so it always hears of the last change, and a slow or stuck session holds up only itself.
 * Sessions that answer that they are gone are dropped together, when the fan-out is idle (or
 * many are waiting).
 */

/** The session objects' RPC that a hub calls. */
interface UpdatableSession {
  resourceUpdated(uri: string): Promise<boolean>
}

/** The session objects' namespace, as a hub sees it. */
export type UpdatableSessions = DurableObjectNamespace<UpdatableSession & Rpc.DurableObjectBranded>

/** How many sessions are told at once: enough to hide round trips, bounded for huge lists. */
export const FAN_OUT_CONCURRENCY = 128

/** Gone sessions are dropped once the fan-out is idle, or as soon as this many are waiting. */
const FORGET_BATCH = 100

/** What the fan-out needs of its hub. */
export interface FanOutHost {
  /** The session objects' namespace. */
  readonly sessions: UpdatableSessions
  /** Keeps the object alive until `work` settles. */
  waitUntil(work: Promise<unknown>): void
  /** Drops the subscriptions of `sessionIds`, in one transaction. */
  forget(sessionIds: readonly string[]): void
}

/** Tells subscribed sessions that one resource changed. */
export class HubFanOut {
  /** Sessions to tell (each once, however many changes came since it was queued). */
  readonly #queued = new Set<string>()
  /** Sessions being told right now. */
  readonly #telling = new Set<string>()
  /** Sessions that answered that they no longer listen, still to drop. */
  readonly #gone = new Set<string>()
  #workers = 0

  constructor(
    readonly uri: string,
    readonly host: FanOutHost,
    readonly concurrency = FAN_OUT_CONCURRENCY,
  ) {}

  /** Queues `sessionIds` to be told, and starts telling them. */
  tell(sessionIds: Iterable<string>): void {
    for (const sessionId of sessionIds) {
      this.#queued.add(sessionId)
      // A new change outdates "gone": the session may have subscribed again since.
      this.#gone.delete(sessionId)
    }
    while (this.#workers < this.concurrency && this.#next() !== undefined) {
      this.#workers++
      this.host.waitUntil(this.#work())
    }
  }

  /** A session subscribed (again): it is not to be dropped. */
  renewed(sessionId: string): void {
    this.#gone.delete(sessionId)
  }

  /** The first queued session not being told already. */
  #next(): string | undefined {
    for (const sessionId of this.#queued) if (!this.#telling.has(sessionId)) return sessionId
    return undefined
  }

  async #work(): Promise<void> {
    try {
      for (let sessionId = this.#next(); sessionId !== undefined; sessionId = this.#next()) {
        this.#queued.delete(sessionId)
        this.#telling.add(sessionId)
        const listening = await this.#tellOne(sessionId)
        this.#telling.delete(sessionId)
        if (!listening && !this.#queued.has(sessionId)) this.#gone.add(sessionId)
        if (this.#gone.size >= FORGET_BATCH) this.#forget()
      }
    } finally {
      this.#workers--
      if (this.#workers === 0) this.#forget()
    }
  }

  #forget(): void {
    if (this.#gone.size === 0) return
    this.host.forget([...this.#gone])
    this.#gone.clear()
  }

  /**
   * Tells one session; false if it is gone (it said so, or its id is not one). A call that
   * fails (the object restarting, say) is tried once more, and the session kept either way.
   */
  async #tellOne(sessionId: string): Promise<boolean> {
    let session: DurableObjectStub<UpdatableSession & Rpc.DurableObjectBranded>
    try {
      session = this.host.sessions.get(this.host.sessions.idFromString(sessionId))
    } catch {
      return false
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await session.resourceUpdated(this.uri)
      } catch {
        if (attempt > 0) return true
      }
    }
  }
}
