/**
 * @module
 * Builds a session's live half from its durable one and its wiring (hooks, transport, streams):
 * the app's SDK v2 `McpServer` (`src/build-server.ts`), whose handlers get the session's piece
 * of their context (`session-context.ts`) and run as they are (a request for input is a real
 * server→client request on the call's stream).
 */
import { buildServer, resourceServedAs } from '../src/build-server'
import type { McpServerDefinition, SessionContext } from '../src/define-mcp-server'
import { serverEntries } from '../src/server-entries'
import type { SessionConfig } from '../src/session-config'
import { sharedResource } from '../src/shared-resource'
import type { EventLog } from './event-log'
import type { LiveSession } from './live-session'
import { installSubscriptions, type SessionHubs } from './resource-hubs'
import { type SessionFacts, sessionContext } from './session-context'
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
  const { definition } = parts
  const server = buildServer(definition, {
    options: {
      ...(definition.capabilities !== undefined && { capabilities: definition.capabilities }),
      ...(definition.instructions !== undefined && { instructions: definition.instructions }),
    },
    entries: serverEntries(definition),
    serve: (ctx, run) => run(sessionContext(context, facts, ctx)),
  })
  if (definition.capabilities?.resources?.subscribe) {
    installSubscriptions(server, parts.hubs, {
      serves: (uri) => resourceServedAs(definition, uri) !== undefined,
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
