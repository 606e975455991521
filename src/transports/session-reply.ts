/**
 * @module
 * What a session object's RPC methods answer with. A `Response` that crosses RPC carries its
 * body as a stream between the object and the Worker, and the runtime serializes the response
 * itself; a reply that is known in full (JSON, or no body at all) travels as plain data instead,
 * and becomes a `Response` in the Worker. That saves tens of microseconds of CPU per call on the
 * hot path (a tool call's JSON reply, a notification's or a legacy POST's 202). Streams and the
 * rarer errors stay `Response`s.
 */

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

/** A JSON reply, as `Response.json` would build it. */
export function jsonReply(
  body: unknown,
  status: number,
  headers: Readonly<Record<string, string>> = {},
): PlainReply {
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}

/** The Worker's `Response` for a session object's reply. */
export function toResponse(reply: SessionReply): Response {
  if (reply instanceof Response) return reply
  return new Response(reply.body ?? null, { status: reply.status, headers: reply.headers })
}
