/**
 * The Worker's end of a bridged stream, against a stand-in object: frames become SSE events,
 * a broken socket is reopened after the last event the client has, the object's close codes
 * end or drop the client's stream, and a client that leaves closes the socket.
 */
import { SSEStreamingApi } from 'hono/streaming'
import { describe, expect, it } from 'vitest'
import {
  BRIDGE_CLOSE,
  encodeFrame,
  FrameDecoder,
  sseText,
} from '../../src/transports/bridge-frames'
import { bridgeStream } from '../../src/transports/stream-bridge'
import { LegacyStream } from '../helpers/legacy-sse'

/** A stand-in session object: each open gets a new socket pair; the test holds the object's end. */
function standIn() {
  const opened: Array<string | undefined> = []
  const sockets: WebSocket[] = []
  const waiting: Array<(socket: WebSocket) => void> = []
  let refuse: Response | undefined
  const open = async (resumeAfter?: string): Promise<Response> => {
    opened.push(resumeAfter)
    if (refuse !== undefined) return refuse
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket]
    server.accept()
    sockets.push(server)
    waiting.shift()?.(server)
    return new Response(null, { status: 101, webSocket: client, headers: { 'x-stream': 'test' } })
  }
  /** The object's end of the n-th socket, once it is open. */
  const socket = (n: number): Promise<WebSocket> =>
    sockets[n] ? Promise.resolve(sockets[n]) : new Promise((resolve) => waiting.push(resolve))
  return {
    open,
    opened,
    socket,
    refuseWith(response: Response | undefined) {
      refuse = response
    },
  }
}

const send = (socket: WebSocket, frame: Parameters<typeof encodeFrame>[0]) => {
  for (const chunk of encodeFrame(frame)) socket.send(chunk)
}

const closedBy = (socket: WebSocket) =>
  new Promise<number>((resolve) => socket.addEventListener('close', ({ code }) => resolve(code)))

describe('stream bridge', () => {
  it('writes frames as SSE events with the object’s headers, and keepalives of its own', async () => {
    const object = standIn()
    const res = await bridgeStream(object.open, { keepaliveMs: 50 })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(res.headers.get('x-stream')).toBe('test')
    expect(res.headers.get('upgrade')).toBeNull()
    const stream = new LegacyStream(res)
    const socket = await object.socket(0)
    send(socket, { event: 'endpoint', data: '/messages?sessionId=x' })
    send(socket, { id: 'sse_3', event: 'message', data: '{"jsonrpc":"2.0","id":1,"result":{}}' })
    expect(await stream.next()).toEqual({ event: 'endpoint', data: '/messages?sessionId=x' })
    expect(await stream.next()).toEqual({
      id: 'sse_3',
      event: 'message',
      data: '{"jsonrpc":"2.0","id":1,"result":{}}',
    })
    expect(await stream.drain(120)).toContain(': keepalive\n\n')
    await stream.cancel()
  })

  it('reopens a broken socket after the last event written, or the position it was told', async () => {
    const object = standIn()
    const stream = new LegacyStream(await bridgeStream(object.open, { keepaliveMs: 10_000 }))
    const first = await object.socket(0)
    send(first, { at: 'get_5' })
    first.close(1001, 'object evicted')
    const second = await object.socket(1)
    send(second, { at: 'get_7' })
    send(second, { id: 'get_8', event: 'message', data: '{}' })
    second.close(1011, 'object crashed')
    const third = await object.socket(2)
    send(third, { id: 'get_9', event: 'message', data: '[]' })
    expect(object.opened).toEqual([undefined, 'get_5', 'get_8'])
    expect((await stream.next()).id).toBe('get_8')
    expect((await stream.next()).id).toBe('get_9')
    await stream.cancel()
  })

  it('ends the client’s stream when the object says it is done, and drops it when taken over', async () => {
    const object = standIn()
    const done = new LegacyStream(await bridgeStream(object.open, { keepaliveMs: 10_000 }))
    const socket = await object.socket(0)
    send(socket, { id: 'get_1', event: 'message', data: '{}' })
    socket.close(BRIDGE_CLOSE.done, 'session ended')
    expect((await done.next()).id).toBe('get_1')
    expect(await done.ended()).toBe(true)

    const dropped = new LegacyStream(await bridgeStream(object.open, { keepaliveMs: 10_000 }))
    ;(await object.socket(1)).close(BRIDGE_CLOSE.dropped, 'stream taken over')
    expect(await dropped.ended()).toBe(true)
    expect(object.opened).toEqual([undefined, undefined])
  })

  it('ends the client’s stream when the reopen is refused or keeps failing', async () => {
    const object = standIn()
    const stream = new LegacyStream(
      await bridgeStream(object.open, { keepaliveMs: 10_000, retryDelaysMs: [0, 10] }),
    )
    object.refuseWith(new Response('gone', { status: 404 }))
    ;(await object.socket(0)).close(1001, 'evicted')
    expect(await stream.ended()).toBe(true)
    expect(object.opened).toEqual([undefined, undefined])

    let calls = 0
    const failing = async (resumeAfter?: string) => {
      calls++
      if (resumeAfter === undefined) return object.open()
      throw new Error('object unreachable')
    }
    object.refuseWith(undefined)
    const retried = new LegacyStream(
      await bridgeStream(failing, { keepaliveMs: 10_000, retryDelaysMs: [0, 10, 10] }),
    )
    const socket = await object.socket(1)
    send(socket, { at: 'get_2' })
    socket.close(1011, 'lost')
    expect(await retried.ended()).toBe(true)
    expect(calls).toBe(4)
  })

  it('backs off from an object whose every reopened socket breaks at once, then gives up', async () => {
    const object = standIn()
    const stream = new LegacyStream(
      await bridgeStream(object.open, { keepaliveMs: 10_000, retryDelaysMs: [0, 5, 5] }),
    )
    for (let n = 0; n < 4; n++) (await object.socket(n)).close(1011, 'crashed again')
    expect(await stream.ended()).toBe(true)
    // The first socket and three reopens (the retries), not one reopen per break forever.
    expect(object.opened).toHaveLength(4)
  })

  it('passes a refusal through untouched', async () => {
    const refusal = new Response('{"error":1}', { status: 404 })
    expect(await bridgeStream(async () => refusal, { keepaliveMs: 10_000 })).toBe(refusal)
  })

  it('closes the socket as soon as the client goes away', async () => {
    const object = standIn()
    const stream = new LegacyStream(await bridgeStream(object.open, { keepaliveMs: 10_000 }))
    const socket = await object.socket(0)
    const code = closedBy(socket)
    await stream.cancel()
    expect(await code).toBe(BRIDGE_CLOSE.done)
  })

  it('reassembles a frame larger than a WebSocket message may be', async () => {
    const object = standIn()
    const stream = new LegacyStream(await bridgeStream(object.open, { keepaliveMs: 10_000 }))
    const data = JSON.stringify({ text: '😀'.repeat(400_000) + 'x'.repeat(300_000) })
    const chunks = encodeFrame({ id: 'sse_1', event: 'message', data })
    expect(chunks.length).toBeGreaterThan(1)
    for (const chunk of chunks)
      expect(new TextEncoder().encode(chunk).byteLength).toBeLessThan(1 << 20)
    const socket = await object.socket(0)
    for (const chunk of chunks) socket.send(chunk)
    expect(await stream.next(10_000)).toEqual({ id: 'sse_1', event: 'message', data })
    await stream.cancel()
  })
})

describe('bridge frames', () => {
  it('never splits a surrogate pair, and decodes what it encodes', () => {
    const frame = { id: 'get_7', event: 'message', data: 'a😀b😀😀c'.repeat(7) }
    for (const max of [4, 5, 6, 7, 11]) {
      const chunks = encodeFrame(frame, max)
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(max)
        // A chunk never ends in the first half of a surrogate pair.
        expect(/[\uD800-\uDBFF]$/.test(chunk)).toBe(false)
      }
      const decoder = new FrameDecoder()
      const decoded = chunks.map((chunk) => decoder.push(chunk))
      expect(decoded.slice(0, -1).every((part) => part === undefined)).toBe(true)
      expect(decoded.at(-1)).toEqual({ id: 'get_7', text: sseText(frame) })
    }
  })

  it('carries positions and raw text, each as one small message', () => {
    const decoder = new FrameDecoder()
    expect(encodeFrame({ at: 'get_1' })).toEqual(['@get_1'])
    expect(decoder.push('@get_1')).toEqual({ at: 'get_1' })
    expect(encodeFrame({ raw: 'retry: 5\n\n' })).toEqual(['\nretry: 5\n\n'])
    expect(decoder.push('\nretry: 5\n\n')).toEqual({ text: 'retry: 5\n\n' })
  })

  it('frames events exactly as Hono does', async () => {
    const frames = [
      { event: 'message', data: '{"jsonrpc":"2.0"}', id: 'sse_3' },
      { data: '', id: 'get_0', retry: 1000 },
      { event: 'endpoint', data: '/messages?sessionId=abc' },
      { data: 'two\nlines\r\nand\rthree' },
    ]
    for (const frame of frames) {
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
      const api = new SSEStreamingApi(writable, readable)
      const text = new Response(api.responseReadable).text()
      await api.writeSSE(frame)
      await api.close()
      expect(sseText(frame)).toBe(await text)
    }
  })

  it('refuses an id or event name with a line break, as Hono does', () => {
    expect(() => sseText({ id: 'a\nb', data: '' })).toThrow()
    expect(() => sseText({ event: 'a\rb', data: '' })).toThrow()
  })
})
