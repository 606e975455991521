/**
 * @module
 * The session's piece of a handler's context (`src/tool-context.ts` builds the rest): requests
 * for input are real server→client requests on the call's stream, held back until the client
 * finished initializing and refused for capabilities it did not declare; `tool.storage` is the
 * session's own; `ping` and `closeStream` act on the session's connection.
 */
import {
  type ClientCapabilities,
  ProtocolError,
  ProtocolErrorCode,
  type RequestId,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { SessionContext } from '../src/define-mcp-server'
import { announceListChanged } from '../src/shared-resource'
import type { EraContext } from '../src/tool-context'

/** What the session knows that the context needs; supplied by the session object. */
export interface SessionFacts {
  /** Whether the client has sent `notifications/initialized`. */
  initialized(): boolean
  /** What the client declared at `initialize`. */
  clientCapabilities(): ClientCapabilities | undefined
  /** The negotiated protocol revision. */
  protocolVersion(): string | undefined
  /** How long a server→client request may wait for its answer, in ms. */
  readonly requestTimeoutMs: number
  /** Closes the connection carrying request `id`'s reply (the call goes on; the client resumes). */
  closeStream(id: RequestId): boolean
}

/** The session's piece of the context of the request `ctx`. */
export function sessionContext<Env>(
  session: SessionContext<Env>,
  facts: SessionFacts,
  ctx: ServerContext,
): EraContext<Env> {
  const options = { timeout: facts.requestTimeoutMs }
  return {
    era: 'legacy',
    sessionId: session.sessionId,
    principal: session.principal,
    env: session.env,
    clientCapabilities: facts.clientCapabilities() ?? {},
    protocolVersion: facts.protocolVersion(),
    async input(request, capable, _options, check) {
      // Spec: until `notifications/initialized`, the server sends nothing but pings and logs, and
      // it only uses capabilities the client declared.
      if (!facts.initialized()) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidRequest,
          `Cannot send ${request.method}: the client has not finished initialization`,
        )
      }
      if (!capable) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidRequest,
          `Cannot send ${request.method}: the client did not declare that capability`,
        )
      }
      // `send` (not `elicitInput`) so the request goes on this call's stream; the SDK checks
      // the answer against the method's result schema.
      return check(await ctx.mcpReq.send(request, options))
    },
    storage: session.storage,
    ping: async () => {
      await ctx.mcpReq.send({ method: 'ping' }, options)
    },
    closeStream: () => facts.closeStream(ctx.mcpReq.id),
    async listChanged(kind) {
      await announceListChanged(session.env, kind)
      await ctx.mcpReq.notify({ method: `notifications/${kind}/list_changed` })
    },
  }
}
