/**
 * @module
 * What the Worker's routes send a session object: the RPC payloads of `SessionDO`'s methods.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { FRAMING } from '../src/transports/bridge-frames'
import type { Principal, SessionKind } from '../src/types'

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
export interface LegacyConnect extends StreamOpen {
  /** The URI the client must POST its messages to (the `endpoint` event's data). */
  readonly endpoint: string
  readonly create: boolean
}

/** What a bridged stream's socket request opens: the standalone stream, or a legacy one. */
export type StreamSocketCall =
  | ({ readonly stream: 'standalone' } & StreamOpen)
  | ({ readonly stream: 'legacy' } & LegacyConnect)

/** The header of a socket request that carries its call (set by the Worker, never by a client). */
const CALL_HEADER = 'x-mcp-stream-call'

/**
 * The request that opens a bridged stream's socket on a session object. WebSocket upgrades go
 * through `fetch`, not RPC, so the call travels in a header.
 */
export function streamSocketRequest(call: StreamSocketCall): Request {
  return new Request('https://session.internal/stream', {
    headers: { upgrade: 'websocket', [CALL_HEADER]: JSON.stringify({ ...call, framing: FRAMING }) },
  })
}

/** The call a socket request carries; undefined for any other request. */
export function streamSocketCall(request: Request): StreamSocketCall | undefined {
  const header = request.headers.get(CALL_HEADER)
  if (header === null || request.headers.get('upgrade') !== 'websocket') return undefined
  return JSON.parse(header) as StreamSocketCall
}
