/**
 * @module
 * The stateless 2026-07-28 leg of `/mcp`: SDK v2's `createMcpHandler` in strict mode
 * (`legacy: 'reject'`), with a server built from the app's definition for each request and the
 * plugins' hooks around its message. It runs in the Worker and wakes no session object; the
 * SDK owns the wire (header and envelope validation, `server/discover`, the error ladder with
 * its HTTP statuses, `resultType` and caching fields).
 */

import {
  createMcpHandler,
  InMemoryServerEventBus,
  type JSONRPCMessage,
  type McpHttpHandler,
  type McpServer,
  type McpServerFactory,
  ProtocolError,
} from '@modelcontextprotocol/server'
import { resourceServedAs } from '../build-server'
import type { McpServerDefinition } from '../define-mcp-server'
import { HookRunner } from '../plugins/hook-runner'
import type { HookContext, McpPlugin } from '../plugins/plugin'
import { jsonRpcError } from '../protocol/json-rpc-error'
import { readSessionConfig } from '../session-config'
import { hasHubs } from '../shared-resource'
import { type Principal, quotaKeyOf, REQUEST_ID_HEADER_OUT } from '../types'
import { hubsOf, isListen, planListen, serveListen } from './listen'
import { ListenTable } from './listen-table'
import { buildModernServer, modernCapabilitiesOf } from './modern-server'
import type { ModernScope } from './modern-tool-context'
import { requestStateCodec, stateBinding } from './request-state'

/** One modern request, as the route hands it over after its checks. */
export interface ModernCall {
  /** The HTTP request (its body already read: `body` is its JSON). */
  readonly request: Request
  readonly body: unknown
  readonly env: unknown
  /** Who the Worker's auth plugins say is calling. */
  readonly principal: Principal
  readonly requestId: string
}

/** Serves one modern request. */
export type ModernLeg = (call: ModernCall) => Promise<Response>

/** A request being served: its scope, and whether the SDK got as far as building its server. */
interface Serving {
  readonly scope: ModernScope
  readonly hooks: HookContext
  /** The request's JSON. */
  readonly body: unknown
  built: boolean
}

/**
 * Reports what the SDK could not answer cleanly; its ladder's refusals, and a listen refused by
 * a full table, are answers, not faults.
 */
function reportUnexpected(error: Error): void {
  if (
    error instanceof ProtocolError ||
    /^(Rejected |subscriptions\/listen refused)/.test(error.message)
  )
    return
  console.error('2026-07-28 request failed:', error)
}

/** Sees every message `server` sends (the SDK has no send hook of its own). */
function observeSends(server: McpServer, seen: (message: JSONRPCMessage) => void): void {
  const connect = server.connect.bind(server)
  server.connect = (transport) => {
    const send = transport.send.bind(transport)
    transport.send = (message, options) => {
      seen(message as JSONRPCMessage)
      return send(message, options)
    }
    return connect(transport)
  }
}

/**
 * What a client that closed its listen stream did, as a message: on HTTP, closing the stream is
 * how a client cancels a request (there is no `notifications/cancelled` there).
 */
function listenCancelled(id: string | number | null): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    method: 'notifications/cancelled',
    params: { ...(id !== null && { requestId: id }), reason: 'The client closed the stream' },
  }
}

/** Whether `response` carries one JSON body (not a stream, nor nothing). */
function isJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('application/json')
}

/** The id a JSON-RPC error answering `body` must carry. */
function idOf(body: unknown): string | number | null {
  const id = typeof body === 'object' && body !== null ? Reflect.get(body, 'id') : undefined
  return typeof id === 'string' || typeof id === 'number' ? id : null
}

/**
 * Builds the modern leg of an app. The SDK handler is made on first use, with the keep-alive
 * interval of the Worker's vars (`SSE_KEEPALIVE_MS`).
 *
 * @example
 * ```ts
 * const serveModern = createModernLeg(server, plugins)
 * return serveModern({ request: c.req.raw, body, env: c.env, principal, requestId })
 * ```
 */
export function createModernLeg<Env>(
  definition: McpServerDefinition<Env>,
  plugins: readonly McpPlugin[],
): ModernLeg {
  const hooks = new HookRunner(plugins)
  const serving = new WeakMap<Request, Serving>()
  let handler: McpHttpHandler | undefined

  const factory: McpServerFactory = ({ requestInfo }) => {
    const current = requestInfo === undefined ? undefined : serving.get(requestInfo)
    if (current === undefined) throw new Error('A modern request reached the SDK unscoped')
    current.built = true
    const server = buildModernServer(definition, current.scope as ModernScope<Env>, current.body)
    if (hooks.active) observeSends(server, (message) => hooks.outgoing(message, current.hooks))
    return server
  }
  const optionsFor = (env: unknown) => ({
    legacy: 'reject' as const,
    keepAliveMs: readSessionConfig(env).keepaliveMs,
    onerror: reportUnexpected,
  })
  /** A handler on `bus` (a listen request's own), or the isolate's one for everything else. */
  const handlerFor = (env: unknown, bus?: InMemoryServerEventBus): McpHttpHandler => {
    if (bus === undefined && handler !== undefined) return handler
    if (bus !== undefined) return createMcpHandler(factory, { ...optionsFor(env), bus })
    handler = createMcpHandler(factory, optionsFor(env))
    return handler
  }
  /**
   * The handler that answers a listen the table refused: its own subscription table is always
   * full, so the SDK answers as it does past its table, after every check it makes first (a
   * malformed request gets the same answer whether the table is full or not).
   */
  let full: McpHttpHandler | undefined
  const listening = new ListenTable()
  /**
   * A listen request: refused when its stream and hub watches don't fit in the table (by the
   * SDK, as past its own), else served by its own bus and handler, fed by watches of the hubs
   * it needs.
   */
  const listen = async (call: ModernCall, context: HookContext) => {
    const { listen: limits } = readSessionConfig(call.env)
    const plan = planListen(call.body, {
      capabilities: modernCapabilitiesOf(definition),
      servedAs: (uri) => resourceServedAs(definition, uri),
      limits,
      hubs: hasHubs(call.env),
    })
    const release = listening.claim(quotaKeyOf(call.principal), hubsOf(plan).length, limits)
    if (release === undefined) {
      full ??= createMcpHandler(factory, { ...optionsFor(call.env), maxSubscriptions: 0 })
      return full.fetch(call.request, { parsedBody: call.body })
    }
    const bus = new InMemoryServerEventBus(reportUnexpected)
    const handler = handlerFor(call.env, bus)
    const ended = (closing: JSONRPCMessage | undefined) => {
      if (closing !== undefined) hooks.outgoing(closing, context)
      else hooks.incoming([listenCancelled(idOf(call.body))], context)
    }
    return serveListen(
      call.env,
      call.body,
      plan,
      { bus, handler, ...(hooks.active && { ended }) },
      (body) => handler.fetch(call.request, { parsedBody: body }),
      release,
      call.request.signal,
    )
  }

  return async function serveModern(call) {
    let codec: ReturnType<ModernScope['stateCodec']> | undefined
    const scope: ModernScope = {
      env: call.env,
      principal: call.principal,
      requestId: call.requestId,
      stateCodec: () =>
        (codec ??= requestStateCodec(call.env, stateBinding(call.principal.name, call.body))),
    }
    const context: HookContext = {
      era: 'modern',
      sessionId: undefined,
      transport: 'streamable-http',
      principal: call.principal,
      requestId: call.requestId,
      env: call.env,
    }
    // A batch is never modern (the SDK refuses it below): hooks see single messages only.
    const refusal =
      Array.isArray(call.body) || !hooks.active
        ? undefined
        : hooks.incoming([call.body as JSONRPCMessage], context)
    if (refusal) {
      return Response.json(jsonRpcError(refusal.code, refusal.message, idOf(call.body)), {
        status: refusal.status,
        headers: refusal.headers,
      })
    }
    const current: Serving = { scope, hooks: context, body: call.body, built: false }
    serving.set(call.request, current)
    const response = isListen(call.body)
      ? await listen(call, context)
      : await handlerFor(call.env).fetch(call.request, { parsedBody: call.body })
    // Stamped here, on the SDK's own (mutable) headers: a header added by Hono later would
    // copy the whole response.
    response.headers.set(REQUEST_ID_HEADER_OUT, call.requestId)
    // Refused before any server existed, or a listen answered at once (the SDK's listen router
    // answers without the server): the hooks still hear how it ended.
    if (hooks.active && (!current.built || isListen(call.body)) && isJson(response)) {
      const answer = await response
        .clone()
        .json()
        .catch(() => undefined)
      if (typeof answer === 'object' && answer !== null) {
        hooks.outgoing(answer as JSONRPCMessage, context)
      }
    }
    return response
  }
}
