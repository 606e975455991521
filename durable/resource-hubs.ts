/**
 * @module
 * The subscribe/unsubscribe handlers the framework installs in a session's server when the
 * definition declares `resources.subscribe`.
 */
import type { McpServer } from '@modelcontextprotocol/server'
import { hubFor } from '../src/shared-resource'
import type { SessionState } from './session-state'

/**
 * Answers `resources/subscribe` and `resources/unsubscribe`: the session records the URI (so it
 * survives eviction) and so does the URI's hub (so a change anywhere reaches this session).
 */
export function installSubscriptions(
  server: McpServer,
  env: unknown,
  state: SessionState,
  sessionId: string,
): void {
  // The SDK checks the params against the method's schema before a handler runs.
  server.server.setRequestHandler('resources/subscribe', async ({ params }) => {
    state.subscribe(params.uri)
    await hubFor(env, params.uri).subscribe(params.uri, sessionId)
    return {}
  })
  server.server.setRequestHandler('resources/unsubscribe', async ({ params }) => {
    state.unsubscribe(params.uri)
    await hubFor(env, params.uri).unsubscribe(sessionId)
    return {}
  })
}

/**
 * Takes an ending session off the hubs of the URIs it subscribed to. Best effort: a hub that
 * still lists it drops it on its next write anyway.
 */
export async function leaveHubs(env: unknown, uris: readonly string[], sessionId: string) {
  await Promise.allSettled(uris.map((uri) => hubFor(env, uri).unsubscribe(sessionId)))
}
