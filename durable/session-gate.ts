/**
 * @module
 * Who may use a session, and for how long it lives: the checks every call passes before the
 * object serves it (DESIGN §2), the creation of its record, and the idle clock.
 */
import type { InitializeRequest } from '@modelcontextprotocol/server'
import type { SessionConfig } from '../src/session-config'
import type { SessionAlarm } from './session-alarm'
import type { SessionCall } from './session-calls'
import { differentTransport, sessionNotFound } from './session-errors'
import type { SessionRecord, SessionState } from './session-state'

/** The gate of one session object. */
export class SessionGate {
  readonly #state: SessionState
  readonly #alarm: SessionAlarm
  readonly #config: SessionConfig

  constructor(state: SessionState, alarm: SessionAlarm, config: SessionConfig) {
    this.#state = state
    this.#alarm = alarm
    this.#config = config
  }

  /** Rejects a call for a session that doesn't exist, belongs to someone else, or is of another kind. */
  check(call: SessionCall): Response | undefined {
    const record = this.#state.record
    // A session owned by another principal is answered exactly like an unknown one, so ids
    // can't be probed.
    if (record === undefined || record.principal !== call.principal.name) return sessionNotFound()
    if (record.kind !== call.kind) return differentTransport()
    return undefined
  }

  /** Creates the session's record, for the caller, and sets its first expiry. */
  open(call: SessionCall, initializeParams?: InitializeRequest['params']): void {
    const now = Date.now()
    this.#state.open(call.kind, call.principal, now, initializeParams)
    void this.#alarm.set(this.#alarm.next(now, now + this.#config.unusedTtlMs, false))
  }

  /** How long `record`'s session may stay idle. */
  ttl(record: SessionRecord): number {
    return record.unused ? this.#config.unusedTtlMs : this.#config.ttlMs
  }

  /** The session was used now (its `lastSeenAt` is written at most every quarter TTL). */
  touch(): void {
    const record = this.#state.record
    if (record !== undefined) this.#state.touch(Date.now(), this.ttl(record) / 4)
  }
}
