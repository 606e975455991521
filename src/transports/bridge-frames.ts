/**
 * @module
 * What a session object sends the Worker over a bridged stream's WebSocket (DESIGN §7): one
 * frame per SSE event, as JSON text. A frame is either an SSE event to write, raw text to write
 * (a bare `retry:` hint), or the stream's position (`at`: the event id to resume from if the
 * socket breaks, sent before anything else so a resume never depends on an event having been
 * written). Frames too long for one WebSocket message are split into chunks.
 */

/** How a bridged stream's socket is closed, and what the Worker then does with its client's stream. */
export const BRIDGE_CLOSE = {
  /** The stream ended (the session ended, or its object closed it): end the client's stream. */
  done: 1000,
  /** The stream was taken over by a newer connection: drop the client's stream at once. */
  dropped: 4001,
} as const

/** An SSE event (Hono's `SSEMessage` fields). */
export interface EventFrame {
  readonly event?: string
  readonly data: string
  readonly id?: string
  readonly retry?: number
}

/** Something the Worker writes to, or learns about, its client's stream. */
export type BridgeFrame = EventFrame | { readonly raw: string } | { readonly at: string }

/**
 * Workers limit a WebSocket message to 1 MiB. A chunk of this many UTF-16 code units is at most
 * 3 bytes each in UTF-8 (a surrogate pair, two units, is 4), so it always fits.
 */
export const MAX_CHUNK_CHARS = 256 * 1024

/** Marks every chunk of a split frame but the last. A whole frame starts with `{`. */
const MORE = '+'

/** The WebSocket messages that carry `frame`, in order. */
export function encodeFrame(frame: BridgeFrame, maxChars = MAX_CHUNK_CHARS): string[] {
  const text = JSON.stringify(frame)
  // The marker and a whole surrogate pair must fit in a chunk.
  maxChars = Math.max(4, maxChars)
  if (text.length <= maxChars) return [text]
  const chunks: string[] = []
  let start = 0
  while (text.length - start > maxChars) {
    let end = start + maxChars - 1
    // A lone surrogate would be replaced on the wire: never cut between the two of a pair.
    if (isHighSurrogate(text.charCodeAt(end - 1))) end--
    chunks.push(MORE + text.slice(start, end))
    start = end
  }
  chunks.push(text.slice(start))
  return chunks
}

/** Reassembles frames from the WebSocket messages {@link encodeFrame} produced. */
export class FrameDecoder {
  #pending = ''

  /** Takes one message; returns the frame it completes, or undefined for a chunk. */
  push(message: string): BridgeFrame | undefined {
    if (message.startsWith(MORE)) {
      this.#pending += message.slice(MORE.length)
      return undefined
    }
    const text = this.#pending + message
    this.#pending = ''
    return JSON.parse(text) as BridgeFrame
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}
