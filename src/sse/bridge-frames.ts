/**
 * @module
 * What a session object sends the Worker over a bridged stream's WebSocket: one
 * message per SSE event, already framed as SSE text, so the Worker writes it to its client as
 * it is (no parse, no re-encoding on the hot path), with the event's id so the Worker knows
 * where its client is. A position message tells the Worker the stream's position when nothing
 * was written yet, so a resume never depends on an event having been sent. Messages too long
 * for one WebSocket message are split into parts.
 *
 * Wire form (framing 2): every message starts with one character that says what it is, and the
 * decoder reads that, never the payload, so no payload can pass for a marker:
 * - `@<id>`: the stream's position;
 * - `=<id>\n<SSE text>`: a whole frame (`<id>` empty for text that carries none, such as a bare
 *   `retry:` hint);
 * - `+<part>`: a part of a frame too long for one message, more parts follow;
 * - `.<part>`: the last part of one.
 *
 * Each end says which framing it reads: the Worker in its socket request, the object in its 101
 * answer ({@link FRAMING_HEADER}). An end that says nothing is of the previous version and
 * reads framing 1 (`bridge-frames-v1.ts`).
 */
import { encodeFrameV1, FrameDecoderV1 } from './bridge-frames-v1'

/** How a bridged stream's socket is closed, and what the Worker then does with its client's stream. */
export const BRIDGE_CLOSE = {
  /** The stream ended (the session ended, or its object closed it): end the client's stream. */
  done: 1000,
  /** The stream was taken over by a newer connection: drop the client's stream at once. */
  dropped: 4001,
  /** (Worker to object) A message the Worker could not read: it reconnects from its position. */
  unreadable: 4002,
} as const

/** The framings of a bridged stream's messages: 2 marks every message, 1 is the previous one. */
export type Framing = 1 | 2

/** The framing this version speaks when the other end reads it. */
export const FRAMING: Framing = 2

/** The header of the object's 101 answer that names the framing it sends. */
export const FRAMING_HEADER = 'x-mcp-bridge-frames'

/**
 * The framing to speak to an end that announced `announced` (the highest it reads): framing 2
 * when it reads that or later, else framing 1 (an end of the previous version announces none).
 */
export function framingFor(announced: unknown): Framing {
  return typeof announced === 'number' && announced >= 2 ? 2 : 1
}

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

const POSITION = '@'
const WHOLE = '='
const MORE = '+'
const LAST = '.'

/** The WebSocket messages that carry `frame`, in order, in `framing`. */
export function encodeFrame(
  frame: BridgeFrame,
  maxChars = MAX_CHUNK_CHARS,
  framing: Framing = FRAMING,
): string[] {
  if ('at' in frame) return [`${POSITION}${frame.at}`]
  const body = 'raw' in frame ? `\n${frame.raw}` : `${frame.id ?? ''}\n${sseText(frame)}`
  if (framing === 1) return encodeFrameV1(body, maxChars)
  if (body.length < maxChars) return [WHOLE + body]
  const parts = split(body, Math.max(3, maxChars - 1))
  const last = parts.length - 1
  return parts.map((part, index) => (index < last ? MORE : LAST) + part)
}

/** Reassembles frames from the WebSocket messages {@link encodeFrame} produced. */
export class FrameDecoder {
  readonly #v1: FrameDecoderV1 | undefined
  /** The parts of a split frame so far; undefined between frames. */
  #pending: string | undefined

  constructor(framing: Framing = FRAMING) {
    this.#v1 = framing === 1 ? new FrameDecoderV1() : undefined
  }

  /**
   * Takes one message; returns the frame it completes, or undefined for a part. Throws for a
   * message of no known kind, or one out of order: the stream can't go on from it.
   */
  push(message: string): DecodedFrame | undefined {
    if (this.#v1 !== undefined) return this.#v1.push(message)
    const kind = message.charAt(0)
    const rest = message.slice(1)
    if (kind === MORE) {
      this.#pending = (this.#pending ?? '') + rest
      return undefined
    }
    if (kind === LAST) {
      if (this.#pending === undefined)
        throw new Error('Bridge frame out of order: a last part alone')
      const whole = this.#pending + rest
      this.#pending = undefined
      return textFrame(whole)
    }
    if (this.#pending !== undefined) throw new Error('Bridge frame out of order: a split frame cut')
    if (kind === WHOLE) return textFrame(rest)
    if (kind === POSITION) return { at: rest }
    throw new Error(`Bridge frame of unknown kind: ${JSON.stringify(kind)}`)
  }
}

/** A frame's `<id>\n<SSE text>`, read. */
function textFrame(body: string): DecodedFrame {
  const newline = body.indexOf('\n')
  if (newline === -1) throw new Error('Bridge frame without an id line')
  const id = body.slice(0, newline)
  const text = body.slice(newline + 1)
  return id === '' ? { text } : { id, text }
}

/** `text` in parts of at most `size` code units, never cut between the two of a surrogate pair. */
function split(text: string, size: number): string[] {
  const parts: string[] = []
  let start = 0
  while (text.length - start > size) {
    let end = start + size
    // A lone surrogate would be replaced on the wire.
    if (isHighSurrogate(text.charCodeAt(end - 1))) end--
    parts.push(text.slice(start, end))
    start = end
  }
  parts.push(text.slice(start))
  return parts
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
