/**
 * @module
 * The wire of an SSE stream that is an HTTP response body: one byte stream whose chunks are the
 * frames. Hono's `SSEStreamingApi` pipes a `TransformStream` through a second, pulled stream;
 * in workerd that double pump cost about 85 µs of CPU per event of a HTTP+SSE stream (`npm run
 * bench:profile -- --load sse`). The frames are the same (`sseText` is held byte-equal to Hono's
 * `writeSSE` by a test). The body's `cancel` is how the client's going away is seen at once
 * (a native identity stream only reports it at the next write).
 */
import { type EventFrame, sseText } from './bridge-frames'
import type { SSEWire } from './sse-stream'

const encoder = new TextEncoder()

/** An {@link SSEWire} over a response body. */
export class BodyWire implements SSEWire {
  /** The response body. */
  readonly body: ReadableStream<Uint8Array>
  #controller!: ReadableStreamDefaultController<Uint8Array>
  readonly #onAbort: Array<() => void> = []
  #ended = false
  /** Resolves a write waiting for the reader to want more (backpressure). */
  #drained: (() => void) | undefined
  #drain: Promise<void> | undefined

  constructor() {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
        },
        pull: () => this.#release(),
        // The client went away.
        cancel: () => this.#end(),
      },
      // One chunk may wait in the body; a write beyond that waits until the reader takes it, so
      // a stream nobody reads shows as a write that never completes.
      { highWaterMark: 1 },
    )
  }

  writeSSE(message: EventFrame): Promise<void> {
    return this.write(sseText(message))
  }

  async write(text: string): Promise<void> {
    if (this.#ended) throw new Error('The stream has ended')
    while (this.#drain !== undefined) await this.#drain
    if (this.#ended) throw new Error('The stream has ended')
    this.#controller.enqueue(encoder.encode(text))
    if ((this.#controller.desiredSize ?? 0) <= 0) {
      this.#drain = new Promise<void>((resolve) => {
        this.#drained = resolve
      })
    }
  }

  async close(): Promise<void> {
    if (this.#ended) return
    while (this.#drain !== undefined && !this.#ended) await this.#drain
    if (this.#ended) return
    this.#ended = true
    this.#controller.close()
  }

  abort(): void {
    if (this.#ended) return
    // Unsent frames are discarded and the body ends now, cleanly, whatever the client reads.
    this.#controller.close()
    this.#end()
  }

  onAbort(listener: () => void): void {
    this.#onAbort.push(listener)
  }

  #release(): void {
    const drained = this.#drained
    this.#drain = undefined
    this.#drained = undefined
    drained?.()
  }

  /** The stream is over without a close of ours: waiting writes fail, the listeners hear. */
  #end(): void {
    if (this.#ended) return
    this.#ended = true
    this.#release()
    for (const listener of this.#onAbort.splice(0)) listener()
  }
}
