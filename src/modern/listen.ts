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
 *
 * The SDK acknowledges the filter it is handed, so it is handed what will be delivered: the
 * served resources within the per-request caps (fixed URIs, and far fewer templated ones, each
 * of which is a hub of its own), of those the ones whose watch opened, and list changes when
 * their hub's watch did. What the streams hold in all is kept in bounds by `listen-table.ts`.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import {
  type InMemoryServerEventBus,
  isJSONRPCResponse,
  isSpecType,
  type McpHttpHandler,
  type ServerCapabilities,
  type ServerEvent,
} from '@modelcontextprotocol/server'
import type { ServedAs } from '../server-entries'
import { type ListenLimits, readSessionConfig } from '../session-config'
import { hubFor, LISTS_HUB } from '../shared-resource'
import { type HubWatch, watchHub } from './hub-watch'

/** A listen request's filter, as far as watching goes. */
interface ListenFilter {
  readonly toolsListChanged?: unknown
  readonly promptsListChanged?: unknown
  readonly resourcesListChanged?: unknown
  readonly resourceSubscriptions?: unknown
}

/** What one listen request will be given, before its watches open. */
export interface ListenPlan {
  /** The resources to watch, in the order asked: served ones, within the per-request caps. */
  readonly resources: readonly string[]
  /** Whether it asked for list changes the server announces. */
  readonly lists: boolean
}

/** What planning a listen needs to know of the app and the isolate. */
export interface ListenTerms {
  /** What the modern leg advertises (a listen is given no more). */
  readonly capabilities: ServerCapabilities
  /** How the app serves a URI, if it does. */
  readonly servedAs: (uri: string) => ServedAs | undefined
  readonly limits: ListenLimits
  /** Whether the hubs are bound (without them nothing can be heard). */
  readonly hubs: boolean
}

/** Whether `body` is a `subscriptions/listen` request. */
export function isListen(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    Reflect.get(body, 'method') === 'subscriptions/listen'
  )
}

/** The filter of a listen request, when it is a valid one. */
function filterOf(body: unknown): ListenFilter | undefined {
  const params: unknown = Reflect.get(Object(body), 'params')
  const filter: unknown = Reflect.get(Object(params), 'notifications')
  return isSpecType.SubscriptionFilter(filter) ? (filter as ListenFilter) : undefined
}

/**
 * What a listen request will be given: the resources it names that the app serves (at most
 * `maxResources` fixed URIs and `maxTemplated` templated ones, first come), when the server
 * advertises `resources.subscribe`, and list changes it asked for and the server advertises.
 * Undefined for a filter that is not valid (the SDK refuses it).
 */
export function planListen(body: unknown, terms: ListenTerms): ListenPlan | undefined {
  const filter = filterOf(body)
  if (filter === undefined) return undefined
  const { capabilities: caps, limits } = terms
  const lists =
    terms.hubs &&
    ((filter.toolsListChanged === true && caps.tools?.listChanged === true) ||
      (filter.promptsListChanged === true && caps.prompts?.listChanged === true) ||
      (filter.resourcesListChanged === true && caps.resources?.listChanged === true))
  const asked = Array.isArray(filter.resourceSubscriptions) ? filter.resourceSubscriptions : []
  if (!terms.hubs || caps.resources?.subscribe !== true) return { resources: [], lists }
  const left = { fixed: limits.maxResources, templated: limits.maxTemplated }
  const resources: string[] = []
  for (const uri of new Set(asked)) {
    if (typeof uri !== 'string') continue
    const kind = terms.servedAs(uri)
    if (kind === undefined || left[kind] === 0) continue
    left[kind]--
    resources.push(uri)
  }
  return { resources, lists }
}

/** The hubs a plan watches: its resources', and the lists' when it wants list changes. */
export function hubsOf(plan: ListenPlan | undefined): string[] {
  if (plan === undefined) return []
  return plan.lists ? [...plan.resources, LISTS_HUB] : [...plan.resources]
}

/**
 * `body` with its filter cut to what will be delivered: `resources` (the watched ones) and the
 * list changes when `lists`; so the SDK's acknowledgement, and its filtering, say exactly that.
 */
function honouredBody(body: unknown, resources: readonly string[], lists: boolean): unknown {
  const params = Reflect.get(Object(body), 'params') as Record<string, unknown>
  const filter = params.notifications as ListenFilter
  const {
    toolsListChanged: _tools,
    promptsListChanged: _prompts,
    resourcesListChanged: _resources,
    ...rest
  } = filter
  const notifications = {
    ...(lists ? filter : rest),
    ...(filter.resourceSubscriptions !== undefined && { resourceSubscriptions: [...resources] }),
  }
  return { ...(body as object), params: { ...params, notifications } }
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

/**
 * `response`, with `done` run once its body has been read to the end (with its last chunk) or
 * cancelled (with nothing).
 */
function whenDone(response: Response, done: (last: Uint8Array | undefined) => void): Response {
  if (response.body === null) {
    done(undefined)
    return response
  }
  const reader = response.body.getReader()
  let last: Uint8Array | undefined
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done: finished } = await reader
        .read()
        .catch(() => ({ value: undefined, done: true }))
      if (finished) {
        done(last)
        controller.close()
      } else if (value !== undefined) {
        last = value
        controller.enqueue(value)
      }
    },
    async cancel(reason) {
      done(undefined)
      await reader.cancel(reason).catch(() => undefined)
    },
  })
  return new Response(body, response)
}

/**
 * The closing result of listen `id`, when `chunk` is it: the SDK writes each event in one chunk,
 * and its closing result last, when the server ends the stream (not when the client does).
 */
function closingResult(chunk: Uint8Array | undefined, id: unknown): JSONRPCMessage | undefined {
  if (chunk === undefined) return undefined
  const data = /^data: (.*)$/m.exec(new TextDecoder().decode(chunk))?.[1]
  if (data === undefined) return undefined
  try {
    const message: unknown = JSON.parse(data)
    return isJSONRPCResponse(message) && message.id === id ? (message as JSONRPCMessage) : undefined
  } catch {
    return undefined
  }
}

/** What serves one listen: its own bus and handler, and who hears how its stream ended. */
export interface Listener {
  readonly bus: InMemoryServerEventBus
  readonly handler: McpHttpHandler
  /**
   * Runs once when the stream ends: with the closing result the server sent, or with nothing
   * when the client closed it (on HTTP, how a client cancels).
   */
  readonly ended?: (closing: JSONRPCMessage | undefined) => void
}

/**
 * Serves one listen request: watches the hubs `plan` needs, waits until each has the watch (so
 * no change after the acknowledgement is missed), lets a handler of its own (on `bus`) answer
 * it with the filter cut to the watches that opened (`answer` gets the body to serve), and
 * closes the watches, and runs `release`, with the stream: when its body ends, or as soon as
 * `signal` (the request's) says the client went away. A watch that breaks for good (its hub
 * could not be reached again) ends the stream with the closing result, so the client listens
 * again.
 */
export async function serveListen(
  env: unknown,
  body: unknown,
  plan: ListenPlan | undefined,
  listener: Listener,
  answer: (body: unknown) => Promise<Response>,
  release: () => void,
  signal?: AbortSignal,
): Promise<Response> {
  const hubs = hubsOf(plan)
  const watches = hubs.map((hub) => watch(env, hub, listener.bus))
  let over = false
  let answered = false
  const close = () => {
    if (over) return
    over = true
    for (const open of watches) open.close()
    // A client gone before the answer: the handler closes once it has answered (it refuses
    // to serve once closed).
    if (answered) void listener.handler.close()
    release()
  }
  // A held body hears of a client gone only when a write to it fails (the next keepalive);
  // the request's signal (the `enable_request_signal` flag) says so at once.
  if (signal?.aborted) close()
  else signal?.addEventListener('abort', close, { once: true })
  let response: Response
  try {
    const ready = await Promise.all(watches.map((open) => open.ready))
    const opened = new Set(hubs.filter((_hub, i) => ready[i]))
    const delivered = (hub: string) => opened.has(hub)
    for (const open of watches) void open.ended.then((broke) => broke && close())
    response = await answer(
      plan === undefined
        ? body
        : honouredBody(body, plan.resources.filter(delivered), plan.lists && delivered(LISTS_HUB)),
    )
  } catch (error) {
    close()
    void listener.handler.close()
    throw error
  }
  answered = true
  if (over) void listener.handler.close()
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    close()
    return response
  }
  const id = Reflect.get(Object(body), 'id')
  return whenDone(response, (last) => {
    close()
    listener.ended?.(closingResult(last, id))
  })
}
