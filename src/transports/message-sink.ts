/**
 * @module
 * The seam between the session transport and whatever carries messages to the client: a POST's
 * reply, a standalone SSE stream, or (later) a stream that lives outside the object.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server'

/** Somewhere outbound JSON-RPC messages can be delivered, in the order they are sent. */
export interface MessageSink {
  /** Delivers one message. Must not throw; a sink that can no longer deliver drops the message. */
  send(message: JSONRPCMessage): void
  /** Whether the sink can no longer deliver anything. */
  readonly closed: boolean
  /** Ends the sink, if it is something that can be ended (a stream). */
  close?(): Promise<void> | void
  /** Request `id`, carried by this sink, was cancelled: no response will come for it. */
  cancel?(id: RequestId): void
}

/** Whether `message` is a response (a result or an error) rather than a request or notification. */
export function isResponse(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return !('method' in message) && 'id' in message && message.id !== undefined
}

/** Wraps `sink` so that `then` runs when the request it carries gets a successful response. */
export function onSuccess(sink: MessageSink, then: () => void): MessageSink {
  return {
    get closed() {
      return sink.closed
    },
    send(message) {
      if ('result' in message) then()
      sink.send(message)
    },
  }
}
