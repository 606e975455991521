/**
 * @module
 * The stateless 2026-07-28 leg of `/mcp`: SDK v2's `createMcpHandler` in strict mode
 * (`legacy: 'reject'`), with a server built from the app's definition for each request and the
 * plugins' hooks around its message. It runs in the Worker and wakes no session object; the
 * SDK owns the wire (header and envelope validation, `server/discover`, the error ladder with
 * its HTTP statuses, `resultType` and caching fields).
 */

import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import {
  createMcpHandler,
  InMemoryServerEventBus,
  type McpHttpHandler,
  type McpServer,
  type McpServerFactory,
  ProtocolError,
} from '@modelcontextprotocol/server'
import type { McpServerDefinition } from '../define-mcp-server'
import type { HookContext, HookRejection, McpPlugin, SessionHooks } from '../plugins/plugin'
import { jsonRpcError } from '../protocol/json-rpc-error'
import { readSessionConfig } from '../session-config'
import { hasHubs } from '../shared-resource'
import { type Principal, quotaKeyOf, REQUEST_ID_HEADER_OUT } from '../types'
import { hubsOf, isListen, planListen, serveListen } from './listen'
import { ListenTable, subscriptionLimitReached } from './listen-table'
import { buildModernServer, modernCapabilitiesOf, modernServedAs } from './modern-server'
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

/** Reports what the SDK could not answer cleanly; its ladder's refusals are answers, not faults. */
function reportUnexpected(error: Error): void {
  if (error instanceof ProtocolError || error.message.startsWith('Rejected ')) return
  console.error('2026-07-28 request failed:', error)
}

/** Runs `onOutgoing` for every message `server` sends (the SDK has no send hook of its own). */
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

/** The first `onIncoming` refusal of `message`, in plugin order. */
function firstRefusal(
  hooks: readonly SessionHooks[],
  message: JSONRPCMessage,
  context: HookContext,
): HookRejection | undefined {
  for (const hook of hooks) {
    const refusal = hook.onIncoming?.(message, context)
    if (refusal) return refusal
  }
  return undefined
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
  const hooks: readonly SessionHooks[] = plugins.flatMap((plugin) =>
    plugin.hooks ? [plugin.hooks] : [],
  )
  const serving = new WeakMap<Request, Serving>()
  let handler: McpHttpHandler | undefined

  const outgoing = (message: JSONRPCMessage, context: HookContext) => {
    for (const hook of hooks) hook.onOutgoing?.(message, context)
  }
  const factory: McpServerFactory = ({ requestInfo }) => {
    const current = requestInfo === undefined ? undefined : serving.get(requestInfo)
    if (current === undefined) throw new Error('A modern request reached the SDK unscoped')
    current.built = true
    const server = buildModernServer(definition, current.scope as ModernScope<Env>, current.body)
    if (hooks.length > 0) observeSends(server, (message) => outgoing(message, current.hooks))
    return server
  }
  /** A handler on `bus` (a listen request's own), or the isolate's one for everything else. */
  const handlerFor = (env: unknown, bus?: InMemoryServerEventBus): McpHttpHandler => {
    if (bus === undefined && handler !== undefined) return handler
    const options = {
      legacy: 'reject' as const,
      keepAliveMs: readSessionConfig(env).keepaliveMs,
      onerror: reportUnexpected,
    }
    if (bus !== undefined) return createMcpHandler(factory, { ...options, bus })
    handler = createMcpHandler(factory, options)
    return handler
  }
  const listening = new ListenTable()
  /**
   * A listen request: refused when its stream and hub watches don't fit in the table (as the
   * SDK refuses a listen past its own), else served by its own bus and handler, fed by watches
   * of the hubs it needs.
   */
  const listen = async (call: ModernCall) => {
    const { listen: limits } = readSessionConfig(call.env)
    const plan = planListen(call.body, {
      capabilities: modernCapabilitiesOf(definition),
      servedAs: (uri) => modernServedAs(definition, uri),
      limits,
      hubs: hasHubs(call.env),
    })
    const release = listening.claim(quotaKeyOf(call.principal), hubsOf(plan).length, limits)
    if (release === undefined) return subscriptionLimitReached(idOf(call.body))
    const bus = new InMemoryServerEventBus(reportUnexpected)
    const handler = handlerFor(call.env, bus)
    return serveListen(
      call.env,
      call.body,
      plan,
      { bus, handler },
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
    const refusal = Array.isArray(call.body)
      ? undefined
      : firstRefusal(hooks, call.body as JSONRPCMessage, context)
    if (refusal) {
      return Response.json(jsonRpcError(refusal.code, refusal.message, idOf(call.body)), {
        status: refusal.status,
        headers: refusal.headers,
      })
    }
    const current: Serving = { scope, hooks: context, body: call.body, built: false }
    serving.set(call.request, current)
    const response = isListen(call.body)
      ? await listen(call)
      : await handlerFor(call.env).fetch(call.request, { parsedBody: call.body })
    // Stamped here, on the SDK's own (mutable) headers: a header added by Hono later would
    // copy the whole response.
    response.headers.set(REQUEST_ID_HEADER_OUT, call.requestId)
    // Refused before any server existed (by the SDK, or a listen by its table): the hooks
    // still hear how it ended.
    if (hooks.length > 0 && !current.built && isJson(response)) {
      const answer = await response
        .clone()
        .json()
        .catch(() => undefined)
      if (typeof answer === 'object' && answer !== null) outgoing(answer as JSONRPCMessage, context)
    }
    return response
  }
}
