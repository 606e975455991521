/**
 * @module
 * Reaching the ResourceHub of a URI from a session, and the subscribe/unsubscribe handlers the
 * framework installs when a server declares `resources.subscribe`.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import type { SharedResource } from '../src/define-mcp-server'
import type { FrameworkBindings } from '../src/types'
import type { ResourceHub } from './resource-hub'
import type { SessionState } from './session-state'

/** The hub object of `uri`. */
export function hubFor(env: unknown, uri: string): DurableObjectStub<ResourceHub> {
  const namespace = (env as FrameworkBindings).RESOURCE_HUB as
    | DurableObjectNamespace<ResourceHub>
    | undefined
  if (namespace === undefined) {
    throw new Error(
      'Shared and subscribable resources need a RESOURCE_HUB Durable Object binding (class ResourceHub) in wrangler.toml',
    )
  }
  return namespace.getByName(uri)
}

/** A shared resource, as tools see it. */
export function sharedResource<T>(env: unknown, uri: string): SharedResource<T> {
  return {
    uri,
    read: async () => (await hubFor(env, uri).read()) as T | undefined,
    write: async (value) => {
      await hubFor(env, uri).write(uri, value)
    },
  }
}

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
  server.server.setRequestHandler(SubscribeRequestSchema, async ({ params }) => {
    state.subscribe(params.uri)
    await hubFor(env, params.uri).subscribe(params.uri, sessionId)
    return {}
  })
  server.server.setRequestHandler(UnsubscribeRequestSchema, async ({ params }) => {
    state.unsubscribe(params.uri)
    await hubFor(env, params.uri).unsubscribe(sessionId)
    return {}
  })
}
