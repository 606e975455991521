/**
 * @module
 * What the Worker's routes send a session object: the RPC payloads of `SessionDO`'s methods.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
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
}

/** A `GET /sse`: a new session (`create`) or a reconnect to an existing one. */
export interface LegacyConnect extends StreamOpen {
  /** The URI the client must POST its messages to (the `endpoint` event's data). */
  readonly endpoint: string
  readonly create: boolean
}
