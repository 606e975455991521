/**
 * @module
 * The handler context of a stateless 2026-07-28 request: the same API a session's handlers get,
 * built from the SDK v2 request context. Requests for input become `input_required` round trips
 * (`input-rounds.ts`); one the client did not declare a capability for becomes `-32021` (the
 * SDK's answer, see {@link UndeclaredCapability}). What needs a session (its storage, ping,
 * resumable streams) is refused with a clear error.
 */

import {
  type ClientCapabilities,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ErrorCode,
  ListRootsResultSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js'
import {
  CLIENT_CAPABILITIES_META_KEY,
  type InputRequest,
  inputRequired,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { ZodType } from 'zod'
import type { SessionStorage } from '../define-mcp-server'
import { checkedAnswer } from '../elicitation-answer'
import { handlesFor } from '../handles'
import { announceListChanged, sharedResource } from '../shared-resource'
import { canElicit, progressReporter, type RequestContext, type ToolContext } from '../tool-context'
import type { Principal } from '../types'
import type { InputRound, RoundState } from './input-rounds'

/** The revision every modern request is served at. */
const MODERN_VERSION = '2026-07-28'

/** What the framework knows of one modern request. */
export interface ModernScope<Env = unknown> {
  readonly env: Env
  readonly principal: Principal
  /** The HTTP request's id, for logs and hooks. */
  readonly requestId: string
  /** The codec of this request's `requestState` (made on first use: few requests need one). */
  readonly stateCodec: () => RequestStateCodec<RoundState>
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

/** A client's answer, parsed with the SDK's result schema; one that doesn't fit is refused. */
function parsed<T>(schema: ZodType<T>, key: string, method: string) {
  return (response: unknown): T => {
    const result = schema.safeParse(response)
    if (result.success) return result.data
    throw new McpError(
      ErrorCode.InvalidParams,
      `The client's answer to input "${key}" is not a ${method} result`,
    )
  }
}

/** The context of a modern request's handler (tool, prompt or resource). */
export function modernRequestContext<Env>(
  scope: ModernScope<Env>,
  ctx: ServerContext,
  round: InputRound,
): RequestContext<Env> {
  // The SDK validated the envelope (and that clientCapabilities is an object) before dispatch.
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined
  const declared = (envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? {}) as ClientCapabilities
  // v1's request types (the ones handlers are written against) and v2's differ only in typing.
  const input = <T>(
    request: { method: string; params?: unknown },
    capable: boolean,
    chosenKey: string | undefined,
    check: (key: string) => (response: unknown) => T,
  ): Promise<T> => {
    const key = round.key(chosenKey)
    if (!capable) throw new UndeclaredCapability(request as InputRequest)
    return round.answer(key, request as InputRequest, check(key))
  }
  return {
    era: 'modern',
    sessionId: undefined,
    principal: scope.principal,
    env: scope.env,
    shared: (uri) => sharedResource(scope.env, uri),
    signal: ctx.mcpReq.signal,
    clientCapabilities: declared,
    handles: handlesFor(scope.env, () => scope.principal),
    elicit: async (params, options) =>
      input(
        { method: 'elicitation/create', params },
        canElicit(declared, MODERN_VERSION, params),
        options?.key,
        (key) => (response) =>
          checkedAnswer(params, parsed(ElicitResultSchema, key, 'elicitation/create')(response)),
      ),
    sample: async (params, options) =>
      input(
        { method: 'sampling/createMessage', params },
        declared.sampling !== undefined,
        options?.key,
        (key) => parsed(CreateMessageResultSchema, key, 'sampling/createMessage'),
      ),
    roots: async (options) =>
      input(
        { method: 'roots/list', params: {} },
        declared.roots !== undefined,
        options?.key,
        (key) => parsed(ListRootsResultSchema, key, 'roots/list'),
      ),
  }
}

/** The context of a modern request's tool call. */
export function createModernToolContext<Env>(
  scope: ModernScope<Env>,
  ctx: ServerContext,
  round: InputRound,
): ToolContext<Env> {
  return {
    ...modernRequestContext(scope, ctx, round),
    get storage(): SessionStorage {
      throw new Error(NO_SESSION)
    },
    progress: progressReporter(ctx.mcpReq._meta?.progressToken, (notification) =>
      ctx.mcpReq.notify(notification),
    ),
    // The SDK sends it only when the request carried a `logLevel`, and filters by it.
    log: (level, data, logger) => ctx.mcpReq.log(level, data, logger),
    listChanged: (kind) => announceListChanged(scope.env, kind),
    ping: async () => {
      throw new Error('There is no ping in 2026-07-28')
    },
    closeStream: () => false,
  }
}
