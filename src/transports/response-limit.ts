/**
 * @module
 * The largest message a session sends (`RESPONSE_MAX_BYTES`), and the error that stands in for
 * a response over it, under the response's own id. (Notifications and server→client requests
 * over it are never sent: `SessionTransport` drops or refuses them.) Responses are measured
 * where they are serialized anyway (a JSON reply's body, an SSE event), so one of normal size
 * costs a length comparison: a text of n UTF-16 code units is at most 3n bytes of UTF-8, and
 * only a text longer than a third of the limit is measured byte by byte.
 */
import type { JSONRPCErrorResponse, JSONRPCMessage, RequestId } from '@modelcontextprotocol/server'
import { RPC_ERROR } from '../protocol/json-rpc-error'
import { isResponse } from './message-sink'

/** A message as it is sent: the message, and its JSON. */
export interface SentMessage {
  readonly message: JSONRPCMessage
  readonly text: string
}

/** The largest message a session sends. */
export class ResponseLimit {
  /** Texts up to this many code units fit, whatever they hold. */
  readonly quickChars: number

  /** @param maxBytes The largest message, in UTF-8 bytes of its JSON. */
  constructor(readonly maxBytes: number) {
    this.quickChars = Math.floor(maxBytes / 3)
  }

  /**
   * The error to send instead of `message`, whose JSON is `text`, when it is a response over the
   * limit; undefined when it may be sent as it is (any request or notification too).
   */
  replacement(message: JSONRPCMessage, text: string): SentMessage | undefined {
    if (!isResponse(message)) return undefined
    const bytes = this.excess(text)
    return bytes === undefined ? undefined : this.over(message, bytes)
  }

  /** The size of `text` in UTF-8 bytes when that is over the limit; undefined when it fits. */
  excess(text: string): number | undefined {
    if (text.length <= this.quickChars) return undefined
    const bytes = utf8Length(text)
    return bytes > this.maxBytes ? bytes : undefined
  }

  /** The error to send instead of response `message`, `bytes` long, when that is over the limit. */
  over(message: JSONRPCMessage & { id: RequestId }, bytes: number): SentMessage | undefined {
    if (bytes <= this.maxBytes) return undefined
    return responseError(
      message.id,
      `Response too large: ${bytes} bytes; the largest response is ${this.maxBytes} bytes (RESPONSE_MAX_BYTES)`,
    )
  }
}

/** A `-32603` error response under `id`, as it is sent. */
export function responseError(id: RequestId, text: string): SentMessage {
  const error: JSONRPCErrorResponse = {
    jsonrpc: '2.0',
    id,
    error: { code: RPC_ERROR.internalError, message: text },
  }
  return { message: error, text: JSON.stringify(error) }
}

/** The length of `text` in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) bytes += 1
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair: two code units, four bytes.
      bytes += 2
      i++
    } else bytes += 2
  }
  return bytes
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
