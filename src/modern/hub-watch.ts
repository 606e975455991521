/**
 * @module
 * One watch of a `ResourceHub` from the Worker: a WebSocket to the hub's `/watch`, each message
 * one of the hub's events. The socket belongs to the request that opened it (a Worker may not
 * share I/O across requests). While it is open the Worker pings it, which the runtime answers
 * for the hub without waking it; a socket that stops answering, or closes under the watch (the
 * hub restarted, or was evicted with its sockets closed), is replaced, a few times with growing
 * pauses, before the watch counts as broken.
 */

import { closeQuietly } from '../sse/bridge-frames'

/** What a watch needs of the hub's stub. */
export interface WatchedHub {
  fetch(request: Request): Promise<Response>
}

/** What a watch tells its owner. */
export interface WatchListener {
  /** Each of the hub's messages (`ready` first on every socket). */
  onMessage(line: string): void
  /** A socket replaced a broken one: events may have been missed in between. */
  onReconnected(): void
}

/**
 * One open watch: `ready` once the hub has it (true) or it failed to open (false), `ended` when
 * it stops, with whether it broke (it was open, could not be reopened, and nobody closed it).
 */
export interface HubWatch {
  readonly ready: Promise<boolean>
  readonly ended: Promise<boolean>
  /** Stops the watch and closes its socket. */
  close(): void
}

/** Pauses before each attempt to reopen a broken watch (each scaled by 0.5–1.5 at random). */
const RECONNECT_DELAYS_MS: readonly number[] = [100, 250, 500, 1_000, 2_000]

/** How a watch pings and reconnects. */
export interface WatchTiming {
  /** Interval of pings while the socket is open. */
  readonly pingMs: number
  /** A socket silent (no pong, no event) this long is taken for dead; default 3 pings, ≥ 5 s. */
  readonly silenceMs?: number
  /** Pauses before the attempts to reopen; default {@link RECONNECT_DELAYS_MS}. */
  readonly reconnectDelaysMs?: readonly number[]
}

/** Watches `hub` over a WebSocket. */
export function watchHub(hub: WatchedHub, listener: WatchListener, timing: WatchTiming): HubWatch {
  const { pingMs, reconnectDelaysMs = RECONNECT_DELAYS_MS } = timing
  const silenceMs = timing.silenceMs ?? Math.max(3 * pingMs, 5_000)
  let closed = false
  let socket: WebSocket | undefined
  let interrupt: (() => void) | undefined
  let ready!: (opened: boolean) => void
  const isReady = new Promise<boolean>((resolve) => {
    ready = resolve
  })

  const ended = (async () => {
    let opened = false
    // Attempts to reopen since the last socket that lasted (got `ready`, and a ping's time).
    let failures = 0
    while (!closed) {
      if (opened) {
        const delay = reconnectDelaysMs[failures++]
        if (delay === undefined) return true
        await pause(delay * (0.5 + Math.random()), (wake) => {
          interrupt = wake
        })
        if (closed) break
      }
      socket = await connect(hub)
      if (closed) {
        closeQuietly(socket, 1000, 'watch over')
        break
      }
      // A watch that never opened doesn't hold the acknowledgement back (nor break the stream).
      if (socket === undefined && !opened) break
      if (socket === undefined) continue
      const reconnected = opened
      const since = Date.now()
      const gotReady = await follow(socket, pingMs, silenceMs, (line) => {
        if (line === 'ready') {
          opened = true
          ready(true)
          if (reconnected) listener.onReconnected()
        }
        listener.onMessage(line)
      })
      if (!gotReady && !opened) break
      if (gotReady && Date.now() - since >= pingMs) failures = 0
    }
    return false
  })().finally(() => ready(false))

  return {
    ready: isReady,
    ended,
    close() {
      closed = true
      interrupt?.()
      closeQuietly(socket, 1000, 'watch over')
    },
  }
}

/** Opens a socket to the hub's `/watch`, or undefined if it can't be had. */
async function connect(hub: WatchedHub): Promise<WebSocket | undefined> {
  try {
    const response = await hub.fetch(
      new Request('https://hub/watch', { headers: { Upgrade: 'websocket' } }),
    )
    const socket = response.webSocket
    if (socket === null) {
      await response.body?.cancel()
      return undefined
    }
    socket.accept()
    return socket
  } catch {
    return undefined
  }
}

/**
 * Passes `socket`'s messages (pongs aside) to `onMessage` until it closes or falls silent;
 * settles with whether `ready` came.
 */
function follow(
  socket: WebSocket,
  pingMs: number,
  silenceMs: number,
  onMessage: (line: string) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    const decoder = new TextDecoder()
    let gotReady = false
    let over = false
    let heardAt = Date.now()
    const done = () => {
      if (over) return
      over = true
      clearInterval(pinger)
      closeQuietly(socket, 1000, 'watch over')
      resolve(gotReady)
    }
    const pinger = setInterval(() => {
      if (Date.now() - heardAt > silenceMs) return done()
      try {
        socket.send('ping')
      } catch {
        done()
      }
    }, pingMs)
    socket.addEventListener('message', (event) => {
      if (over) return
      heardAt = Date.now()
      const line = typeof event.data === 'string' ? event.data : decoder.decode(event.data)
      if (line === 'pong') return
      if (line === 'ready') gotReady = true
      onMessage(line)
    })
    socket.addEventListener('close', done)
    socket.addEventListener('error', done)
  })
}

/** Waits `ms`, or less if the wake-up `register` is handed gets called. */
function pause(ms: number, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    register(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
