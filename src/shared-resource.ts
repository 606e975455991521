/**
 * @module
 * Reaching a shared resource: each URI's value lives in its own `ResourceHub` object, which
 * sessions and modern requests alike reach through the `RESOURCE_HUB` binding.
 */
import type { ResourceHub } from '../durable/resource-hub'
import type { SharedResource } from './define-mcp-server'
import type { FrameworkBindings } from './types'

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

/** A shared resource, as handlers see it. */
export function sharedResource<T>(env: unknown, uri: string): SharedResource<T> {
  return {
    uri,
    read: async () => (await hubFor(env, uri).read()) as T | undefined,
    write: async (value) => {
      await hubFor(env, uri).write(uri, value)
    },
    update: async (...changes) => (await hubFor(env, uri).update(uri, changes)) as T | undefined,
  }
}
