/**
 * @module
 * `subscriptions/listen` (2026-07-28) across isolates. SDK v2 serves the stream itself
 * (acknowledgement, filtering, subscription ids, keep-alives, the closing result), but its event
 * bus is in-process, and a change can come from any isolate: a `score` by a session in another
 * one, say. So each listen request gets a bus of its own, fed by watch streams from the
 * `ResourceHub` of each resource it subscribes to (and from the list-changes hub when it asks
 * for list changes); they are open before the SDK acknowledges, and closed with the stream.
 * (Everything a listen request opens belongs to it: a Worker may not share I/O across requests.)
 */
import type {
  InMemoryServerEventBus,
  McpHttpHandler,
  ServerEvent,
} from '@modelcontextprotocol/server'
import { hubFor, LISTS_HUB } from '../shared-resource'

/** The most resources one listen stream may watch. */
export const MAX_WATCHED_RESOURCES = 100

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

/**
 * One open watch: `ready` once the hub has it (or it failed to open), `ended` when its stream
 * stops, with whether it broke (it was open, and nobody cancelled it).
 */
interface Watch {
  readonly ready: Promise<void>
  readonly ended: Promise<boolean>
  cancel(): void
}

/** Watches `hub`, publishing its events on `bus`. */
function watch(env: unknown, hub: string, bus: InMemoryServerEventBus): Watch {
  let cancelled = false
  let opened = false
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  let ready!: () => void
  const isReady = new Promise<void>((resolve) => {
    ready = () => {
      opened = true
      resolve()
    }
  })
  const ended = (async () => {
    try {
      const stream = await hubFor(env, hub).watch()
      reader = stream.getReader()
      if (cancelled) return false
      const decoder = new TextDecoder()
      let buffered = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return opened && !cancelled
        buffered += decoder.decode(value, { stream: true })
        let end = buffered.indexOf('\n')
        while (end !== -1) {
          const line = buffered.slice(0, end)
          buffered = buffered.slice(end + 1)
          if (line === 'ready') ready()
          const event = eventOf(hub, line)
          if (event !== undefined) bus.publish(event)
          end = buffered.indexOf('\n')
        }
      }
    } catch {
      // A hub that can't be reached (or that went away) ends the watch.
      return opened && !cancelled
    } finally {
      // A watch that never opened doesn't hold the acknowledgement back.
      if (!opened) ready()
    }
  })()
  return {
    ready: isReady,
    ended,
    cancel() {
      cancelled = true
      void reader?.cancel().catch(() => undefined)
    },
  }
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
 * and closes the watches with the stream. A watch that breaks ends the stream with the
 * closing result, so the client listens again.
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
    for (const open of watches) open.cancel()
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
