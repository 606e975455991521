/**
 * @module
 * JSON-RPC error bodies and the HTTP responses that carry them. Every rejection on an MCP path
 * answers with one of these, `id: null` unless it belongs to a known request.
 */
import type { RequestId } from '@modelcontextprotocol/server'

/** JSON-RPC and MCP error codes used by the transports. */
export const RPC_ERROR = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Generic transport-level rejection (the SDK's "Bad Request" / "Not Acceptable" code). */
  serverError: -32000,
  /** Unknown, expired, terminated or foreign session (the SDK's "Session not found"). */
  sessionNotFound: -32001,
} as const

/**
 * SDK v2's message for a listen past its subscription table (with `-32603`, in-band, HTTP 200);
 * every subscription limit answers with it.
 */
export const SUBSCRIPTION_LIMIT_REACHED = 'Subscription limit reached'

/** A JSON-RPC error object as it goes on the wire. */
export interface JsonRpcErrorBody {
  jsonrpc: '2.0'
  id: RequestId | null
  error: { code: number; message: string; data?: unknown }
}

/** Builds a JSON-RPC error body. */
export function jsonRpcError(
  code: number,
  message: string,
  id: RequestId | null = null,
  data?: unknown,
): JsonRpcErrorBody {
  return {
    jsonrpc: '2.0',
    id,
    error: data === undefined ? { code, message } : { code, message, data },
  }
}

/**
 * Builds an HTTP response whose body is a JSON-RPC error.
 *
 * @example
 * ```ts
 * return jsonRpcErrorResponse(404, RPC_ERROR.sessionNotFound, 'Session not found')
 * ```
 */
export function jsonRpcErrorResponse(
  status: number,
  code: number,
  message: string,
  headers?: HeadersInit,
): Response {
  const res = Response.json(jsonRpcError(code, message), { status, headers })
  return res
}
