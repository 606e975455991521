/**
 * The SSE stream's progress gap (legacy HTTP+SSE): a response that follows a progress
 * notification closely reaches the client in a later read, at least the gap after it; nothing
 * else waits, and the frames and their order stay exactly as they were.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { SSEStream } from '../../src/sse/sse-stream'

/** A large gap, so "waited" and "did not wait" are far apart on a busy machine. */
const GAP = 300

const progress = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: 1, progress: n, total: 2 },
})
const log: JSONRPCMessage = {
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level: 'info', data: 'x' },
}
const result = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: {} })
const frame = (message: JSONRPCMessage, id?: string) =>
  `event: message\ndata: ${JSON.stringify(message)}\n${id === undefined ? '' : `id: ${id}\n`}\n`

/** Every chunk the client reads, with when it arrived (ms after `start`). */
async function readAll(stream: SSEStream, start: number) {
  const reader = stream.toResponse().body!.getReader()
  const decoder = new TextDecoder()
  const chunks: Array<{ at: number; text: string }> = []
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return chunks
    chunks.push({ at: Date.now() - start, text: decoder.decode(value) })
  }
}

describe('the SSE stream’s progress gap', () => {
  it('holds a response that follows progress until the gap has passed, in a read of its own', async () => {
    const stream = new SSEStream({ progressGapMs: GAP })
    const start = Date.now()
    const read = readAll(stream, start)
    void stream.send(progress(1), 'sse_1')
    void stream.send(progress(2), 'sse_2')
    void stream.send(result(1), 'sse_3')
    void stream.send(log, 'sse_4')
    await stream.close()
    const chunks = await read
    expect(chunks.map((c) => c.text).join('')).toBe(
      frame(progress(1), 'sse_1') +
        frame(progress(2), 'sse_2') +
        frame(result(1), 'sse_3') +
        frame(log, 'sse_4'),
    )
    const resultChunk = chunks.find((c) => c.text.includes('"result"'))!
    expect(resultChunk.text.startsWith('event: message')).toBe(true)
    const lastProgress = chunks.filter((c) => c.text.includes('"progress":2'))
    expect(lastProgress).toHaveLength(1)
    expect(lastProgress[0]!.text).not.toContain('"result"')
    expect(resultChunk.at - lastProgress[0]!.at).toBeGreaterThanOrEqual(GAP - 5)
  })

  it('does not hold a response that no progress preceded, or one after the gap already passed', async () => {
    const stream = new SSEStream({ progressGapMs: GAP })
    const start = Date.now()
    const read = readAll(stream, start)
    void stream.send(log)
    void stream.send(result(1))
    void stream.send(progress(1))
    await new Promise((resolve) => setTimeout(resolve, GAP + 50))
    const before = Date.now() - start
    void stream.send(result(2))
    await stream.close()
    const chunks = await read
    expect(chunks.map((c) => c.text).join('')).toBe(
      frame(log) + frame(result(1)) + frame(progress(1)) + frame(result(2)),
    )
    expect(chunks.find((c) => c.text.includes('"id":1'))!.at).toBeLessThan(GAP / 2)
    expect(chunks.find((c) => c.text.includes('"id":2'))!.at - before).toBeLessThan(GAP / 2)
  })

  it('holds nothing without a gap (Streamable HTTP streams)', async () => {
    const stream = new SSEStream()
    const start = Date.now()
    const read = readAll(stream, start)
    void stream.send(progress(1))
    void stream.send(result(1))
    await stream.close()
    const chunks = await read
    expect(chunks.map((c) => c.text).join('')).toBe(frame(progress(1)) + frame(result(1)))
    expect(chunks.at(-1)!.at).toBeLessThan(GAP / 2)
  })

  it('a client that goes away during the gap releases the stream; nothing is written after', async () => {
    const stream = new SSEStream({ progressGapMs: GAP })
    const reader = stream.toResponse().body!.getReader()
    void stream.send(progress(1))
    const held = stream.send(result(1))
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toBe(frame(progress(1)))
    await reader.cancel()
    await held
    expect(stream.closed).toBe(true)
  })
})
