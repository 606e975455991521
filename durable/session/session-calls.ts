/**
 * @module
 * The Worker↔object call contract: what the Worker's routes send a session object (the RPC
 * payloads of `SessionDO`'s methods and the socket call of a bridged stream) and what it answers.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { type Principal, type SessionKind, STREAM_CALL_HEADER } from '../../src/types'

/** What every call from the Worker carries besides its payload. */
export interface SessionCall {
  /** Who the Worker authenticated (`anonymous` without auth); never set by the client. */
  readonly principal: Principal
  /** The HTTP request's id, for logs. */
  readonly requestId: string
  /** The transport the request arrived on. */
  readonly kind: SessionKind
}

/** A `POST /mcp` or `POST /messages` after the Worker parsed and validated its body. */
export interface SessionPost extends SessionCall {
  readonly messages: JSONRPCMessage[]
  readonly batch: boolean
}

/** A `GET /mcp`: the standalone stream, or (with `lastEventId`) a resumed one. */
export interface StreamOpen extends SessionCall {
  readonly lastEventId?: string
  /**
   * The Worker reconnects a bridged stream whose socket broke (`lastEventId` is where its client
   * is): what a new connection starts with (priming, `endpoint`) was sent already.
   */
  readonly reconnect?: boolean
  /**
   * The highest bridge framing the Worker reads (`bridge-frames.ts`); {@link streamSocketRequest}
   * sets it. A Worker of the previous version sends none, and reads framing 1.
   */
  readonly framing?: number
}

/** A `GET /sse`: a new session (`create`) or a reconnect to an existing one. */
export interface SseConnect extends StreamOpen {
  /** The URI the client must POST its messages to (the `endpoint` event's data). */
  readonly endpoint: string
  readonly create: boolean
}

/** What a bridged stream's socket request opens: the standalone stream, or an HTTP+SSE one (`'legacy'` on the wire, as v0.1.0 sent it). */
export type StreamSocketCall =
  | ({ readonly stream: 'standalone' } & StreamOpen)
  | ({ readonly stream: 'legacy' } & SseConnect)

/** The call a socket request carries; undefined for any other request. */
export function streamSocketCall(request: Request): StreamSocketCall | undefined {
  const header = request.headers.get(STREAM_CALL_HEADER)
  if (header === null || request.headers.get('upgrade') !== 'websocket') return undefined
  return JSON.parse(header) as StreamSocketCall
}

/** A whole reply as plain data: status, headers, and the body text if there is one. */
export interface PlainReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
}

/** What a session object answers a call with. */
export type SessionReply = Response | PlainReply
