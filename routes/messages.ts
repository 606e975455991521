/**
 * @module
 * HTTP+SSE (2024-11-05): `POST /messages?sessionId=<id>` takes one JSON-RPC message,
 * answers 202, and the session's SSE stream carries the reply.
 */
import { Hono } from 'hono'
import { mcpHttpError, refusedBody } from '../src/http-error'
import { RPC_ERROR } from '../src/protocol/json-rpc-error'
import { parseMessages } from '../src/protocol/parse-messages'
import type { AppEnv } from '../src/types'
import { limitBody, requireJsonBody, sessionIdQuery } from './request-checks'
import { caller, sessionStub, toResponse } from './session-stub'

const KIND = 'sse'

/** Builds the `/messages` sub-app. Mount it with `app.route('/messages', messagesRoutes())`. */
export function messagesRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/', sessionIdQuery, requireJsonBody, limitBody, async function messagesPost(c) {
    const { sessionId } = c.req.valid('query')
    const parsed = parseMessages(await c.req.text())
    if (!parsed.ok) throw refusedBody(parsed)
    // HTTP+SSE defines no batching: one message per POST.
    if (parsed.batch) {
      throw mcpHttpError(
        400,
        RPC_ERROR.invalidRequest,
        'Invalid Request: the HTTP+SSE transport takes one JSON-RPC message per POST, not a batch',
      )
    }
    return toResponse(
      await sessionStub(c.env, sessionId).postSse({
        ...caller(c, KIND),
        messages: parsed.messages,
        batch: false,
      }),
    )
  })

  app.all('/', function messagesMethodNotAllowed() {
    throw mcpHttpError(405, RPC_ERROR.serverError, 'Method Not Allowed', { allow: 'POST' })
  })

  return app
}
