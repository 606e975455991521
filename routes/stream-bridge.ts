/**
 * @module
 * The Worker's end of a bridged stream. A long-lived SSE stream (`GET /mcp`,
 * `GET /sse`) is returned by the Worker, which writes its keepalives; the session object sends
 * it framed events over a WebSocket it accepted with the hibernation API, so the object sleeps
 * while the client is idle. When that socket breaks (the object restarted or was evicted), the
 * Worker opens a new one, resuming after the last event it wrote, and the client's stream goes
 * on unbroken. When the client goes away, the socket is closed, and the object knows at once.
 */
import {
  BRIDGE_CLOSE,
  closeQuietly,
  FRAMING_HEADER,
  FrameDecoder,
  type Framing,
} from '../src/sse/bridge-frames'
import { SSE_HEADERS, SSEStream } from '../src/sse/sse-stream'

/**
 * Opens the stream's socket: the object's 101 response with its end of the socket, or another
 * response that is the answer to the client (a refusal, or a stream the object serves itself).
 * `resumeAfter` is set when reconnecting: the event id the client has everything up to.
 */
export type OpenStreamSocket = (resumeAfter?: string) => Promise<Response>

/** How a bridge behaves. */
export interface BridgeOptions {
  /** Interval of the keepalive comments the Worker writes. */
  readonly keepaliveMs: number
  /** Waits before each reconnect attempt; the stream ends when they are used up. */
  readonly retryDelaysMs?: readonly number[]
}

/** Reconnect attempts after a broken socket: at once, then backing off for about 10 s. */
const RETRY_DELAYS_MS = [0, 100, 500, 1_000, 2_000, 3_000, 3_000]

/**
 * A socket that breaks sooner than this after it was opened doesn't start the attempts afresh:
 * an object that fails on every reopen is backed off from, then given up on, not hammered.
 */
const SETTLED_MS = 5_000

/** Headers of the object's 101 response that describe the socket, not the client's stream. */
const SOCKET_HEADER = new RegExp(
  `^(upgrade|connection|sec-websocket-.*|content-length|${FRAMING_HEADER})$`,
  'i',
)

/** The framing the object's 101 answer says its messages are in (none: framing 1). */
function framingOf(response: Response): Framing {
  return response.headers.get(FRAMING_HEADER) === '2' ? 2 : 1
}

/**
 * Serves a long-lived stream from the Worker: the response for the client, or the object's own
 * answer when it refused (or served the stream itself).
 */
export async function bridgeStream(
  open: OpenStreamSocket,
  options: BridgeOptions,
): Promise<Response> {
  const first = await open()
  const socket = first.webSocket
  if (first.status !== 101 || socket === null) return first
  const headers: Record<string, string> = { ...SSE_HEADERS }
  first.headers.forEach((value, name) => {
    if (!SOCKET_HEADER.test(name)) headers[name] = value
  })
  const bridge = new StreamBridge(open, options)
  bridge.attach(socket, framingOf(first))
  return bridge.stream.toResponse(headers)
}

/** One client stream and the socket that feeds it now. */
class StreamBridge {
  readonly stream: SSEStream
  readonly #open: OpenStreamSocket
  readonly #retryDelaysMs: readonly number[]
  #socket: WebSocket | undefined
  /** The event id the client has every event up to, as far as the object told us. */
  #resumeAfter: string | undefined
  /** Reconnect attempts already used by sockets that broke before they settled. */
  #attempts = 0
  #attachedAt = 0

  constructor(open: OpenStreamSocket, options: BridgeOptions) {
    this.#open = open
    this.#retryDelaysMs = options.retryDelaysMs ?? RETRY_DELAYS_MS
    // The keepalives go to the client only. The socket needs none: its runtime reports a broken
    // one, and every message to the object would be billed and could wake it.
    this.stream = new SSEStream()
    this.stream.startKeepalive(options.keepaliveMs)
    // The client went away, or the stream ended: let the object know now, not at a later write.
    this.stream.onClose(() => this.#release(this.#socket))
  }

  attach(socket: WebSocket, framing: Framing): void {
    socket.accept()
    this.#socket = socket
    this.#attachedAt = Date.now()
    const decoder = new FrameDecoder(framing)
    socket.addEventListener('message', ({ data }) => {
      if (socket !== this.#socket || typeof data !== 'string') return
      let frame: ReturnType<FrameDecoder['push']>
      try {
        frame = decoder.push(data)
      } catch {
        // Nothing after it can be trusted: a new socket resumes from the last position.
        closeQuietly(socket, BRIDGE_CLOSE.unreadable, 'unreadable message')
        this.#broken(socket, BRIDGE_CLOSE.unreadable)
        return
      }
      if (frame === undefined) return
      if ('at' in frame) {
        this.#resumeAfter = frame.at
        return
      }
      if (frame.id !== undefined) this.#resumeAfter = frame.id
      void this.stream.writeRaw(frame.text)
    })
    socket.addEventListener('close', ({ code }) => this.#broken(socket, code))
    socket.addEventListener('error', () => this.#broken(socket, 1006))
  }

  #broken(socket: WebSocket, code: number): void {
    if (socket !== this.#socket) return
    this.#socket = undefined
    if (this.stream.closed) return
    if (code === BRIDGE_CLOSE.done) void this.stream.close()
    else if (code === BRIDGE_CLOSE.dropped) this.stream.abort()
    else void this.#reconnect()
  }

  async #reconnect(): Promise<void> {
    if (Date.now() - this.#attachedAt >= SETTLED_MS) this.#attempts = 0
    while (this.#attempts < this.#retryDelaysMs.length) {
      const delay = this.#retryDelaysMs[this.#attempts++]!
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
      if (this.stream.closed) return
      let response: Response
      try {
        response = await this.#open(this.#resumeAfter)
      } catch {
        continue
      }
      if (this.stream.closed) {
        this.#release(response.webSocket ?? undefined)
        return
      }
      if (response.status === 101 && response.webSocket !== null) {
        this.attach(response.webSocket, framingOf(response))
        return
      }
      // The session is gone (or refuses us now): the client's stream ends, and its reconnect
      // gets the same answer from the route.
      break
    }
    void this.stream.close()
  }

  #release(socket: WebSocket | undefined): void {
    if (socket === undefined) return
    if (socket === this.#socket) this.#socket = undefined
    try {
      if (socket.readyState === WebSocket.READY_STATE_CONNECTING) socket.accept()
      socket.close(BRIDGE_CLOSE.done, 'client gone')
    } catch {
      // Already closed.
    }
  }
}
