/**
 * @module
 * `subscriptions/listen` (2026-07-28) across isolates. SDK v2 serves the stream itself
 * (acknowledgement, filtering, subscription ids, keep-alives, the closing result), but its event
 * bus is in-process, and a change can come from any isolate: a `score` by a session in another
 * one, say. So each listen request gets a bus of its own, fed by WebSocket watches of the
 * `ResourceHub` of each resource it subscribes to (and of the list-changes hub when it asks
 * for list changes); they are open before the SDK acknowledges, and closed with the stream.
 * (Everything a listen request opens belongs to it: a Worker may not share I/O across requests.)
 * A watch whose socket broke and was reopened publishes the events it may have missed.
 */
import type {
  InMemoryServerEventBus,
  McpHttpHandler,
  ServerEvent,
} from '@modelcontextprotocol/server'
import { readSessionConfig } from '../session-config'
import { hubFor, LISTS_HUB } from '../shared-resource'
import { type HubWatch, watchHub } from './hub-watch'

/** The most resources one listen stream may watch. */
const MAX_WATCHED_RESOURCES = 100

/** A listen request's filter, as far as watching goes. */
interface ListenParams {
  readonly notifications?: {
    readonly toolsListChanged?: unknown
    readonly promptsListChanged?: unknown
    readonly resourcesListChanged?: unknown
    readonly resourceSubscriptions?: unknown
  }
}

/** Whether `body` is a `subscriptions/listen` request. */
export function isListen(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    Reflect.get(body, 'method') === 'subscriptions/listen'
  )
}

/** The hubs a listen request needs watched: its resources' (only ones served), and the lists'. */
export function watchedHubs(body: unknown, served: (uri: string) => boolean): string[] {
  const filter = (Reflect.get(Object(body), 'params') as ListenParams | undefined)?.notifications
  const uris = Array.isArray(filter?.resourceSubscriptions) ? filter.resourceSubscriptions : []
  const hubs = [...new Set(uris)]
    .filter((uri): uri is string => typeof uri === 'string' && served(uri))
    .slice(0, MAX_WATCHED_RESOURCES)
  const lists =
    filter?.toolsListChanged === true ||
    filter?.promptsListChanged === true ||
    filter?.resourcesListChanged === true
  return lists ? [...hubs, LISTS_HUB] : hubs
}

/** The bus event a hub's line stands for. */
function eventOf(hub: string, line: string): ServerEvent | undefined {
  if (hub !== LISTS_HUB)
    return line === 'updated' ? { kind: 'resource_updated', uri: hub } : undefined
  if (line === 'tools') return { kind: 'tools_list_changed' }
  if (line === 'prompts') return { kind: 'prompts_list_changed' }
  if (line === 'resources') return { kind: 'resources_list_changed' }
  return undefined
}

/** The events a hub may have had while a watch of it was down (told again, to be safe). */
function missedBy(hub: string): ServerEvent[] {
  if (hub !== LISTS_HUB) return [{ kind: 'resource_updated', uri: hub }]
  return [
    { kind: 'tools_list_changed' },
    { kind: 'prompts_list_changed' },
    { kind: 'resources_list_changed' },
  ]
}

/** Watches `hub`, publishing its events on `bus`. */
function watch(env: unknown, hub: string, bus: InMemoryServerEventBus): HubWatch {
  return watchHub(
    hubFor(env, hub),
    {
      onMessage(line) {
        const event = eventOf(hub, line)
        if (event !== undefined) bus.publish(event)
      },
      onReconnected() {
        for (const event of missedBy(hub)) bus.publish(event)
      },
    },
    { pingMs: readSessionConfig(env).keepaliveMs },
  )
}

/** `response`, with `done` run once its body has been read to the end or cancelled. */
function whenDone(response: Response, done: () => void): Response {
  if (response.body === null) {
    done()
    return response
  }
  const reader = response.body.getReader()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done: finished } = await reader
        .read()
        .catch(() => ({ value: undefined, done: true }))
      if (finished) {
        done()
        controller.close()
      } else if (value !== undefined) controller.enqueue(value)
    },
    async cancel(reason) {
      done()
      await reader.cancel(reason).catch(() => undefined)
    },
  })
  return new Response(body, response)
}

/**
 * Serves one listen request: watches the hubs it needs, waits until each has the watch (so no
 * change after the acknowledgement is missed), lets a handler of its own (on `bus`) answer it,
 * and closes the watches with the stream. A watch that breaks for good (its hub could not be
 * reached again) ends the stream with the closing result, so the client listens again.
 */
export async function serveListen(
  env: unknown,
  hubs: readonly string[],
  bus: InMemoryServerEventBus,
  handler: McpHttpHandler,
  answer: () => Promise<Response>,
): Promise<Response> {
  const watches = hubs.map((hub) => watch(env, hub, bus))
  await Promise.all(watches.map((open) => open.ready))
  let over = false
  const close = () => {
    if (over) return
    over = true
    for (const open of watches) open.close()
    void handler.close()
  }
  for (const open of watches) void open.ended.then((broke) => broke && close())
  const response = await answer()
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    close()
    return response
  }
  return whenDone(response, close)
}
