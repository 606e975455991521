/**
 * @module
 * Builds a session's live half from its durable one: the plugins' hooks, the transport (with the
 * server→client request ledger), the context the app's tools get, and the app's `McpServer`.
 */
import type { McpServerDefinition, SessionContext } from '../src/define-mcp-server'
import { buildLegacyServer } from '../src/legacy-server'
import type { McpPlugin } from '../src/plugins/plugin'
import type { SessionConfig } from '../src/session-config'
import { sharedResource } from '../src/shared-resource'
import type { SessionFacts } from '../src/tool-context'
import { SessionTransport } from '../src/transports/session-transport'
import type { EventLog } from './event-log'
import type { LiveSession } from './live-session'
import type { RequestLedger } from './request-ledger'
import { installSubscriptions } from './resource-hubs'
import { SessionHookRunner } from './session-hooks'
import type { SessionState } from './session-state'
import { startLiveSession } from './start-live-session'
import type { AdoptedConnection } from './stream-sockets'

/** What {@link buildLiveSession} works from. */
export interface LiveSessionParts<Env> {
  readonly sessionId: string
  readonly env: Env
  readonly definition: McpServerDefinition<Env>
  readonly plugins: readonly McpPlugin[]
  readonly state: SessionState
  readonly log: EventLog
  readonly requests: RequestLedger
  readonly config: SessionConfig
  /** Restore what the server keeps in memory (every build but the session's first). */
  readonly restore: boolean
  /** Bridged streams still connected from before the object slept. */
  readonly adopted: readonly AdoptedConnection[]
}

/** Builds and starts the live session of the session whose record `parts.state` holds. */
export function buildLiveSession<Env>(parts: LiveSessionParts<Env>): Promise<LiveSession> {
  const { sessionId, state, config } = parts
  const record = state.record!
  const principal = { name: record.principal }
  const hooks = new SessionHookRunner(
    parts.plugins.flatMap((plugin) => (plugin.hooks ? [plugin.hooks] : [])),
    sessionId,
    record.kind,
    parts.env,
  )
  const transport = new SessionTransport(sessionId, {
    requests: parts.requests,
    onSend: hooks.active
      ? (message, related) => hooks.outgoing(message, principal, related)
      : undefined,
  })
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
    installSubscriptions(server, parts.env, state, sessionId)
  }
  return startLiveSession(
    server,
    transport,
    hooks,
    parts.log,
    config,
    record,
    parts.restore,
    parts.adopted,
  ).then((started) => {
    live = started
    return started
  })
}
