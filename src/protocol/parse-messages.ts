/**
 * @module
 * Turns a request body into JSON-RPC messages, using the SDK's own message schema.
 */

import {
  isInitializeRequest,
  JSONRPCErrorResponseSchema,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
} from '@modelcontextprotocol/sdk/types.js'
import type { ZodType } from 'zod'
import { RPC_ERROR } from './json-rpc-error'

/** A body that parsed into one message or a batch of them. */
export interface ParsedMessages {
  readonly ok: true
  readonly messages: JSONRPCMessage[]
  /** Whether the body was a JSON array (a batch), even of one message. */
  readonly batch: boolean
  /** Whether any message is an `initialize` request. */
  readonly hasInitialize: boolean
  /** Whether any message is a request (and so needs an answer other than 202). */
  readonly hasRequests: boolean
}

/** A body that could not be accepted, with the error to answer it with. */
export interface RejectedMessages {
  readonly ok: false
  readonly code: number
  readonly message: string
}

/** A body that parsed as JSON. */
export interface ParsedJson {
  readonly ok: true
  readonly json: unknown
}

/** Parses a request body as JSON; one that doesn't parse is a parse error (-32700). */
export function parseJson(text: string): ParsedJson | RejectedMessages {
  try {
    return { ok: true, json: JSON.parse(text) }
  } catch {
    return {
      ok: false,
      code: RPC_ERROR.parseError,
      message: 'Parse error: the body is not valid JSON',
    }
  }
}

/**
 * Parses `text` as one JSON-RPC message or a batch of them. JSON that doesn't parse is a parse
 * error (-32700); JSON that isn't JSON-RPC 2.0 (a null request id, a missing method, an empty
 * batch) is an invalid request (-32600).
 */
export function parseMessages(text: string): ParsedMessages | RejectedMessages {
  const parsed = parseJson(text)
  return parsed.ok ? messagesOf(parsed.json) : parsed
}

/** The JSON-RPC messages of a parsed JSON body (see {@link parseMessages}). */
export function messagesOf(json: unknown): ParsedMessages | RejectedMessages {
  const batch = Array.isArray(json)
  const items: unknown[] = batch ? (json as unknown[]) : [json]
  if (items.length === 0) {
    return { ok: false, code: RPC_ERROR.invalidRequest, message: 'Invalid Request: empty batch' }
  }
  const messages: JSONRPCMessage[] = []
  let hasInitialize = false
  let hasRequests = false
  for (const item of items) {
    const parsed = schemaFor(item).safeParse(item)
    if (!parsed.success) {
      return {
        ok: false,
        code: RPC_ERROR.invalidRequest,
        message: 'Invalid Request: not a JSON-RPC 2.0 message',
      }
    }
    const message = parsed.data
    if ('method' in message && 'id' in message) {
      hasRequests = true
      if (message.method === 'initialize') {
        if (!isInitializeRequest(message)) {
          return {
            ok: false,
            code: RPC_ERROR.invalidParams,
            message: 'Invalid params: malformed initialize request',
          }
        }
        hasInitialize = true
      }
    }
    messages.push(message)
  }
  return { ok: true, messages, batch, hasInitialize, hasRequests }
}

/**
 * The one member of the SDK's `JSONRPCMessageSchema` union that can accept `item`. All four are
 * strict objects told apart by their keys, so this accepts and rejects exactly what the union
 * does, without parsing (and failing) the other members first.
 */
function schemaFor(item: unknown): ZodType<JSONRPCMessage> {
  if (typeof item !== 'object' || item === null) return JSONRPCMessageSchema
  if ('method' in item) return 'id' in item ? JSONRPCRequestSchema : JSONRPCNotificationSchema
  if ('result' in item) return JSONRPCResultResponseSchema
  if ('error' in item) return JSONRPCErrorResponseSchema
  return JSONRPCMessageSchema
}
