/**
 * HTTP+SSE (`GET /sse` + `POST /messages`), raw. Invariant: every session's messages go on
 * its own stream only; every rejection is an exact JSON-RPC error and delivers nothing.
 */

import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../routes/app'
import { server } from '../fixtures/app/server'
import { BASE, expectRpcError, fetchApp, MSG, openSession, postMcp } from '../helpers/requests'
import { storedEntries } from '../helpers/session-storage'
import {
  initializedLegacy,
  LegacyStream,
  openLegacy,
  postMessage,
  startLegacy,
} from '../helpers/sse-transport'

/** Keepalive interval the tests run with (vitest.config.ts). */
const KEEPALIVE_MS = 150

/** Drops a stream and waits the couple of keepalive intervals the object has to notice. */
async function drop(stream: LegacyStream): Promise<void> {
  await stream.cancel()
  await new Promise((resolve) => setTimeout(resolve, 3 * KEEPALIVE_MS))
}

describe('GET /sse', () => {
  it('starts a session whose first event is the endpoint', async () => {
    const stream = await openLegacy()
    const res = stream.response
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    await stream.next()
    expect(stream.raw).toMatch(/^event: endpoint\ndata: \/messages\?sessionId=[0-9a-f]{64}\n\n/)
    await stream.cancel()
  })

  it('stores a record of kind sse with no client details yet', async () => {
    const { stream, sessionId } = await startLegacy()
    const stored = new Map(await storedEntries(sessionId))
    expect(stored.get('session')).toEqual({
      schema: 1,
      kind: 'sse',
      principal: 'anonymous',
      initialized: false,
      createdAt: expect.any(Number),
      lastSeenAt: expect.any(Number),
      unused: true,
    })
    await stream.cancel()
  })

  it('gives the endpoint relative to a mount prefix', async () => {
    const parent = new Hono().route('/api/v1', createApp({ server }))
    const res = await parent.fetch(
      new Request(`${BASE}/api/v1/sse`, { headers: { accept: 'text/event-stream' } }),
      env,
    )
    const stream = new LegacyStream(res)
    const first = await stream.next()
    expect(first).toEqual({
      event: 'endpoint',
      data: expect.stringMatching(/^\/api\/v1\/messages\?sessionId=[0-9a-f]{64}$/),
    })
    await stream.cancel()
  })

  it('wants text/event-stream when Accept is given → 406', async () => {
    const res = await fetchApp('/sse', { headers: { accept: 'application/json' } })
    await expectRpcError(res, 406, -32000)
  })

  it('POST /sse → 405 with Allow: GET, so probing clients fall back', async () => {
    const res = await postMcp(MSG.initialize(), {}, '/sse')
    expect(res.headers.get('allow')).toBe('GET')
    await expectRpcError(res, 405, -32000)
  })

  it('a malformed sessionId → 400; an unknown one → 404', async () => {
    await expectRpcError(await fetchApp('/sse?sessionId=nope'), 400, -32000)
    await expectRpcError(await fetchApp(`/sse?sessionId=${'a'.repeat(64)}`), 404, -32001)
  })
})

describe('POST /messages', () => {
  it('answers 202 with no body and sends the reply on the stream', async () => {
    const { stream, sessionId } = await startLegacy()
    const res = await postMessage(sessionId, MSG.initialize('2024-11-05'))
    expect(res.status).toBe(202)
    expect(await res.text()).toBe('')
    expect(await stream.nextMessage()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        protocolVersion: '2024-11-05',
        capabilities: {
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
        },
        serverInfo: { name: 'mcp-workers-demo', version: '0.1.0' },
      },
    })
    expect(stream.raw).toMatch(/\n\nevent: message\ndata: \{[^\n]+\}\nid: sse_1\n\n$/)
    await stream.cancel()
  })

  it('records the initialize, so the session can be rebuilt later', async () => {
    const { stream, sessionId } = await initializedLegacy()
    const stored = new Map(await storedEntries(sessionId))
    expect(stored.get('session')).toMatchObject({
      kind: 'sse',
      protocolVersion: '2024-11-05',
      clientInfo: { name: 'test-client', version: '0.0.1' },
      initialized: false,
      unused: true,
    })
    // notifications/initialized is stored with the first request, in its write.
    await postMessage(sessionId, MSG.ping(2))
    await stream.nextMessage()
    const used = new Map(await storedEntries(sessionId)).get('session')
    expect(used).toMatchObject({ kind: 'sse', protocolVersion: '2024-11-05', initialized: true })
    expect(used).not.toHaveProperty('unused')
    await stream.cancel()
  })

  it('streams progress in order before the result', async () => {
    const { stream, sessionId } = await initializedLegacy()
    await postMessage(
      sessionId,
      MSG.call('countdown', { from: 2, intervalMs: 0 }, 5, { progressToken: 't' }),
    )
    expect(await stream.nextMessage()).toMatchObject({
      params: { progressToken: 't', progress: 1 },
    })
    expect(await stream.nextMessage()).toMatchObject({
      params: { progressToken: 't', progress: 2 },
    })
    expect(await stream.nextMessage()).toMatchObject({
      id: 5,
      result: { content: [{ text: 'Liftoff!' }] },
    })
    await stream.cancel()
  })

  it('holds a result back SSE_PROGRESS_GAP_MS (20 ms) after the progress before it', async () => {
    const { stream, sessionId } = await initializedLegacy()
    await postMessage(
      sessionId,
      MSG.call('countdown', { from: 1, intervalMs: 0 }, 6, { progressToken: 't' }),
    )
    expect(await stream.nextMessage()).toMatchObject({ params: { progress: 1 } })
    const progressAt = Date.now()
    expect(await stream.nextMessage()).toMatchObject({ id: 6, result: {} })
    expect(Date.now() - progressAt).toBeGreaterThanOrEqual(15)
    await stream.cancel()
  })

  it('a second initialize → 400 -32600, nothing sent', async () => {
    const { stream, sessionId } = await initializedLegacy()
    const res = await postMessage(sessionId, MSG.initialize('2024-11-05', 9))
    await expectRpcError(res, 400, -32600)
    expect(await stream.drain(100)).not.toContain('event: message')
    await stream.cancel()
  })

  it('missing or malformed sessionId → 400', async () => {
    const noId = await fetchApp('/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(MSG.ping()),
    })
    expect(await expectRpcError(noId, 400, -32000)).toMatch(/sessionId/)
    await expectRpcError(await postMessage('nope', MSG.ping()), 400, -32000)
    await expectRpcError(await postMessage('A'.repeat(64), MSG.ping()), 400, -32000)
  })

  it('unknown sessionId → 404', async () => {
    await expectRpcError(await postMessage('b'.repeat(64), MSG.ping()), 404, -32001)
  })

  it('an ended (/mcp-deleted) id → 404', async () => {
    const sessionId = await openSession()
    await fetchApp('/mcp', { method: 'DELETE', headers: { 'mcp-session-id': sessionId } })
    await expectRpcError(await postMessage(sessionId, MSG.ping()), 404, -32001)
  })

  it('unparseable body → 400 -32700; invalid → 400 -32600; a batch → 400 -32600', async () => {
    const { stream, sessionId } = await initializedLegacy()
    await expectRpcError(await postMessage(sessionId, '{oops'), 400, -32700)
    await expectRpcError(await postMessage(sessionId, '{"foo":1}'), 400, -32600)
    await expectRpcError(await postMessage(sessionId, [MSG.ping()]), 400, -32600)
    await expectRpcError(await postMessage(sessionId, '[]'), 400, -32600)
    expect(await stream.drain(100)).not.toContain('event: message')
    await stream.cancel()
  })

  it('non-JSON content type → 415; over 4 MiB → 413', async () => {
    const { stream, sessionId } = await startLegacy()
    const plain = await postMessage(sessionId, MSG.ping(), { 'content-type': 'text/plain' })
    await expectRpcError(plain, 415, -32000)
    const big = await postMessage(sessionId, { ...MSG.ping(), pad: 'x'.repeat(4 * 1024 * 1024) })
    await expectRpcError(big, 413, -32000)
    await stream.cancel()
  })

  it('GET /messages → 405 with Allow: POST', async () => {
    const res = await fetchApp('/messages?sessionId=x')
    expect(res.headers.get('allow')).toBe('POST')
    await expectRpcError(res, 405, -32000)
  })

  it('with no stream connected → 202; the reply waits in the log for a resume', async () => {
    const { stream, sessionId, endpoint } = await initializedLegacy()
    await drop(stream)
    const res = await postMessage(sessionId, MSG.call('echo', { text: 'while away' }, 40))
    expect(res.status).toBe(202)
    const back = await openLegacy(sessionId, '/sse', 'sse_1')
    expect(await back.next()).toEqual({ event: 'endpoint', data: endpoint })
    expect(await back.next()).toEqual({
      event: 'message',
      id: 'sse_2',
      data: JSON.stringify({
        result: { content: [{ type: 'text', text: 'while away' }] },
        jsonrpc: '2.0',
        id: 40,
      }),
    })
    await back.cancel()
  })
})

describe('transports never cross', () => {
  it('an /mcp session id on /messages → 400, nothing delivered', async () => {
    const sessionId = await openSession()
    const before = await storedEntries(sessionId)
    const res = await postMessage(sessionId, MSG.call('remember', { key: 'x', note: 'y' }))
    expect(await expectRpcError(res, 400, -32000)).toMatch(/different transport/)
    expect(await storedEntries(sessionId)).toEqual(before)
  })

  it('an /sse session id as Mcp-Session-Id on /mcp → 400, nothing delivered', async () => {
    const { stream, sessionId } = await initializedLegacy()
    const res = await postMcp(MSG.call('remember', { key: 'x', note: 'y' }), {
      'mcp-session-id': sessionId,
    })
    expect(await expectRpcError(res, 400, -32000)).toMatch(/different transport/)
    expect(await stream.drain(100)).not.toContain('event: message')
    expect((await storedEntries(sessionId)).map(([k]) => k)).toEqual(['session'])
    await stream.cancel()
  })

  it('an /mcp session id on GET /sse → 400', async () => {
    const sessionId = await openSession()
    await expectRpcError(await fetchApp(`/sse?sessionId=${sessionId}`), 400, -32000)
  })

  it('two SSE sessions never see each other’s messages', async () => {
    const a = await initializedLegacy()
    const b = await initializedLegacy()
    await postMessage(a.sessionId, MSG.call('echo', { text: 'for a' }, 21))
    await postMessage(b.sessionId, MSG.call('echo', { text: 'for b' }, 22))
    expect(await a.stream.nextMessage()).toMatchObject({
      id: 21,
      result: { content: [{ text: 'for a' }] },
    })
    expect(await b.stream.nextMessage()).toMatchObject({
      id: 22,
      result: { content: [{ text: 'for b' }] },
    })
    const restA = await a.stream.drain(150)
    const restB = await b.stream.drain(150)
    expect(restA).not.toContain('event: message')
    expect(restB).not.toContain('event: message')
    await a.stream.cancel()
    await b.stream.cancel()
  })
})

describe('reconnecting and keepalive', () => {
  it('one connected stream per session: a reconnect takes it over and gets a new endpoint event', async () => {
    const { stream, sessionId, endpoint } = await initializedLegacy()
    const again = await openLegacy(sessionId)
    expect(again.response.status).toBe(200)
    expect(await stream.ended()).toBe(true)
    expect(await again.next()).toEqual({ event: 'endpoint', data: endpoint })
    await drop(again)
    const back = await openLegacy(sessionId)
    expect(back.response.status).toBe(200)
    expect(await back.next()).toEqual({ event: 'endpoint', data: endpoint })
    await postMessage(sessionId, MSG.call('echo', { text: 'back' }, 30))
    expect(await back.nextMessage()).toMatchObject({
      id: 30,
      result: { content: [{ text: 'back' }] },
    })
    await back.cancel()
  })

  it('sends a keepalive comment on an idle /sse stream', async () => {
    const { stream } = await startLegacy()
    const idle = await stream.drain(400)
    expect(idle).toMatch(/^(: keepalive\n\n)+$/)
    await stream.cancel()
  })

  it('sends a keepalive comment on an idle GET /mcp stream', async () => {
    const sessionId = await openSession()
    const res = await fetchApp('/mcp', {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
    })
    const stream = new LegacyStream(res)
    expect(await stream.drain(400)).toMatch(
      /^data: \nid: get_0\nretry: 1000\n\n(: keepalive\n\n)+$/,
    )
    await stream.cancel()
  })
})
