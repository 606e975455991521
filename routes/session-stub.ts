/**
 * @module
 * Session ids and the objects they name. A session id is the string form of the object's
 * `DurableObjectId`, so the id alone addresses the session and a malformed one is
 * refused without waking anything.
 */

import type { Context } from 'hono'
import type { SessionReply, StreamSocketCall } from '../durable/session/session-calls'
import type { SessionDO } from '../durable/session/session-do'
import { mcpHttpError } from '../src/http-error'
import { RPC_ERROR } from '../src/protocol/json-rpc-error'
import { FRAMING } from '../src/sse/bridge-frames'
import {
  type AppEnv,
  type FrameworkBindings,
  type SessionKind,
  STREAM_CALL_HEADER,
} from '../src/types'

/** A stub of one session's object. */
export type SessionStub = DurableObjectStub<SessionDO>

/** Shape of a `DurableObjectId` string: 64 lower-case hex digits. */
export const SESSION_ID_PATTERN = /^[0-9a-f]{64}$/

/** The binding, typed with the object's RPC methods (the leaf `types.ts` can't name the class). */
function namespace(env: FrameworkBindings): DurableObjectNamespace<SessionDO> {
  return env.SESSION_DO as unknown as DurableObjectNamespace<SessionDO>
}

/** Allocates a fresh session: a new unique object id, and the stub of that (empty) object. */
export function newSession(env: FrameworkBindings): { id: string; stub: SessionStub } {
  const ns = namespace(env)
  const id = ns.newUniqueId()
  return { id: id.toString(), stub: ns.get(id) }
}

/**
 * The stub of an existing session's object. An id that isn't one of this namespace's answers
 * 404 here, before any object wakes; whether the session exists is the object's decision.
 */
export function sessionStub(env: FrameworkBindings, sessionId: string): SessionStub {
  const notFound = () => mcpHttpError(404, RPC_ERROR.sessionNotFound, 'Session not found')
  if (!SESSION_ID_PATTERN.test(sessionId)) throw notFound()
  const ns = namespace(env)
  let id: DurableObjectId
  try {
    id = ns.idFromString(sessionId)
  } catch {
    throw notFound()
  }
  return ns.get(id)
}

/**
 * What every call to a session's object carries: who is calling (decided here, by the auth
 * plugins; never taken from anything the client sends), this request's id, and the transport.
 */
export function caller(c: Context<AppEnv>, kind: SessionKind) {
  // c.get, not c.var: every read of c.var copies all of the request's variables into a new object.
  return { principal: c.get('principal'), requestId: c.get('requestId'), kind } as const
}

/**
 * The request that opens a bridged stream's socket on a session object. WebSocket upgrades go
 * through `fetch`, not RPC, so the call travels in a header.
 */
export function streamSocketRequest(call: StreamSocketCall): Request {
  return new Request('https://session.internal/stream', {
    headers: {
      upgrade: 'websocket',
      [STREAM_CALL_HEADER]: JSON.stringify({ ...call, framing: FRAMING }),
    },
  })
}

/** The Worker's `Response` for a session object's reply. */
export function toResponse(reply: SessionReply): Response {
  if (reply instanceof Response) return reply
  return new Response(reply.body ?? null, { status: reply.status, headers: reply.headers })
}
