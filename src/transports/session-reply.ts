/**
 * @module
 * What a session object's RPC methods answer with. A `Response` that crosses RPC carries its
 * body as a stream between the object and the Worker, and the runtime serializes the response
 * itself; a reply that is known in full (JSON, or no body at all) travels as plain data instead,
 * and becomes a `Response` in the Worker. That saves tens of microseconds of CPU per call on the
 * hot path (a tool call's JSON reply, a notification's or a legacy POST's 202). Streams and the
 * rarer errors stay `Response`s, and so does a long JSON reply: an RPC value may be at most 32 MiB
 * (and a batch's reply has no such bound), while a `Response`'s body streams.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import type { ResponseLimit } from './response-limit'

/** A whole reply as plain data: status, headers, and the body text if there is one. */
export interface PlainReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
}

/** What a session object answers a call with. */
export type SessionReply = Response | PlainReply

/** A reply with no body (202 Accepted for notifications and legacy POSTs). */
export function emptyReply(status: number, headers: Readonly<Record<string, string>>): PlainReply {
  return { status, headers }
}

/**
 * The JSON reply that carries `messages` (a batch's in an array, else its one message), every
 * response over `limit` replaced by its error. Up to a third of the limit in characters (where
 * no response can be over it) the reply is plain data, its length the one thing checked; past
 * that, each response is measured and the reply is a `Response` whose body streams.
 */
export function messagesReply(
  messages: readonly JSONRPCMessage[],
  batch: boolean,
  headers: Readonly<Record<string, string>>,
  limit: ResponseLimit,
): SessionReply {
  const json = { ...headers, 'content-type': 'application/json' }
  if (!batch) {
    const message = messages[0]!
    const text = JSON.stringify(message)
    if (text.length <= limit.quickChars) return { status: 200, headers: json, body: text }
    return streamedReply([limit.replacement(message, text)?.text ?? text], json)
  }
  const parts = messages.map((message) => JSON.stringify(message))
  const length = parts.reduce((sum, part) => sum + part.length + 1, 1)
  if (length <= limit.quickChars)
    return { status: 200, headers: json, body: `[${parts.join(',')}]` }
  const pieces = parts.map(
    (text, index) =>
      (index === 0 ? '[' : ',') + (limit.replacement(messages[index]!, text)?.text ?? text),
  )
  return streamedReply([...pieces, ']'], json)
}

/** A 200 whose body is `pieces`, encoded one at a time as the reader pulls. */
function streamedReply(pieces: readonly string[], headers: Record<string, string>): Response {
  const encoder = new TextEncoder()
  let next = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[next++]
      if (piece === undefined) controller.close()
      else controller.enqueue(encoder.encode(piece))
    },
  })
  return new Response(body, { status: 200, headers })
}

/** The Worker's `Response` for a session object's reply. */
export function toResponse(reply: SessionReply): Response {
  if (reply instanceof Response) return reply
  return new Response(reply.body ?? null, { status: reply.status, headers: reply.headers })
}
