/**
 * The Worker's end of a bridged stream, against a stand-in object: frames become SSE events,
 * a broken socket is reopened after the last event the client has, the object's close codes
 * end or drop the client's stream, and a client that leaves closes the socket.
 */
import { SSEStreamingApi } from 'hono/streaming'
import { describe, expect, it } from 'vitest'
import { bridgeStream } from '../../routes/stream-bridge'
import {
  BRIDGE_CLOSE,
  type EventFrame,
  encodeFrame,
  FRAMING_HEADER,
  FrameDecoder,
  sseText,
} from '../../src/sse/bridge-frames'
import { parseSSE } from '../helpers/sse'
import { LegacyStream } from '../helpers/sse-transport'

/**
 * A stand-in session object: each open gets a new socket pair; the test holds the object's end.
 * It sends framing 2, or (`framing: 1`) is an object of the previous version.
 */
function standIn(framing: 1 | 2 = 2) {
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
    const headers: Record<string, string> = { 'x-stream': 'test' }
    if (framing === 2) headers[FRAMING_HEADER] = '2'
    return new Response(null, { status: 101, webSocket: client, headers })
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

/** Characters a framing could use for a marker, and that payloads are full of. */
const MARKER_LIKE = ['+', '=', '.', '@', '$', ':', '\n']

/** Base64 of `bytes` pseudo-random bytes (seeded, so a failure repeats). */
function randomBase64(bytes: number, seed: number): string {
  let state = seed
  let binary = ''
  for (let i = 0; i < bytes; i++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0
    binary += String.fromCharCode(state >>> 24)
  }
  return btoa(binary)
}

/**
 * Encodes `frame` in messages of at most `max` characters and decodes them: every message but
 * the last completes nothing, the last gives the frame's exact SSE text and id.
 */
function roundTrip(frame: EventFrame, max?: number): string[] {
  const chunks = encodeFrame(frame, max)
  const decoder = new FrameDecoder()
  const decoded = chunks.map((chunk) => decoder.push(chunk))
  expect(decoded.slice(0, -1)).toEqual(chunks.slice(0, -1).map(() => undefined))
  expect(decoded.at(-1)).toEqual({ id: frame.id, text: sseText(frame) })
  return chunks
}

describe('stream bridge', () => {
  it('writes frames as SSE events with the object’s headers, and keepalives of its own', async () => {
    const object = standIn()
    const res = await bridgeStream(object.open, { keepaliveMs: 50 })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(res.headers.get('x-stream')).toBe('test')
    expect(res.headers.get('upgrade')).toBeNull()
    expect(res.headers.get(FRAMING_HEADER)).toBeNull()
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

  it('reads framing 1 from an object that names no framing (one of the previous version)', async () => {
    const object = standIn(1)
    const stream = new LegacyStream(await bridgeStream(object.open, { keepaliveMs: 10_000 }))
    const socket = await object.socket(0)
    socket.send('@get_3')
    socket.send(`get_4\n${sseText({ id: 'get_4', event: 'message', data: '{}' })}`)
    socket.send('+get_5\nevent: message\ndata: [')
    socket.send(']\nid: get_5\n\n')
    expect(await stream.next()).toEqual({ id: 'get_4', event: 'message', data: '{}' })
    expect(await stream.next()).toEqual({ id: 'get_5', event: 'message', data: '[]' })
    socket.close(1011, 'object crashed')
    await object.socket(1)
    expect(object.opened).toEqual([undefined, 'get_5'])
    await stream.cancel()
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
  it('writes a split frame at once, whatever its last chunk starts with, and resumes after it', async () => {
    const object = standIn()
    const stream = new LegacyStream(await bridgeStream(object.open, { keepaliveMs: 10_000 }))
    const text = '+'.repeat(300_000)
    const frame = {
      id: 'sse_5',
      event: 'message',
      data: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        result: { content: [{ type: 'text', text }] },
      }),
    }
    const socket = await object.socket(0)
    send(socket, frame)
    // Nothing follows it: the frame must not wait for a next message to be written.
    expect(await stream.next(1_000)).toEqual(frame)
    expect(stream.raw).toBe(sseText(frame))
    socket.close(1011, 'object crashed')
    await object.socket(1)
    expect(object.opened).toEqual([undefined, 'sse_5'])
    await stream.cancel()
  })

  it('drops a socket that sends a message of no known kind, and resumes from its position', async () => {
    const object = standIn()
    const stream = new LegacyStream(await bridgeStream(object.open, { keepaliveMs: 10_000 }))
    const first = await object.socket(0)
    send(first, { at: 'get_4' })
    first.send('get_5\nevent: message\ndata: {}\n\n')
    const second = await object.socket(1)
    expect(object.opened).toEqual([undefined, 'get_4'])
    send(second, { id: 'get_5', event: 'message', data: '[]' })
    expect(await stream.next()).toEqual({ id: 'get_5', event: 'message', data: '[]' })
    expect(parseSSE(stream.raw).events).toHaveLength(1)
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

  it('carries positions, raw text and events, each as one small message of its kind', () => {
    const decoder = new FrameDecoder()
    expect(encodeFrame({ at: 'get_1' })).toEqual(['@get_1'])
    expect(decoder.push('@get_1')).toEqual({ at: 'get_1' })
    expect(encodeFrame({ raw: 'retry: 5\n\n' })).toEqual(['=\nretry: 5\n\n'])
    expect(decoder.push('=\nretry: 5\n\n')).toEqual({ text: 'retry: 5\n\n' })
    expect(encodeFrame({ id: 'get_2', data: '+' })).toEqual(['=get_2\ndata: +\nid: get_2\n\n'])
    expect(encodeFrame({ id: 'get_2', data: '+' }, 16)).toEqual([
      '+get_2\ndata: +\ni',
      '.d: get_2\n\n',
    ])
  })

  it('speaks framing 1 to an end of the previous version, as that version did', () => {
    const frame = { id: 'get_3', event: 'message', data: 'abcdefghij' }
    expect(encodeFrame({ at: 'get_1' }, 16, 1)).toEqual(['@get_1'])
    expect(encodeFrame({ raw: ': x\n\n' }, 16, 1)).toEqual(['\n: x\n\n'])
    const chunks = encodeFrame(frame, 16, 1)
    expect(chunks).toEqual([
      '+get_3\nevent: me',
      '+ssage\ndata: abc',
      '+defghij\nid: get',
      '_3\n\n',
    ])
    const decoder = new FrameDecoder(1)
    expect(chunks.map((chunk) => decoder.push(chunk))).toEqual([
      undefined,
      undefined,
      undefined,
      { id: 'get_3', text: sseText(frame) },
    ])
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
  it('decodes payloads that start, end and are cut on every marker-like character', () => {
    for (const marker of MARKER_LIKE) {
      const payloads = [
        marker.repeat(40),
        `${marker}x`.repeat(20),
        `x${marker}`.repeat(20),
        `${marker}ab${marker}`,
      ]
      for (const data of payloads) {
        for (let max = 4; max <= 16; max++) {
          roundTrip({ id: 'sse_1', event: 'message', data }, max)
          roundTrip({ id: 'get_12', data }, max)
        }
      }
    }
  })

  it('decodes random base64 cut at every chunk boundary', () => {
    for (const seed of [1, 2, 3]) {
      const data = JSON.stringify({
        type: 'image',
        mimeType: 'image/png',
        data: randomBase64(2_400, seed),
      })
      for (let max = 4; max <= 80; max++) roundTrip({ id: 'sse_3', event: 'message', data }, max)
    }
  })

  it('carries real-size payloads in messages a WebSocket takes, whatever their chunks start with', () => {
    const encoder = new TextEncoder()
    for (const data of [
      '+'.repeat(1_000_000),
      randomBase64(1_200_000, 4),
      '=.@$'.repeat(200_000),
    ]) {
      const chunks = roundTrip({ id: 'sse_9', event: 'message', data })
      expect(chunks.length).toBeGreaterThan(1)
      for (const chunk of chunks) expect(encoder.encode(chunk).byteLength).toBeLessThan(1 << 20)
    }
  })

  it('refuses a message of no known kind, or one out of order', () => {
    expect(() => new FrameDecoder().push('get_5\nevent: message\ndata: {}\n\n')).toThrow(
      'Bridge frame of unknown kind',
    )
    const parts = encodeFrame({ id: 'get_6', data: 'abcdefgh' }, 12)
    const [more, last] = [parts[0], parts.at(-1)]
    expect(parts.map((part) => part[0])).toEqual(['+', '+', '.'])
    // A last chunk with nothing before it, and a whole frame in the middle of a split one.
    expect(() => new FrameDecoder().push(last!)).toThrow('Bridge frame out of order')
    const decoder = new FrameDecoder()
    decoder.push(more!)
    expect(() => decoder.push(encodeFrame({ at: 'get_6' })[0]!)).toThrow(
      'Bridge frame out of order',
    )
  })
})
