/**
 * @module
 * The half of a live session that needs no MCP server: the plugins' hooks, the transport, and
 * the session's unrelated stream (standalone or legacy) with the bridged connections that
 * stayed attached while the object slept. Cheap to build, so an object a hub wakes only to pass
 * on `notifications/resources/updated` sends it without building the server; the live session
 * built later takes this one over.
 */

import { HookRunner } from '../src/plugins/hook-runner'
import type { McpPlugin } from '../src/plugins/plugin'
import type { SessionConfig } from '../src/session-config'
import { LEGACY_STREAM, STANDALONE_STREAM } from '../src/transports/event-journal'
import { JournaledStream } from '../src/transports/journaled-stream'
import { ResponseLimit } from '../src/transports/response-limit'
import { SessionTransport } from '../src/transports/session-transport'
import type { EventLog } from './event-log'
import type { RequestLedger } from './request-ledger'
import { SessionHookRunner } from './session-hooks'
import type { SessionRecord } from './session-state'
import type { AdoptedConnection } from './stream-sockets'

/** What {@link SessionWiring} is built from. */
export interface WiringParts {
  readonly sessionId: string
  readonly env: unknown
  readonly plugins: readonly McpPlugin[]
  readonly record: SessionRecord
  readonly log: EventLog
  /** Numbers and records server→client requests (a session object always has one). */
  readonly requests?: RequestLedger
  readonly config: SessionConfig
  /** Bridged streams still connected from before the object slept. */
  readonly adopted?: readonly AdoptedConnection[]
}

/** A session's hooks, transport and unrelated streams. */
export class SessionWiring {
  readonly hooks: SessionHookRunner
  readonly transport: SessionTransport
  readonly standalone: JournaledStream
  readonly legacy: JournaledStream
  /** The largest message the session sends (`RESPONSE_MAX_BYTES`). */
  readonly limit: ResponseLimit

  constructor(parts: WiringParts) {
    const { sessionId, record, log, config } = parts
    const principal = { name: record.principal }
    this.hooks = new SessionHookRunner(
      new HookRunner(parts.plugins),
      sessionId,
      record.kind,
      parts.env,
    )
    const hooks = this.hooks
    this.limit = new ResponseLimit(config.maxResponseBytes)
    this.transport = new SessionTransport(sessionId, {
      requests: parts.requests,
      onSend: hooks.active
        ? (message, related) => hooks.outgoing(message, principal, related)
        : undefined,
      limit: this.limit,
    })
    this.standalone = new JournaledStream(STANDALONE_STREAM, log, { limit: this.limit })
    // 2024-11-05 defines no resumption, so what a connected client is sent is group-committed
    // (config.legacyLogDelayMs) rather than logged one commit per event.
    this.legacy = new JournaledStream(LEGACY_STREAM, log, {
      logWithinMs: config.legacyLogDelayMs,
      limit: this.limit,
    })
    // Every message that relates to no request goes to the session's one unrelated stream, and
    // waits in the log when no client is connected to it.
    this.transport.setStandalone(record.kind === 'sse' ? this.legacy : this.standalone)
    // Bridged streams whose clients stayed connected while the object slept go on as they were.
    for (const { stream, connection } of parts.adopted ?? []) {
      if (stream === STANDALONE_STREAM) this.standalone.attach(connection)
      else if (stream === LEGACY_STREAM) this.legacy.attach(connection)
    }
  }
}
