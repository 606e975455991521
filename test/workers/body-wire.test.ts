/**
 * The wire of an SSE response body: frames reach the body byte for byte, a client that goes away
 * is reported at once, and a dropped stream ends its body cleanly, without what was still waiting.
 */
import { describe, expect, it } from 'vitest'
import { BodyWire } from '../../src/sse/body-wire'

const decoder = new TextDecoder()

async function readText(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let text = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return text
    text += decoder.decode(value)
  }
}

describe('BodyWire', () => {
  it('writes SSE frames and raw text into the body, in order, then ends it', async () => {
    const wire = new BodyWire()
    const read = readText(wire.body.getReader())
    await wire.writeSSE({ event: 'message', data: '{"a":1}\n{"b":2}', id: 's_1' })
    await wire.write(': keepalive\n\n')
    await wire.writeSSE({ data: '', id: 's_2', retry: 1000 })
    await wire.close()
    expect(await read).toBe(
      'event: message\ndata: {"a":1}\ndata: {"b":2}\nid: s_1\n\n' +
        ': keepalive\n\n' +
        'data: \nid: s_2\nretry: 1000\n\n',
    )
  })

  it('reports a client that cancels the body, once, and not after a close of its own', async () => {
    const gone = new BodyWire()
    let reports = 0
    gone.onAbort(() => reports++)
    await gone.body.cancel()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(reports).toBe(1)
    await expect(gone.write('late')).rejects.toThrow()
    expect(reports).toBe(1)

    const ended = new BodyWire()
    let endedReports = 0
    ended.onAbort(() => endedReports++)
    const read = readText(ended.body.getReader())
    await ended.close()
    expect(await read).toBe('')
    expect(endedReports).toBe(0)
  })

  it('drops a stream with nothing pending as a clean end of the body', async () => {
    const wire = new BodyWire()
    const reader = wire.body.getReader()
    const first = reader.read()
    await wire.write('a')
    expect(decoder.decode((await first).value)).toBe('a')
    let reports = 0
    wire.onAbort(() => reports++)
    wire.abort()
    expect(reports).toBe(1)
    expect(await reader.read()).toEqual({ done: true, value: undefined })
  })

  it('drops a stream whose client stopped reading at once: waiting frames are never sent', async () => {
    const wire = new BodyWire()
    await wire.write('queued')
    // Nobody reads: the body holds one chunk, so the next write waits.
    let settled = false
    const waiting = wire.write('never sent').finally(() => {
      settled = true
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(settled).toBe(false)
    let reports = 0
    wire.onAbort(() => reports++)
    wire.abort()
    expect(reports).toBe(1)
    await expect(waiting).rejects.toThrow('The stream has ended')
    expect(await readText(wire.body.getReader())).toBe('queued')
    await expect(wire.write('after')).rejects.toThrow('The stream has ended')
  })
})
