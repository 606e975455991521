/**
 * @module
 * Turns a request body into JSON-RPC messages, using the SDK's own message schema.
 */

import {
  JSONRPCErrorResponseSchema,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
} from '@modelcontextprotocol/core'
import {
  isInitializeRequest,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/server'
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
  /** The id of the request the error answers, when it is known and may be echoed. */
  readonly id?: RequestId
}

/**
 * How deep a body's arrays and objects may nest. MCP messages need a handful of levels; a body
 * nested thousands deep is refused before it is parsed (the runtime could not pass it on to a
 * session's object anyway).
 */
export const MAX_JSON_DEPTH = 64

/** Whether `text` nests arrays and objects deeper than `limit` (strings are skipped). */
function nestsDeeper(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (inString) {
      if (char === 92)
        i++ // backslash: the next character is escaped
      else if (char === 34) inString = false
    } else if (char === 34) inString = true
    else if (char === 91 || char === 123) {
      if (++depth > limit) return true
    } else if (char === 93 || char === 125) depth--
  }
  return false
}

/**
 * The most characters a request id or a `_meta.progressToken` may have. Clients send numbers or
 * UUIDs; what a session logs repeats them (a progress token is in every progress event), so one
 * request must not be able to multiply a long one into megabytes of log.
 */
export const MAX_ID_LENGTH = 256

/**
 * Refuses `json` (a message, or a batch of them) if a request in it has an id (-32600, answered
 * with id null: the id is what is wrong) or a `_meta.progressToken` (-32602, with the request's
 * id) longer than {@link MAX_ID_LENGTH}. Works on any JSON, so a route can check a body it hands
 * on unparsed.
 */
export function oversizedIdRefusal(json: unknown): RejectedMessages | undefined {
  if (Array.isArray(json)) {
    for (const item of json) {
      const refusal = oversizedIdRefusal(item)
      if (refusal) return refusal
    }
    return undefined
  }
  if (typeof json !== 'object' || json === null || !('method' in json) || !('id' in json)) {
    return undefined
  }
  const id = json.id
  if (typeof id === 'string' && id.length > MAX_ID_LENGTH) {
    return {
      ok: false,
      code: RPC_ERROR.invalidRequest,
      message: `Invalid Request: a request id may be at most ${MAX_ID_LENGTH} characters`,
    }
  }
  const progressToken = member(member(member(json, 'params'), '_meta'), 'progressToken')
  if (typeof progressToken !== 'string' || progressToken.length <= MAX_ID_LENGTH) return undefined
  return {
    ok: false,
    code: RPC_ERROR.invalidParams,
    message: `Invalid params: _meta.progressToken may be at most ${MAX_ID_LENGTH} characters`,
    id: typeof id === 'string' || typeof id === 'number' ? id : undefined,
  }
}

/** `value[key]` when `value` is an object. */
function member(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined
}

/** A body that parsed as JSON. */
export interface ParsedJson {
  readonly ok: true
  readonly json: unknown
}

/**
 * Parses a request body as JSON; one that doesn't parse is a parse error (-32700), one nested
 * deeper than {@link MAX_JSON_DEPTH} an invalid request (-32600).
 */
export function parseJson(text: string): ParsedJson | RejectedMessages {
  if (nestsDeeper(text, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      code: RPC_ERROR.invalidRequest,
      message: `Invalid Request: the body nests deeper than ${MAX_JSON_DEPTH} levels`,
    }
  }
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
  const ids = new Set<string | number>()
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
    const oversized = oversizedIdRefusal(message)
    if (oversized) return oversized
    if ('method' in message && 'id' in message) {
      // JSON-RPC: each request of a batch needs an id of its own to get its own response.
      if (ids.has(message.id)) {
        return {
          ok: false,
          code: RPC_ERROR.invalidRequest,
          message: `Invalid Request: request id ${JSON.stringify(message.id)} appears twice in the batch`,
        }
      }
      ids.add(message.id)
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
