/**
 * @module
 * The Worker's way to reject a request: an `HTTPException` whose response is a JSON-RPC error.
 */
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { jsonRpcError, jsonRpcErrorResponse } from './protocol/json-rpc-error'
import type { RejectedMessages } from './protocol/parse-messages'

/**
 * Builds the exception a route throws to reject a request. The app's `onError` returns its
 * response unchanged.
 *
 * @example
 * ```ts
 * throw mcpHttpError(404, RPC_ERROR.sessionNotFound, 'Session not found')
 * ```
 */
export function mcpHttpError(
  status: ContentfulStatusCode,
  code: number,
  message: string,
  headers?: HeadersInit,
): HTTPException {
  return new HTTPException(status, {
    message,
    res: jsonRpcErrorResponse(status, code, message, headers),
  })
}

/**
 * The 400 for a body that `parseMessages` (or a check like it) refused, with the request's id
 * when known.
 */
export function refusedBody(rejected: RejectedMessages): HTTPException {
  const { code, message, id = null } = rejected
  return new HTTPException(400, {
    message,
    res: Response.json(jsonRpcError(code, message, id), { status: 400 }),
  })
}
