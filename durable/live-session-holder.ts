/**
 * @module
 * Holds a session's live half (`LiveSession`: its MCP server, transport and streams): built on
 * first use, and let go once it has been idle for `SESSION_IDLE_RELEASE_MS`, so an object that
 * stays in memory between requests keeps only its storage-backed state. The next request
 * rebuilds it from storage, exactly as after an eviction.
 */
import type { LiveSession } from './live-session'

/** The live session of one object. */
export class LiveSessionHolder {
  readonly #ctx: DurableObjectState
  readonly #build: (restore: boolean) => Promise<LiveSession>
  readonly #idleMs: number
  #live: Promise<LiveSession> | undefined
  /** The built session, once the build finished. */
  #current: LiveSession | undefined
  #lastUse = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  /**
   * @param build Builds the live session; `restore` replays what the server keeps in memory.
   * @param idleMs Idle time after which it is let go; 0 keeps it for the object's lifetime.
   */
  constructor(
    ctx: DurableObjectState,
    build: (restore: boolean) => Promise<LiveSession>,
    idleMs: number,
  ) {
    this.#ctx = ctx
    this.#build = build
    this.#idleMs = idleMs
  }

  /**
   * The live session, built if needed. Concurrent callers share the same build, and nothing else
   * runs in the object while it happens.
   */
  get(restore = true): Promise<LiveSession> {
    this.#lastUse = Date.now()
    if (this.#idleMs > 0) this.#timer ??= setTimeout(() => this.#check(), this.#idleMs)
    this.#live ??= this.#ctx.blockConcurrencyWhile(async () => {
      this.#current = await this.#build(restore)
      return this.#current
    })
    return this.#live
  }

  /** The live session if there is one (built or being built); never builds one. */
  get existing(): Promise<LiveSession> | undefined {
    return this.#live
  }

  /** Forgets the live session and returns it, for the caller to close. */
  take(): Promise<LiveSession> | undefined {
    const live = this.#live
    this.#live = undefined
    this.#current = undefined
    clearTimeout(this.#timer)
    this.#timer = undefined
    return live
  }

  /** Lets the session go when nothing used it for `idleMs` and it holds nothing open. */
  #check(): void {
    this.#timer = undefined
    const live = this.#current
    if (live === undefined || this.#live === undefined) return
    const wait = this.#lastUse + this.#idleMs - Date.now()
    if (wait > 0 || !live.idle) {
      this.#timer = setTimeout(() => this.#check(), wait > 0 ? wait : this.#idleMs)
      return
    }
    this.take()
    void live.release()
  }
}
