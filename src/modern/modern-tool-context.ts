/**
 * @module
 * A stateless 2026-07-28 request's piece of a handler's context (`src/tool-context.ts` builds the
 * rest): requests for input become `input_required` round trips (`input-rounds.ts`); one the
 * client did not declare a capability for becomes `-32021` (the SDK's answer, see
 * {@link UndeclaredCapability}). What needs a session (its storage, ping, resumable streams) is
 * refused with a clear error.
 */

import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
} from '@modelcontextprotocol/core'
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type InputRequest,
  inputRequired,
  ProtocolError,
  ProtocolErrorCode,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { ZodType } from 'zod'
import type { SessionStorage } from '../define-mcp-server'
import { announceListChanged } from '../shared-resource'
import type { EraContext } from '../tool-context'
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

/** The result schema a client's answer to each kind of input request must fit. */
const ANSWER_SCHEMAS: Record<InputRequest['method'], ZodType> = {
  'elicitation/create': ElicitResultSchema,
  'sampling/createMessage': CreateMessageResultSchema,
  'roots/list': ListRootsResultSchema,
}

/** A client's answer, parsed with the SDK's result schema; one that doesn't fit is refused. */
function parsed(method: InputRequest['method'], key: string) {
  return (response: unknown): unknown => {
    const result = ANSWER_SCHEMAS[method].safeParse(response)
    if (result.success) return result.data
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `The client's answer to input "${key}" is not a ${method} result`,
    )
  }
}

/** A modern request's piece of the context of `ctx`, in the input round `round`. */
export function modernContext<Env>(
  scope: ModernScope<Env>,
  ctx: ServerContext,
  round: InputRound,
): EraContext<Env> {
  // The SDK validated the envelope (and that clientCapabilities is an object) before dispatch.
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined
  const declared = (envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? {}) as ClientCapabilities
  return {
    era: 'modern',
    sessionId: undefined,
    principal: scope.principal,
    env: scope.env,
    clientCapabilities: declared,
    protocolVersion: MODERN_VERSION,
    async input(request, capable, options, check) {
      const key = round.key(options?.key)
      if (!capable) throw new UndeclaredCapability(request)
      const answer = parsed(request.method, key)
      return round.answer(key, request, (response) => check(answer(response)))
    },
    get storage(): SessionStorage {
      throw new Error(NO_SESSION)
    },
    ping: async () => {
      throw new Error('There is no ping in 2026-07-28')
    },
    closeStream: () => false,
    listChanged: (kind) => announceListChanged(scope.env, kind),
  }
}
