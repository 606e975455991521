/**
 * The tests' SSE reader (`LegacyStream`, test/helpers/legacy-sse.ts). Invariant: every chunk the
 * body delivers is read exactly once, in order, whichever call gives up waiting: a read that a
 * timeout abandoned keeps its chunk for the next call, so an event right after a `drain()` (or a
 * `next()` or `ended()` that timed out) is never lost.
 */
import { describe, expect, it } from 'vitest'
import { LegacyStream } from '../helpers/legacy-sse'

const frame = (data: string) => `event: message\ndata: ${data}\n\n`

/** A stream the test writes to by hand, and the reader on it. */
function handFed() {
  const encoder = new TextEncoder()
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
  })
  return {
    stream: new LegacyStream(new Response(body)),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  }
}

describe('LegacyStream', () => {
  it('a chunk that comes after drain() gave up is the next event', async () => {
    const { stream, write } = handFed()
    write(frame('"one"'))
    expect(await stream.drain(50)).toBe(frame('"one"'))
    write(frame('"two"'))
    expect(await stream.nextMessage(1_000)).toBe('one')
    expect(await stream.nextMessage(1_000)).toBe('two')
    expect(stream.raw).toBe(frame('"one"') + frame('"two"'))
  })

  it('a chunk that comes after ended() gave up is read by the next call', async () => {
    const { stream, write, end } = handFed()
    expect(await stream.ended(50)).toBe(false)
    write(frame('"late"'))
    end()
    expect(await stream.ended(1_000)).toBe(true)
    expect(stream.raw).toBe(frame('"late"'))
  })

  it('a chunk that comes after next() gave up is the next event', async () => {
    const { stream, write } = handFed()
    await expect(stream.next(50)).rejects.toThrow('no SSE event within 50 ms; got: ')
    write(frame('"after"'))
    expect(await stream.nextMessage(1_000)).toBe('after')
  })
})
