/**
 * @module
 * Builds a session's live half from its durable one and its wiring (hooks, transport, streams):
 * the context the app's tools get, and the app's `McpServer`.
 */
import type { McpServerDefinition, SessionContext } from '../src/define-mcp-server'
import { buildLegacyServer, legacyServedAs } from '../src/legacy-server'
import type { SessionConfig } from '../src/session-config'
import { sharedResource } from '../src/shared-resource'
import type { SessionFacts } from '../src/tool-context'
import type { EventLog } from './event-log'
import type { LiveSession } from './live-session'
import { installSubscriptions, type SessionHubs } from './resource-hubs'
import type { SessionState } from './session-state'
import type { SessionWiring } from './session-wiring'
import { startLiveSession } from './start-live-session'

/** What {@link buildLiveSession} works from. */
export interface LiveSessionParts<Env> {
  readonly sessionId: string
  readonly env: Env
  readonly definition: McpServerDefinition<Env>
  readonly state: SessionState
  readonly log: EventLog
  readonly config: SessionConfig
  /** Restore what the server keeps in memory (every build but the session's first). */
  readonly restore: boolean
  /** The session's hooks, transport and unrelated streams (built first, or just now). */
  readonly wiring: SessionWiring
  /** The session's place in the hubs of what it subscribes to. */
  readonly hubs: SessionHubs
}

/** Builds and starts the live session of the session whose record `parts.state` holds. */
export function buildLiveSession<Env>(parts: LiveSessionParts<Env>): Promise<LiveSession> {
  const { sessionId, state, config } = parts
  const record = state.record!
  const principal = {
    name: record.principal,
    ...(record.quotaKey !== undefined && { quotaKey: record.quotaKey }),
  }
  let live: LiveSession | undefined
  const facts: SessionFacts = {
    logLevel: () => state.record?.logLevel,
    initialized: () => state.record?.initialized ?? false,
    clientCapabilities: () => state.record?.clientCapabilities,
    protocolVersion: () => state.record?.protocolVersion,
    requestTimeoutMs: config.requestTimeoutMs,
    closeStream: (id) => live?.closeStream(id) ?? false,
  }
  const context: SessionContext<Env> = {
    sessionId,
    principal,
    env: parts.env,
    storage: state.appStorage(),
    shared: (uri) => sharedResource(parts.env, uri),
  }
  const server = buildLegacyServer(parts.definition, context, facts)
  if (parts.definition.capabilities?.resources?.subscribe) {
    installSubscriptions(server, parts.hubs, {
      serves: (uri) => legacyServedAs(parts.definition, uri) !== undefined,
      maxSubscriptions: config.maxSubscriptions,
    })
  }
  return startLiveSession(server, parts.wiring, parts.log, config, record, parts.restore).then(
    (started) => {
      live = started
      return started
    },
  )
}
