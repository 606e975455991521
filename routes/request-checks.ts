/**
 * @module
 * The cheap checks every MCP route makes before it wakes a session object: `Accept`,
 * `Content-Type`, body size, `MCP-Protocol-Version` and the session id's format. Each is Hono
 * middleware (or a helper) that throws a JSON-RPC `HTTPException`.
 */

import { zValidator } from '@hono/zod-validator'
import { accepts } from 'hono/accepts'
import { bodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { mcpHttpError } from '../src/http-error'
import { RPC_ERROR } from '../src/protocol/json-rpc-error'
import { versionsFor } from '../src/protocol/versions'
import { type AppEnv, HEADER, MAX_BODY_BYTES, type SessionKind } from '../src/types'
import { SESSION_ID_PATTERN } from './session-stub'

/** Media types an MCP route may require in `Accept`. */
export type AcceptedMediaType = 'application/json' | 'text/event-stream'

/**
 * Requires `Accept` to admit every type in `required` (exactly, or through a wildcard such as
 * `text/*` or `*\/*`) → otherwise 406 (the SDK's answer; the spec names no status). With
 * `absentOk`, a request without `Accept` (which in HTTP accepts anything) passes.
 */
export function requireAccept(required: AcceptedMediaType[], { absentOk = false } = {}) {
  const message = `Not Acceptable: the client must accept ${required.join(' and ')}`
  return createMiddleware<AppEnv>(async function requireAcceptCheck(c, next) {
    if (absentOk && c.req.header('accept') === undefined) return next()
    const ok = accepts(c, {
      header: 'Accept',
      supports: ['ok'],
      default: '',
      match: (entries) =>
        required.every((type) =>
          entries.some(
            (entry) =>
              entry.q > 0 &&
              (entry.type === type ||
                entry.type === '*/*' ||
                entry.type === `${type.split('/')[0]}/*`),
          ),
        )
          ? 'ok'
          : '',
    })
    if (!ok) throw mcpHttpError(406, RPC_ERROR.serverError, message)
    await next()
  })
}

/**
 * Refuses HEAD with 405 (`allow` lists the methods served). Hono answers HEAD by running the GET
 * route, and a GET here opens a stream or creates a session: a HEAD must do neither.
 */
export function refuseHead(allow: string) {
  return createMiddleware<AppEnv>(async function refuseHeadCheck(c, next) {
    if (c.req.method === 'HEAD') {
      throw mcpHttpError(405, RPC_ERROR.serverError, 'Method Not Allowed', { allow })
    }
    await next()
  })
}

/** Requires the media type `application/json` (parameters such as `charset` allowed) → else 415. */
export const requireJsonBody = createMiddleware<AppEnv>(async function requireJsonBody(c, next) {
  const mediaType = c.req.header(HEADER.contentType)?.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== 'application/json') {
    throw mcpHttpError(
      415,
      RPC_ERROR.serverError,
      'Unsupported Media Type: Content-Type must be application/json',
    )
  }
  await next()
})

const capBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw mcpHttpError(
      413,
      RPC_ERROR.serverError,
      `Payload Too Large: the body exceeds ${MAX_BODY_BYTES} bytes`,
    )
  },
})

/**
 * Caps the body at {@link MAX_BODY_BYTES} → 413 (Hono's `bodyLimit`, with a JSON-RPC answer),
 * and reads it whole before the route runs (`c.req.text()` then returns it). A body that stops
 * short, because the client went away mid-upload, is the client's doing, not a server error:
 * 400 (which no one will read), with `clientGone` set for the logger, and no stack trace.
 */
export const limitBody = createMiddleware<AppEnv>(async function limitBody(c, next) {
  try {
    await capBody(c, async () => {
      await c.req.text()
    })
  } catch (error) {
    if (error instanceof HTTPException) throw error
    // workerd: reading a body whose connection closed first fails with "Network connection lost."
    c.set('clientGone', true)
    throw mcpHttpError(400, RPC_ERROR.serverError, 'Bad Request: request body incomplete')
  }
  await next()
})

/**
 * Spec (2025-06-18+): an invalid or unsupported `MCP-Protocol-Version` → 400. A missing header is
 * fine (the session's negotiated version applies).
 */
export function checkProtocolVersionHeader(value: string | undefined, kind: SessionKind): void {
  if (value === undefined) return
  const supported = versionsFor(kind)
  if (!supported.includes(value)) {
    throw mcpHttpError(
      400,
      RPC_ERROR.serverError,
      `Bad Request: unsupported protocol version ${JSON.stringify(value)} (supported: ${supported.join(', ')})`,
    )
  }
}

const SESSION_ID = z.string().regex(SESSION_ID_PATTERN)

function rejectBadSessionId(result: { success: boolean }): void {
  if (!result.success) {
    throw mcpHttpError(
      400,
      RPC_ERROR.serverError,
      'Bad Request: the sessionId query parameter is missing or malformed',
    )
  }
}

/** Requires a well-formed `sessionId` query parameter (`@hono/zod-validator`) → else 400. */
export const sessionIdQuery = zValidator(
  'query',
  z.object({ sessionId: SESSION_ID }),
  rejectBadSessionId,
)

/** Allows a `sessionId` query parameter, which must then be well-formed → else 400. */
export const optionalSessionIdQuery = zValidator(
  'query',
  z.object({ sessionId: SESSION_ID.optional() }),
  rejectBadSessionId,
)
