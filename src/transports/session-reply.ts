/**
 * @module
 * What a session object's RPC methods answer with. A `Response` that crosses RPC carries its
 * body as a stream between the object and the Worker, and the runtime serializes the response
 * itself; a reply that is known in full (JSON, or no body at all) travels as plain data instead,
 * and becomes a `Response` in the Worker. That saves tens of microseconds of CPU per call on the
 * hot path (a tool call's JSON reply, a notification's or a legacy POST's 202). Streams and the
 * rarer errors stay `Response`s, and so does a long JSON reply: an RPC value may be at most 32 MiB
 * (a batch's reply may hold up to `BATCH_REPLY_MAX_BYTES`), while a `Response`'s body streams.
 */
import type { SentMessage } from './response-limit'

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
 * The JSON reply that carries `messages` (a batch's in an array, else its one message), each as
 * it is to be sent (its JSON final: bounded by the reply's `ReplyBudget` already). Up to `quickChars`
 * characters the reply is plain data; past that, a `Response` whose body streams.
 */
export function messagesReply(
  messages: readonly SentMessage[],
  batch: boolean,
  headers: Readonly<Record<string, string>>,
  quickChars: number,
): SessionReply {
  const json = { ...headers, 'content-type': 'application/json' }
  if (!batch) {
    const { text } = messages[0]!
    if (text.length <= quickChars) return { status: 200, headers: json, body: text }
    return streamedReply([text], json)
  }
  const length = messages.reduce((sum, { text }) => sum + text.length + 1, 1)
  if (length <= quickChars) {
    return { status: 200, headers: json, body: `[${messages.map(({ text }) => text).join(',')}]` }
  }
  return streamedReply(
    messages.map(({ text }, index) => (index === 0 ? '[' : ',') + text).concat(']'),
    json,
  )
}

/**
 * A 200 whose body is `pieces`, encoded one at a time as the reader pulls; a piece sent is let
 * go at once.
 */
function streamedReply(
  pieces: Array<string | undefined>,
  headers: Record<string, string>,
): Response {
  const encoder = new TextEncoder()
  let next = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[next]
      pieces[next++] = undefined
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
