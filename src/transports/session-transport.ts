/**
 * @module
 * The SDK v2 `Transport` that connects one session's `McpServer` to the HTTP streams of that session.
 * Incoming messages are handed to the server with the sink their replies belong on; outgoing
 * messages are routed to exactly one sink: the stream of the request they relate to, else the
 * standalone stream (spec: never broadcast).
 */
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  MessageExtraInfo,
  RequestId,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/server'
import { withInvalidParams } from '../protocol/invalid-params'
import { unknownToolAsResult } from '../protocol/unknown-tool'
import { isResponse, type MessageSink } from './message-sink'
import type { ResponseLimit } from './response-limit'

/**
 * Whether an outgoing message is a request. The SDK built it, so a structural look suffices (no
 * schema parse on the hot path, once per progress notification).
 */
function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message && message.id !== undefined
}

/**
 * Where server→client requests are numbered and recorded until answered. The SDK numbers its
 * requests from 0 in every server instance; a session outlives instances, and spec says an id is
 * never reused within a session, so requests go out under ids from this (durable) ledger.
 */
export interface ServerRequestLedger {
  /** Allocates a session-wide id for a request of `method` and records it as pending. */
  open(method: string): number
  /** Records that the request `id` got its answer (or can't any more). */
  settle(id: RequestId): void
}

/** Options of a {@link SessionTransport}. */
export interface SessionTransportOptions {
  /** Numbers and records server→client requests. */
  readonly requests?: ServerRequestLedger
  /** Sees every message the server sends, after it was routed (plugin hooks). */
  readonly onSend?: (message: JSONRPCMessage, relatedRequestId: RequestId | undefined) => void
  /**
   * The largest message sent. A notification over it is dropped (with a warning), a request
   * over it is refused (`send` rejects, so the server's caller gets the error); a response over
   * it is left to its stream, which sends an error in its place. None: no limit.
   */
  readonly limit?: ResponseLimit
}

/** Routes one session's JSON-RPC traffic between its MCP server and its open streams. */
export class SessionTransport implements Transport {
  readonly sessionId: string
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void

  /** Sinks of requests still in flight, by the client's request id. */
  readonly #routes = new Map<RequestId, MessageSink>()
  /** The `tools/call` requests among them. */
  readonly #toolCalls = new Set<RequestId>()
  /** Our server→client requests in flight: session-wide id → the server's own id. */
  readonly #outgoing = new Map<RequestId, RequestId>()
  readonly #requests: ServerRequestLedger | undefined
  readonly #onSend: SessionTransportOptions['onSend']
  readonly #limit: ResponseLimit | undefined
  #standalone: MessageSink | undefined
  #started = false
  #closed = false

  constructor(sessionId: string, options: SessionTransportOptions = {}) {
    this.sessionId = sessionId
    this.#requests = options.requests
    this.#onSend = options.onSend
    this.#limit = options.limit
  }

  /** Part of the SDK contract; called once by `McpServer.connect`. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('SessionTransport already started')
    this.#started = true
  }

  /**
   * Hands one client message to the server. For a request, `sink` receives everything the server
   * sends in relation to it, ending with its response.
   */
  receive(message: JSONRPCMessage, sink?: MessageSink, extra?: MessageExtraInfo): void {
    if (sink !== undefined && 'method' in message && 'id' in message) {
      this.#routes.set(message.id, sink)
      if (message.method === 'tools/call') this.#toolCalls.add(message.id)
    }
    if (isResponse(message) && this.#requests !== undefined) {
      this.#requests.settle(message.id)
      const own = this.#outgoing.get(message.id)
      // A reply to a request this instance didn't send (it was sent before a restart, whose
      // tool call already ended with an error) has no one waiting: it is accepted and dropped.
      if (own === undefined) return
      this.#outgoing.delete(message.id)
      this.onmessage?.({ ...message, id: own }, extra)
      return
    }
    this.onmessage?.(message, extra)
  }

  /** The sink of request `id`'s reply, while the request is in flight. */
  sinkFor(id: RequestId): MessageSink | undefined {
    return this.#routes.get(id)
  }

  /** The standalone (GET) stream, if one is open. */
  get standalone(): MessageSink | undefined {
    return this.#standalone?.closed ? undefined : this.#standalone
  }

  /** Sets or clears the standalone stream. */
  setStandalone(sink: MessageSink | undefined): void {
    this.#standalone = sink
  }

  /**
   * Routes one message of the SDK's server to the sink it belongs on; a message with nowhere to
   * go is dropped, and so is a notification over the limit (a request over it rejects).
   * Requests go out under session-wide ids; notifications in the key order sessions have always
   * written (`jsonrpc` last, SDK v1's; v2 writes it first), so a stream's bytes are what they were.
   */
  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message)) {
      const toolCall = this.#toolCalls.delete(message.id)
      const response = toolCall
        ? unknownToolAsResult(withInvalidParams(message))
        : withInvalidParams(message)
      const sink = this.#routes.get(message.id)
      this.#routes.delete(message.id)
      sink?.send(response)
      this.#onSend?.(response, message.id)
      return
    }
    let outbound: JSONRPCMessage = message
    if (isRequest(message) && this.#requests !== undefined) {
      const id = this.#requests.open(message.method)
      this.#outgoing.set(id, message.id)
      outbound = { ...message, id }
    } else if ('method' in message && message.method === 'notifications/cancelled') {
      outbound = this.#cancellation(message)
    } else if ('method' in message) {
      const { jsonrpc, ...notification } = message
      outbound = { ...notification, jsonrpc }
    }
    if (this.#limit !== undefined && !this.#fits(outbound, this.#limit)) return
    this.#route(outbound, options?.relatedRequestId)
  }

  /**
   * Sends a notification the framework made itself (not the SDK's server), as it is: on the
   * standalone stream, or into its log.
   */
  notify(notification: JSONRPCNotification): void {
    this.#route(notification, undefined)
  }

  #route(outbound: JSONRPCMessage, related: RequestId | undefined): void {
    // Spec: a message about a request goes on that request's stream, never on the standalone one.
    const target = related === undefined ? this.standalone : this.#routes.get(related)
    if (target !== undefined && !target.closed) target.send(outbound)
    this.#onSend?.(outbound, related)
  }

  /**
   * Whether `message` (a request or notification) is within `limit`. One over it is never sent,
   * nor logged: a notification is dropped with a warning; a request throws, so the tool that
   * awaits it gets the error, and it is no longer pending.
   */
  #fits(message: JSONRPCMessage, limit: ResponseLimit): boolean {
    const bytes = limit.excess(JSON.stringify(message))
    if (bytes === undefined || !('method' in message)) return true
    const over = `${message.method} of ${bytes} bytes; the largest message a session sends is ${limit.maxBytes} bytes (RESPONSE_MAX_BYTES)`
    if (!isRequest(message)) {
      console.warn(`Session ${this.sessionId}: dropped ${over}`)
      return false
    }
    this.#outgoing.delete(message.id)
    this.#requests?.settle(message.id)
    throw new Error(`Request too large: ${over}`)
  }

  /**
   * The server gave up on one of its own requests (a timeout, an abort): the notification names
   * the server's internal id, but the client knows the request by its session-wide one.
   */
  #cancellation(message: JSONRPCMessage): JSONRPCMessage {
    if (!('method' in message) || message.params === undefined) return message
    const own = message.params.requestId
    for (const [sessionWide, serverOwn] of this.#outgoing) {
      if (serverOwn !== own) continue
      this.#outgoing.delete(sessionWide)
      this.#requests?.settle(sessionWide)
      return { ...message, params: { ...message.params, requestId: sessionWide } }
    }
    return message
  }

  /**
   * The client cancelled request `id` (`notifications/cancelled`): the server aborts it and,
   * per spec, sends no response, so its sink is told the request is over.
   */
  cancel(id: RequestId): void {
    const sink = this.#routes.get(id)
    this.#routes.delete(id)
    this.#toolCalls.delete(id)
    sink?.cancel?.(id)
  }

  /** Closes the transport. Idempotent; fires `onclose` once. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#routes.clear()
    this.#toolCalls.clear()
    this.#outgoing.clear()
    this.#standalone = undefined
    this.onclose?.()
  }
}
