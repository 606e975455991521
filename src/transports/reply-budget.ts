/**
 * @module
 * What the responses to one POST may hold: each at most `RESPONSE_MAX_BYTES`, and those of a
 * batch at most `BATCH_REPLY_MAX_BYTES` in all. A batch of a hundred small requests can ask for
 * a hundred large results, and its reply holds every one in memory at once (a JSON reply is sent
 * whole; an SSE stream goes at the client's pace), so one small POST could otherwise make an
 * object hold tens of megabytes. A response over either bound is sent as an error of its own,
 * under its id; the errors themselves are small, and not counted.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { isResponse } from './message-sink'
import { type ResponseLimit, responseError, type SentMessage, utf8Length } from './response-limit'

/** The bounds of one reply's responses, and what is left of its total. */
export class ReplyBudget {
  readonly #limit: ResponseLimit
  readonly #maxBytes: number | undefined
  #left: number

  /**
   * @param limit The largest response.
   * @param maxBytes The most bytes all responses may hold; undefined for a reply that carries
   *   one response (the limit bounds it already).
   */
  constructor(limit: ResponseLimit, maxBytes?: number) {
    this.#limit = limit
    this.#maxBytes = maxBytes
    this.#left = maxBytes ?? Number.POSITIVE_INFINITY
  }

  /**
   * `message` as it is to be sent, with its JSON: itself, or the error that stands in for a
   * response over the limit or past what is left of the total (which it then takes from).
   */
  take(message: JSONRPCMessage): SentMessage {
    const text = JSON.stringify(message)
    if (!isResponse(message)) return { message, text }
    if (this.#maxBytes === undefined)
      return this.#limit.replacement(message, text) ?? { message, text }
    const bytes = utf8Length(text)
    const error = this.#limit.over(message, bytes)
    if (error !== undefined) return error
    if (bytes > this.#left) {
      return responseError(
        message.id,
        `Response too large: ${bytes} bytes; the responses to one batch may hold ${this.#maxBytes} bytes in all (BATCH_REPLY_MAX_BYTES)`,
      )
    }
    this.#left -= bytes
    return { message, text }
  }
}
