/**
 * @module
 * Reaching a shared resource: each URI's value lives in its own `ResourceHub` object, which
 * sessions and modern requests alike reach through the `RESOURCE_HUB` binding.
 */
import type { ResourceHub } from '../durable/hub/resource-hub'
import type { SharedResource } from './define-mcp-server'
import type { FrameworkBindings } from './types'

/**
 * The hub that carries list changes (`tools`, `prompts`, `resources`) to every 2026-07-28
 * listen stream: a reserved name, not a resource of the app's.
 */
export const LISTS_HUB = 'mcp-workers:lists'

/** The list kinds a server can announce a change of. */
export type ListKind = 'tools' | 'prompts' | 'resources'

/** Tells every listen stream that asked for it, in every isolate, that `kind`'s list changed. */
export async function announceListChanged(env: unknown, kind: ListKind): Promise<void> {
  await hubFor(env, LISTS_HUB).announce(kind)
}

/** Whether `env` binds the hubs (shared resources, subscriptions and list changes need it). */
export function hasHubs(env: unknown): boolean {
  return (env as FrameworkBindings).RESOURCE_HUB !== undefined
}

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
