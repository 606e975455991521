/**
 * @module
 * Streamable HTTP on `/mcp`, both eras. Thin ingress: it makes the cheap checks, decides the era
 * of a POST (`era.ts`), then hands a sessionful request (revisions 2025-03-26 … 2025-11-25: POST,
 * GET, DELETE) to the session's object, and a stateless 2026-07-28 request to the modern leg,
 * which serves it in the Worker.
 */

import type { Context } from 'hono'
import { Hono } from 'hono'
import { mcpHttpError, refusedBody } from '../src/http-error'
import type { ModernLeg } from '../src/modern/modern-leg'
import { RPC_ERROR } from '../src/protocol/json-rpc-error'
import { messagesOf, oversizedIdRefusal, parseJson } from '../src/protocol/parse-messages'
import { isModernVersion } from '../src/protocol/versions'
import { readSessionConfig } from '../src/session-config'
import { type AppEnv, HEADER } from '../src/types'
import { postEra } from './era'
import {
  checkProtocolVersionHeader,
  limitBody,
  refuseHead,
  requireAccept,
  requireJsonBody,
} from './request-checks'
import {
  caller,
  newSession,
  type SessionStub,
  sessionStub,
  streamSocketRequest,
  toResponse,
} from './session-stub'
import { bridgeStream } from './stream-bridge'

const KIND = 'streamable-http'

/** Methods `/mcp` answers; anything else gets 405 with this `Allow`. */
const ALLOWED_METHODS = 'GET, POST, DELETE'

/**
 * The id in `Mcp-Session-Id` (400 when absent), its object's stub (404 when malformed), after the
 * `MCP-Protocol-Version` check. A modern revision in that header is tolerated: the session's
 * negotiated version applies (clients with a known bug send it on their sessions).
 */
function existingSession(c: Context<AppEnv>): SessionStub {
  const sessionId = c.req.header(HEADER.sessionId)
  if (!sessionId) {
    throw mcpHttpError(400, RPC_ERROR.serverError, 'Bad Request: Mcp-Session-Id header is required')
  }
  const stub = sessionStub(c.env, sessionId)
  const version = c.req.header(HEADER.protocolVersion)
  if (!isModernVersion(version)) checkProtocolVersionHeader(version, KIND)
  return stub
}

/**
 * Builds the `/mcp` sub-app, with `serveModern` for the 2026-07-28 era. Mount it with
 * `app.route('/mcp', mcpRoutes(serveModern))`.
 */
export function mcpRoutes(serveModern: ModernLeg): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post(
    '/',
    requireAccept(['application/json', 'text/event-stream']),
    requireJsonBody,
    limitBody,
    async function mcpPost(c) {
      const body = parseJson(await c.req.text())
      if (!body.ok) throw refusedBody(body)
      if (postEra(c, body.json) === 'modern') {
        c.set('era', 'modern')
        const oversized = oversizedIdRefusal(body.json)
        if (oversized) throw refusedBody(oversized)
        return serveModern({
          request: c.req.raw,
          body: body.json,
          env: c.env,
          principal: c.get('principal'),
          requestId: c.get('requestId'),
        })
      }
      c.set('era', 'legacy')
      const parsed = messagesOf(body.json)
      if (!parsed.ok) throw refusedBody(parsed)
      const { messages, batch, hasInitialize } = parsed
      const { maxBatch } = readSessionConfig(c.env)
      if (messages.length > maxBatch) {
        throw mcpHttpError(
          400,
          RPC_ERROR.invalidRequest,
          `Invalid Request: a batch may hold at most ${maxBatch} messages (BATCH_MAX_MESSAGES)`,
        )
      }
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
        return toResponse(await newSession(c.env).stub.post(call))
      }
      return toResponse(await existingSession(c).post(call))
    },
  )

  app.get(
    '/',
    refuseHead(ALLOWED_METHODS),
    requireAccept(['text/event-stream']),
    async function mcpGet(c) {
      c.set('era', 'legacy')
      const first = existingSession(c)
      const sessionId = c.req.header(HEADER.sessionId)!
      const call = { ...caller(c, KIND), lastEventId: c.req.header(HEADER.lastEventId) }
      // The Worker holds the stream. A reconnect takes a fresh stub: one that saw its
      // object restart may stay broken.
      return bridgeStream(
        (resumeAfter) =>
          resumeAfter === undefined
            ? first.fetch(streamSocketRequest({ ...call, stream: 'standalone' }))
            : sessionStub(c.env, sessionId).fetch(
                streamSocketRequest({
                  ...call,
                  stream: 'standalone',
                  lastEventId: resumeAfter,
                  reconnect: true,
                }),
              ),
        { keepaliveMs: readSessionConfig(c.env).keepaliveMs },
      )
    },
  )

  app.delete('/', async function mcpDelete(c) {
    c.set('era', 'legacy')
    return existingSession(c).end(caller(c, KIND))
  })

  app.all('/', function mcpMethodNotAllowed() {
    throw mcpHttpError(405, RPC_ERROR.serverError, 'Method Not Allowed', {
      allow: ALLOWED_METHODS,
    })
  })

  return app
}
