/**
 * @module
 * Streamable HTTP (`POST|GET|DELETE /mcp`, revisions 2025-03-26 … 2025-11-25). Thin ingress: it
 * makes the cheap checks, then hands the parsed request to the session's object.
 */

import type { Context } from 'hono'
import { Hono } from 'hono'
import { mcpHttpError } from '../src/http-error'
import { RPC_ERROR } from '../src/protocol/json-rpc-error'
import { parseMessages } from '../src/protocol/parse-messages'
import { type AppEnv, HEADER } from '../src/types'
import {
  checkProtocolVersionHeader,
  limitBody,
  requireAccept,
  requireJsonBody,
} from './request-checks'
import { caller, newSession, type SessionStub, sessionStub } from './session-stub'

const KIND = 'streamable-http'

/** Methods `/mcp` answers; anything else gets 405 with this `Allow`. */
const ALLOWED_METHODS = 'GET, POST, DELETE'

/**
 * The id in `Mcp-Session-Id` (400 when absent), its object's stub (404 when malformed), after the
 * `MCP-Protocol-Version` check.
 */
function existingSession(c: Context<AppEnv>): SessionStub {
  const sessionId = c.req.header(HEADER.sessionId)
  if (!sessionId) {
    throw mcpHttpError(400, RPC_ERROR.serverError, 'Bad Request: Mcp-Session-Id header is required')
  }
  const stub = sessionStub(c.env, sessionId)
  checkProtocolVersionHeader(c.req.header(HEADER.protocolVersion), KIND)
  return stub
}

/** Builds the `/mcp` sub-app. Mount it with `app.route('/mcp', mcpRoutes())`. */
export function mcpRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post(
    '/',
    requireAccept(['application/json', 'text/event-stream']),
    requireJsonBody,
    limitBody,
    async function mcpPost(c) {
      const parsed = parseMessages(await c.req.text())
      if (!parsed.ok) throw mcpHttpError(400, parsed.code, parsed.message)
      const { messages, batch, hasInitialize } = parsed
      const call = { ...caller(c, KIND), messages, batch }
      if (hasInitialize) {
        // Spec (2025-03-26): initialize MUST NOT be part of a batch.
        if (messages.length > 1 || batch) {
          throw mcpHttpError(
            400,
            RPC_ERROR.invalidRequest,
            'Invalid Request: initialize must be sent alone, not in a batch',
          )
        }
        if (c.req.header(HEADER.sessionId) !== undefined) {
          throw mcpHttpError(
            400,
            RPC_ERROR.invalidRequest,
            'Invalid Request: initialize is only accepted without an Mcp-Session-Id header',
          )
        }
        return newSession(c.env).stub.post(call)
      }
      return existingSession(c).post(call)
    },
  )

  app.get('/', requireAccept(['text/event-stream']), async function mcpGet(c) {
    return existingSession(c).openStream({
      ...caller(c, KIND),
      lastEventId: c.req.header(HEADER.lastEventId),
    })
  })

  app.delete('/', async function mcpDelete(c) {
    return existingSession(c).end(caller(c, KIND))
  })

  app.all('/', function mcpMethodNotAllowed() {
    throw mcpHttpError(405, RPC_ERROR.serverError, 'Method Not Allowed', {
      allow: ALLOWED_METHODS,
    })
  })

  return app
}
