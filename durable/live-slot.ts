/**
 * @module
 * Where a session object keeps its in-memory half, built on first use after the object starts:
 * the wiring (hooks, transport, the unrelated stream with the sockets that stayed connected)
 * first and cheaply, the live session (the app's server) on top of it once a request needs one.
 * Either way the object's alarm is known first, so nothing logged can postpone an earlier one.
 */
import type { McpServerDefinition } from '../src/define-mcp-server'
import type { McpPlugin } from '../src/plugins/plugin'
import type { SessionConfig } from '../src/session-config'
import type { SessionTransport } from '../src/transports/session-transport'
import { buildLiveSession } from './build-live-session'
import type { EventLog } from './event-log'
import type { LiveSession } from './live-session'
import type { RequestLedger } from './request-ledger'
import type { SessionHubs } from './resource-hubs'
import type { SessionAlarm } from './session-alarm'
import type { SessionState } from './session-state'
import { SessionWiring } from './session-wiring'
import type { StreamSockets } from './stream-sockets'

/** What a {@link LiveSlot} builds from: the object's durable half and its sockets. */
export interface LiveSlotParts<Env> {
  readonly ctx: DurableObjectState
  readonly sessionId: string
  readonly env: Env
  readonly definition: () => McpServerDefinition<Env>
  readonly plugins: () => readonly McpPlugin[]
  readonly state: SessionState
  readonly log: EventLog
  readonly requests: RequestLedger
  readonly alarm: SessionAlarm
  readonly sockets: StreamSockets
  readonly config: SessionConfig
  readonly hubs: SessionHubs
}

/** One session object's in-memory half. */
export class LiveSlot<Env> {
  readonly #parts: LiveSlotParts<Env>
  #live: Promise<LiveSession> | undefined
  #wiring: SessionWiring | undefined
  #alarmLoaded: Promise<void> | undefined

  constructor(parts: LiveSlotParts<Env>) {
    this.#parts = parts
  }

  /** The live session, if one is built or being built. */
  get current(): Promise<LiveSession> | undefined {
    return this.#live
  }

  /**
   * The live session, built on first use. With `restore` (any request but the session's own
   * `initialize`), what the server keeps only in memory is restored from storage first.
   * Concurrent callers share the same build, and nothing else runs in the object meanwhile.
   */
  live(restore = true): Promise<LiveSession> {
    this.#live ??= this.#parts.ctx.blockConcurrencyWhile(async () => {
      await this.#loadAlarm()
      const { sessionId, env, state, log, config, hubs } = this.#parts
      return buildLiveSession({
        sessionId,
        env,
        definition: this.#parts.definition(),
        state,
        log,
        config,
        restore,
        wiring: this.#wire(),
        hubs,
      })
    })
    return this.#live
  }

  /**
   * Where a message that relates to no request goes out: the live session's transport, or, in
   * an object woken just to pass a notification on, the wiring's, without building the server.
   */
  async transport(): Promise<SessionTransport> {
    if (this.#live !== undefined) return (await this.#live).transport
    await this.#loadAlarm()
    return this.#wire().transport
  }

  /** Forgets everything (the session ended); returns the live session to close, if any. */
  drop(): Promise<LiveSession> | undefined {
    const live = this.#live
    this.#live = undefined
    this.#wiring = undefined
    this.#alarmLoaded = undefined
    return live
  }

  #loadAlarm(): Promise<void> {
    this.#alarmLoaded ??= this.#parts.alarm.load()
    return this.#alarmLoaded
  }

  #wire(): SessionWiring {
    const { sessionId, env, state, log, requests, config, sockets } = this.#parts
    this.#wiring ??= new SessionWiring({
      sessionId,
      env,
      plugins: this.#parts.plugins(),
      record: state.record!,
      log,
      requests,
      config,
      adopted: sockets.adopt(),
    })
    return this.#wiring
  }
}
