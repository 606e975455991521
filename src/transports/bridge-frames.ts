/**
 * @module
 * What a session object sends the Worker over a bridged stream's WebSocket (DESIGN §7): one
 * message per SSE event, already framed as SSE text, so the Worker writes it to its client as
 * it is (no parse, no re-encoding on the hot path), prefixed with the event's id so the Worker
 * knows where its client is. A position message (`@<id>`) tells the Worker the stream's
 * position when nothing was written yet, so a resume never depends on an event having been
 * sent. Messages too long for one WebSocket message are split into chunks.
 *
 * Wire form of a message: `@<id>` (position), or `<id>\n<SSE text>` (`<id>` empty for text that
 * carries none, such as a bare `retry:` hint); a chunk of a longer one starts with `+`.
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

/** Something for the Worker's client stream: an event, raw text, or the stream's position. */
export type BridgeFrame = EventFrame | { readonly raw: string } | { readonly at: string }

/** What the Worker gets back: the stream's position, or SSE text to write (and its event id). */
export type DecodedFrame = { readonly at: string } | { readonly id?: string; readonly text: string }

/**
 * Frames an event as SSE text, byte for byte as Hono's `SSEStreamingApi.writeSSE` does (a test
 * holds the two equal), without a stream to write it into.
 */
export function sseText(frame: EventFrame): string {
  for (const value of [frame.event, frame.id]) {
    if (value && /[\r\n]/.test(value)) throw new Error('event and id must not contain CR or LF')
  }
  const lines = frame.data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`)
  if (frame.event) lines.unshift(`event: ${frame.event}`)
  if (frame.id !== undefined) lines.push(`id: ${frame.id}`)
  if (frame.retry !== undefined) lines.push(`retry: ${frame.retry}`)
  return `${lines.join('\n')}\n\n`
}

/**
 * Workers limit a WebSocket message to 1 MiB. A chunk of this many UTF-16 code units is at most
 * 3 bytes each in UTF-8 (a surrogate pair, two units, is 4), so it always fits.
 */
export const MAX_CHUNK_CHARS = 256 * 1024

/** Marks every chunk of a split message but the last (event ids never start with it). */
const MORE = '+'

/** Marks a position message. */
const POSITION = '@'

/** The WebSocket messages that carry `frame`, in order. */
export function encodeFrame(frame: BridgeFrame, maxChars = MAX_CHUNK_CHARS): string[] {
  const text =
    'at' in frame
      ? `${POSITION}${frame.at}`
      : 'raw' in frame
        ? `\n${frame.raw}`
        : `${frame.id ?? ''}\n${sseText(frame)}`
  if (text.length <= maxChars) return [text]
  // The marker and a whole surrogate pair must fit in a chunk.
  const max = Math.max(4, maxChars)
  const chunks: string[] = []
  let start = 0
  while (text.length - start > max) {
    let end = start + max - 1
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
  push(message: string): DecodedFrame | undefined {
    if (message.startsWith(MORE)) {
      this.#pending += message.slice(MORE.length)
      return undefined
    }
    const whole = this.#pending + message
    this.#pending = ''
    if (whole.startsWith(POSITION)) return { at: whole.slice(POSITION.length) }
    const newline = whole.indexOf('\n')
    const id = whole.slice(0, newline)
    const text = whole.slice(newline + 1)
    return id === '' ? { text } : { id, text }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

/** Closes `socket` with `code`; one that is closed already (or none) stays so. */
export function closeQuietly(socket: WebSocket | undefined, code: number, reason: string): void {
  try {
    socket?.close(code, reason)
  } catch {
    // Already closed.
  }
}
