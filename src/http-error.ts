/**
 * @module
 * The Worker's way to reject a request: an `HTTPException` whose response is a JSON-RPC error.
 */
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { jsonRpcErrorResponse } from './protocol/json-rpc-error'

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
