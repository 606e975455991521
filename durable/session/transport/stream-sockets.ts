/**
 * @module
 * The session object's end of its bridged streams: the Worker holds the client's SSE
 * response and reaches the object over a WebSocket the object accepted with the hibernation API,
 * so an idle object with connected clients can hibernate and be evicted. Each socket is one
 * connection of one logical stream (`get` or `sse`), named by its attachment, so the object knows
 * its connections again after waking (`ctx.getWebSockets()`).
 */
import {
  BRIDGE_CLOSE,
  type BridgeFrame,
  closeQuietly,
  type EventFrame,
  encodeFrame,
  FRAMING_HEADER,
  type Framing,
  MAX_CHUNK_CHARS,
} from '../../../src/sse/bridge-frames'
import { SSEStream, type SSEWire } from '../../../src/sse/sse-stream'

/** What a stream's socket remembers across hibernation. */
interface SocketAttachment {
  /** The logical stream: `get` (standalone) or `sse` (HTTP+SSE). */
  readonly stream: string
  /** Order of acceptance: the newest socket of a stream is its connection. */
  readonly order: number
  /** The progress gap of the stream's connection (HTTP+SSE streams). */
  readonly progressGapMs: number
  /** The framing the Worker at the other end reads (absent on sockets of the previous version). */
  readonly framing?: Framing
}

/** One connection over a socket: frames as WebSocket messages. */
class SocketWire implements SSEWire {
  readonly #listeners: Array<() => void> = []
  #gone = false

  constructor(
    readonly socket: WebSocket,
    readonly framing: Framing,
  ) {}

  async writeSSE(message: EventFrame): Promise<void> {
    this.#send(message)
  }

  async write(text: string): Promise<void> {
    this.#send({ raw: text })
  }

  mark(eventId: string): void {
    this.#send({ at: eventId })
  }

  async close(): Promise<void> {
    this.#close(BRIDGE_CLOSE.done, 'stream ended')
  }

  abort(): void {
    this.#close(BRIDGE_CLOSE.dropped, 'stream taken over')
  }

  onAbort(listener: () => void): void {
    this.#listeners.push(listener)
  }

  /** The socket closed from the Worker's side (or broke): the connection is gone. */
  gone(): void {
    if (this.#gone) return
    this.#gone = true
    for (const listener of this.#listeners.splice(0)) listener()
  }

  #send(frame: BridgeFrame): void {
    // A socket that is closing or closed throws; the stream treats that as a gone client.
    for (const chunk of encodeFrame(frame, MAX_CHUNK_CHARS, this.framing)) this.socket.send(chunk)
  }

  #close(code: number, reason: string): void {
    closeQuietly(this.socket, code, reason)
    this.gone()
  }
}

/** A stream's connection over a socket, found again after the object woke. */
export interface AdoptedConnection {
  readonly stream: string
  readonly connection: SSEStream
}

/** The bridged-stream sockets of one session object. */
export class StreamSockets {
  readonly #ctx: DurableObjectState
  readonly #wires = new Map<WebSocket, SocketWire>()

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx
    // The Worker sends nothing on these sockets; should anything ping one, the runtime answers
    // without waking a hibernating object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
  }

  /** Whether any bridged stream has a connected client. */
  get connected(): boolean {
    return this.#ctx.getWebSockets().length > 0
  }

  /**
   * Accepts a new socket for `stream`, whose messages are sent in `framing`: the connection to
   * attach, and the Worker's end of the socket for the 101 response.
   */
  accept(
    stream: string,
    framing: Framing,
    progressGapMs = 0,
  ): { connection: SSEStream; client: WebSocket } {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket]
    this.#ctx.acceptWebSocket(server, [stream])
    const order = Math.max(0, ...this.#attachments().map(({ order }) => order)) + 1
    const attachment: SocketAttachment = { stream, order, progressGapMs, framing }
    server.serializeAttachment(attachment)
    return { connection: this.#connect(server, attachment), client }
  }

  /**
   * The connections of a freshly woken object: the newest socket of each stream. Older ones (a
   * takeover that raced a hibernation) are closed as taken over.
   */
  adopt(): AdoptedConnection[] {
    const newest = new Map<string, { socket: WebSocket; attachment: SocketAttachment }>()
    for (const socket of this.#ctx.getWebSockets()) {
      const attachment = socket.deserializeAttachment() as SocketAttachment | null
      if (attachment === null) continue
      const current = newest.get(attachment.stream)
      if (current !== undefined && current.attachment.order > attachment.order) {
        closeQuietly(socket, BRIDGE_CLOSE.dropped, 'stream taken over')
        continue
      }
      if (current !== undefined)
        closeQuietly(current.socket, BRIDGE_CLOSE.dropped, 'stream taken over')
      newest.set(attachment.stream, { socket, attachment })
    }
    return [...newest.values()].map(({ socket, attachment }) => ({
      stream: attachment.stream,
      connection: this.#connect(socket, attachment),
    }))
  }

  /** A socket closed or broke: its connection is gone. */
  closed(socket: WebSocket): void {
    this.#wires.get(socket)?.gone()
    this.#wires.delete(socket)
  }

  /** Ends every bridged stream (the session ended). */
  closeAll(): void {
    for (const socket of this.#ctx.getWebSockets()) {
      closeQuietly(socket, BRIDGE_CLOSE.done, 'session ended')
      this.closed(socket)
    }
  }

  #connect(socket: WebSocket, attachment: SocketAttachment): SSEStream {
    const wire = new SocketWire(socket, attachment.framing ?? 1)
    this.#wires.set(socket, wire)
    wire.onAbort(() => this.#wires.delete(socket))
    return new SSEStream({ progressGapMs: attachment.progressGapMs, wire })
  }

  #attachments(): SocketAttachment[] {
    return this.#ctx
      .getWebSockets()
      .map((socket) => socket.deserializeAttachment() as SocketAttachment | null)
      .filter((attachment): attachment is SocketAttachment => attachment !== null)
  }
}

/**
 * The 101 answer that hands the Worker its end of a stream's socket, with the stream's headers
 * and the framing of its messages (a Worker of the previous version ignores it).
 */
export function socketResponse(
  client: WebSocket,
  headers: Record<string, string>,
  framing: Framing,
): Response {
  const answer = framing === 1 ? headers : { ...headers, [FRAMING_HEADER]: String(framing) }
  return new Response(null, { status: 101, webSocket: client, headers: answer })
}
