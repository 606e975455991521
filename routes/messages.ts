/**
 * @module
 * Legacy HTTP+SSE (2024-11-05): `POST /messages?sessionId=<id>` takes one JSON-RPC message,
 * answers 202, and the session's SSE stream carries the reply.
 */
import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { z } from 'zod'
import { mcpHttpError } from '../src/http-error'
import { RPC_ERROR } from '../src/protocol/json-rpc-error'
import { parseMessages } from '../src/protocol/parse-messages'
import type { AppEnv } from '../src/types'
import { limitBody, requireJsonBody } from './request-checks'
import { SESSION_ID_PATTERN, sessionStub } from './session-stub'

const KIND = 'sse'

const MessagesQuery = z.object({ sessionId: z.string().regex(SESSION_ID_PATTERN) })

/** Builds the `/messages` sub-app. Mount it with `app.route('/messages', messagesRoutes())`. */
export function messagesRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post(
    '/',
    zValidator('query', MessagesQuery, (result) => {
      if (!result.success) {
        throw mcpHttpError(
          400,
          RPC_ERROR.serverError,
          'Bad Request: the sessionId query parameter is missing or malformed',
        )
      }
    }),
    requireJsonBody,
    limitBody,
    async function messagesPost(c) {
      const { sessionId } = c.req.valid('query')
      const parsed = parseMessages(await c.req.text())
      if (!parsed.ok) throw mcpHttpError(400, parsed.code, parsed.message)
      // HTTP+SSE defines no batching: one message per POST.
      if (parsed.batch) {
        throw mcpHttpError(
          400,
          RPC_ERROR.invalidRequest,
          'Invalid Request: the HTTP+SSE transport takes one JSON-RPC message per POST, not a batch',
        )
      }
      return sessionStub(c.env, sessionId).postLegacy({
        messages: parsed.messages,
        batch: false,
        principal: c.var.principal.name,
        kind: KIND,
      })
    },
  )

  app.all('/', function messagesMethodNotAllowed() {
    throw mcpHttpError(405, RPC_ERROR.serverError, 'Method Not Allowed', { allow: 'POST' })
  })

  return app
}
