/**
 * @module
 * Framing 1 of a bridged stream's messages: the framing of the version before framing 2 (see
 * `bridge-frames.ts`), spoken only to an end of that version. A deploy runs both for a while:
 * an object that restarts on the new code gets reconnects from the old Worker that holds its
 * client's stream, and a new Worker can reach an object still on the old code (or, in a gradual
 * deployment, on the old version throughout). Delete this once no deployment runs that version.
 *
 * Wire form: `@<id>` (position), or `<id>\n<SSE text>` unmarked; each chunk of a split message
 * but the last starts with `+`. The decoder takes any message that starts with `+` for a chunk,
 * so a last chunk whose payload starts with `+` is misread: framing 2 marks every message.
 */
import type { DecodedFrame } from './bridge-frames'

const MORE = '+'
const POSITION = '@'

/** The messages that carry `text` (a position message, or `<id>\n<SSE text>`) in framing 1. */
export function encodeFrameV1(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text]
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

/** Reassembles frames from framing-1 messages. */
export class FrameDecoderV1 {
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
