/**
 * @module
 * The handler context of a stateless 2026-07-28 request: the same API a session's handlers get,
 * built from the SDK v2 request context. What needs a session (its storage, server→client
 * requests, ping) is refused with a clear error; a request for input the client did not declare
 * a capability for becomes `-32021` (the SDK's answer, see {@link UndeclaredCapability}).
 */

import type {
  ClientCapabilities,
  CreateMessageRequest,
  ElicitRequest,
} from '@modelcontextprotocol/sdk/types.js'
import {
  CLIENT_CAPABILITIES_META_KEY,
  type InputRequest,
  inputRequired,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { SessionStorage } from '../define-mcp-server'
import { sharedResource } from '../shared-resource'
import { canElicit, progressReporter, type RequestContext, type ToolContext } from '../tool-context'
import type { Principal } from '../types'

/** The revision every modern request is served at. */
const MODERN_VERSION = '2026-07-28'

/** What the framework knows of one modern request. */
export interface ModernScope<Env = unknown> {
  readonly env: Env
  readonly principal: Principal
  /** The HTTP request's id, for logs and hooks. */
  readonly requestId: string
}

/**
 * Thrown by a handler's request for input the client did not declare a capability for. The
 * framework answers the call with this input request, which the SDK refuses as it must
 * (`-32021` with the `requiredCapabilities` it derives, HTTP 400): a server never sends an input
 * request the client cannot take.
 */
export class UndeclaredCapability extends Error {
  constructor(readonly request: InputRequest) {
    super(`The client did not declare the capability ${request.method} needs`)
  }

  /** The result that makes the SDK answer `-32021`. */
  result() {
    return inputRequired({ inputRequests: { [this.request.method]: this.request } })
  }
}

/** Why a tool that keeps session state can't run on a modern request. */
const NO_SESSION =
  'This tool keeps state in its session, and a 2026-07-28 request has none: connect with a session (initialize) to use it'

/** The context of a modern request's resource or prompt handler. */
export function modernRequestContext<Env>(
  scope: ModernScope<Env>,
  ctx: ServerContext,
): RequestContext<Env> {
  return {
    era: 'modern',
    sessionId: undefined,
    principal: scope.principal,
    env: scope.env,
    shared: (uri) => sharedResource(scope.env, uri),
    signal: ctx.mcpReq.signal,
  }
}

/** The context of a modern request's tool call. */
export function createModernToolContext<Env>(
  scope: ModernScope<Env>,
  ctx: ServerContext,
): ToolContext<Env> {
  // The SDK validated the envelope (and that clientCapabilities is an object) before dispatch.
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined
  const declared = (envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? {}) as ClientCapabilities
  // v1's request types (the ones tools are written against) and v2's differ only in typing.
  const input = (request: { method: string; params?: unknown }, capable: boolean): never => {
    if (!capable) throw new UndeclaredCapability(request as InputRequest)
    throw new Error(
      `${request.method} is not yet available to 2026-07-28 requests: connect with a session (initialize) to use this tool`,
    )
  }
  return {
    ...modernRequestContext(scope, ctx),
    get storage(): SessionStorage {
      throw new Error(NO_SESSION)
    },
    progress: progressReporter(ctx.mcpReq._meta?.progressToken, (notification) =>
      ctx.mcpReq.notify(notification),
    ),
    // The SDK sends it only when the request carried a `logLevel`, and filters by it.
    log: (level, data, logger) => ctx.mcpReq.log(level, data, logger),
    elicit: async (params: ElicitRequest['params']) =>
      input({ method: 'elicitation/create', params }, canElicit(declared, MODERN_VERSION, params)),
    sample: async (params: CreateMessageRequest['params']) =>
      input({ method: 'sampling/createMessage', params }, declared.sampling !== undefined),
    roots: async () => input({ method: 'roots/list' }, declared.roots !== undefined),
    ping: async () => {
      throw new Error('There is no ping in 2026-07-28')
    },
    closeStream: () => false,
  }
}
