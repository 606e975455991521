/**
 * @module
 * The subscribe/unsubscribe handlers the framework installs in a session's server when the
 * definition declares `resources.subscribe`.
 */
import { type McpServer, ProtocolError, ResourceNotFoundError } from '@modelcontextprotocol/server'
import { RPC_ERROR, SUBSCRIPTION_LIMIT_REACHED } from '../src/protocol/json-rpc-error'
import { hubFor } from '../src/shared-resource'
import type { SessionState } from './session-state'

/** What a session's subscriptions are held to. */
export interface SubscriptionTerms {
  /** Whether the definition serves `uri` (a resource's URI, or one a template matches). */
  readonly serves: (uri: string) => boolean
  /** The most resources the session may be subscribed to at once. */
  readonly maxSubscriptions: number
}

/**
 * Answers `resources/subscribe` and `resources/unsubscribe`: the session records the URI (so it
 * survives eviction) and so does the URI's hub (so a change anywhere reaches this session). A
 * URI the definition does not serve is refused, as is one subscription past the cap; an
 * unsubscribe from a URI the session does not hold wakes no hub.
 */
export function installSubscriptions(
  server: McpServer,
  env: unknown,
  state: SessionState,
  sessionId: string,
  terms: SubscriptionTerms,
): void {
  // The SDK checks the params against the method's schema before a handler runs.
  server.server.setRequestHandler('resources/subscribe', async ({ params }) => {
    const { uri } = params
    // The SDK answers an unknown resource with -32602 on every revision (resources/read does too).
    if (!terms.serves(uri)) throw new ResourceNotFoundError(uri)
    if (!state.subscribed(uri) && state.subscriptions().length >= terms.maxSubscriptions) {
      throw new ProtocolError(RPC_ERROR.internalError, SUBSCRIPTION_LIMIT_REACHED)
    }
    state.subscribe(uri)
    await hubFor(env, uri).subscribe(uri, sessionId)
    return {}
  })
  server.server.setRequestHandler('resources/unsubscribe', async ({ params }) => {
    if (!state.subscribed(params.uri)) return {}
    state.unsubscribe(params.uri)
    await hubFor(env, params.uri).unsubscribe(sessionId)
    return {}
  })
}

/**
 * Takes an ending session off the hubs of the URIs it subscribed to. Best effort: a hub that
 * still lists it drops it on its next write, or when its alarm checks its subscribers.
 */
export async function leaveHubs(env: unknown, uris: readonly string[], sessionId: string) {
  await Promise.allSettled(uris.map((uri) => hubFor(env, uri).unsubscribe(sessionId)))
}
