/**
 * Long-lived streams live in the Worker (`GET /mcp`, `GET /sse`): the session object reaches
 * them over a hibernatable WebSocket, so it can be evicted while its client stays connected.
 * Invariants: the client's stream never breaks for the object's sake; every event reaches it
 * once, in order; a client that leaves is known to the object at once.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { EventLog } from '../../durable/session/event-log/event-log'
import { streamSocketRequest } from '../../routes/session-stub'
import { LEADERBOARD_URI } from '../fixtures/app/tools/leaderboard'
import { fetchApp, MSG, openSession, postMcp, resumeMcp } from '../helpers/requests'
import { sessionObject } from '../helpers/session-storage'
import { parseSSE, type SSEEvent } from '../helpers/sse'
import { LegacyStream, postMessage, startLegacy } from '../helpers/sse-transport'

const MARKER = Symbol.for('mcp-workers/test-instance-marker')

/** Evicts the session's object and checks a fresh instance serves it afterwards. */
async function evict(sessionId: string, webSockets: 'hibernate' | 'close'): Promise<void> {
  await runInDurableObject(sessionObject(sessionId), (instance) => {
    Reflect.set(instance, MARKER, true)
  })
  await evictDurableObject(sessionObject(sessionId), { webSockets })
  const marked = await runInDurableObject(sessionObject(sessionId), (instance) =>
    Reflect.get(instance, MARKER),
  )
  expect(marked).toBeUndefined()
}

/** How many bridged-stream sockets the session's object holds. */
function sockets(sessionId: string): Promise<number> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => {
    return state.getWebSockets().length
  })
}

/** Polls `read` until it returns `expected` (or fails after a second). */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<void> {
  const deadline = Date.now() + 1_000
  while ((await read()) !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  expect(await read()).toBe(expected)
}

/** The seq of an event id such as `get_12`. */
function seqOf(event: SSEEvent): number {
  expect(event.id).toMatch(/^(get|sse)_\d+$/)
  return Number(event.id!.split('_')[1])
}

/** A session subscribed to the leaderboard, with its standalone stream open and primed. */
async function subscribedStream(): Promise<{
  sessionId: string
  stream: LegacyStream
  at: number
}> {
  const sessionId = await openSession()
  const subscribe = {
    jsonrpc: '2.0',
    id: 2,
    method: 'resources/subscribe',
    params: { uri: LEADERBOARD_URI },
  }
  const subscribed = await postMcp(subscribe, { 'mcp-session-id': sessionId })
  expect(await subscribed.json()).toEqual({ jsonrpc: '2.0', id: 2, result: {} })
  const res = await fetchApp('/mcp', {
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
  })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/event-stream')
  expect(res.headers.get('mcp-session-id')).toBe(sessionId)
  expect(res.headers.get('upgrade')).toBeNull()
  const stream = new LegacyStream(res)
  const priming = await stream.next()
  expect(priming).toEqual({ id: expect.stringMatching(/^get_\d+$/), data: '', retry: 1000 })
  return { sessionId, stream, at: seqOf(priming) }
}

/** Scores from a session of its own, so the hub tells every subscriber. */
async function score(player: string): Promise<void> {
  const scorer = await openSession()
  const res = await postMcp(MSG.call('score', { player, points: 1 }), { 'mcp-session-id': scorer })
  expect(res.status).toBe(200)
  await res.text()
}

const UPDATED = {
  jsonrpc: '2.0',
  method: 'notifications/resources/updated',
  params: { uri: LEADERBOARD_URI },
}

describe('bridged streams', () => {
  it('a GET /mcp client stays connected while its object hibernates, and gets later events once, in order', async () => {
    const { sessionId, stream, at } = await subscribedStream()
    expect(await sockets(sessionId)).toBe(1)

    await evict(sessionId, 'hibernate')
    await score('hibernated-1')
    const first = await stream.next()
    expect(JSON.parse(first.data)).toEqual(UPDATED)

    await evict(sessionId, 'hibernate')
    await score('hibernated-2')
    const second = await stream.next()
    expect(JSON.parse(second.data)).toEqual(UPDATED)
    expect(seqOf(first)).toBeGreaterThan(at)
    expect(seqOf(second)).toBeGreaterThan(seqOf(first))
    expect(await sockets(sessionId)).toBe(1)

    // The object woke only to pass the updates on; a request now builds its server, which
    // takes the same stream over: after an unsubscribe, the next score sends nothing.
    const unsubscribe = {
      jsonrpc: '2.0',
      id: 3,
      method: 'resources/unsubscribe',
      params: { uri: LEADERBOARD_URI },
    }
    const res = await postMcp(unsubscribe, { 'mcp-session-id': sessionId })
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 3, result: {} })
    await score('unsubscribed')
    // Nothing else arrived: no event twice, no second priming event, nothing unsubscribed.
    expect(parseSSE(await stream.drain(200)).events).toEqual([])
    await stream.cancel()
  })

  it('a GET /mcp client stays connected when its object restarts: the Worker resumes after its last event', async () => {
    const { sessionId, stream, at } = await subscribedStream()
    await score('before-restart')
    const before = await stream.next()

    await evict(sessionId, 'close')
    await score('after-restart')
    const after = await stream.next()
    expect(JSON.parse(after.data)).toEqual(UPDATED)
    expect(seqOf(before)).toBeGreaterThan(at)
    expect(seqOf(after)).toBeGreaterThan(seqOf(before))
    expect(parseSSE(await stream.drain(100)).events).toEqual([])
    expect(await sockets(sessionId)).toBe(1)
    await stream.cancel()
  })

  it('an /sse client stays connected across hibernation and a restart; replies arrive once, in order', async () => {
    const { stream, sessionId } = await startLegacy()
    expect((await postMessage(sessionId, MSG.initialize('2024-11-05'))).status).toBe(202)
    const init = await stream.next()
    expect(JSON.parse(init.data)).toMatchObject({
      id: 1,
      result: { protocolVersion: '2024-11-05' },
    })
    expect((await postMessage(sessionId, MSG.initialized)).status).toBe(202)

    const seqs = [seqOf(init)]
    for (const [index, mode] of (['hibernate', 'close', 'hibernate'] as const).entries()) {
      await evict(sessionId, mode)
      const id = 10 + index
      expect((await postMessage(sessionId, MSG.call('echo', { text: mode }, id))).status).toBe(202)
      const reply = await stream.next()
      expect(reply.event).toBe('message')
      expect(JSON.parse(reply.data)).toEqual({
        jsonrpc: '2.0',
        id,
        result: { content: [{ type: 'text', text: mode }] },
      })
      seqs.push(seqOf(reply))
    }
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)
    // No second `endpoint` event after the restart, and nothing twice.
    expect(stream.raw.match(/event: endpoint/g)).toHaveLength(1)
    expect(parseSSE(await stream.drain(100)).events).toEqual([])
    await stream.cancel()
  })

  it('an /sse reply longer than a WebSocket message arrives whole at once, and never twice', async () => {
    const { stream, sessionId } = await startLegacy()
    expect((await postMessage(sessionId, MSG.initialize('2024-11-05'))).status).toBe(202)
    await stream.next()
    expect((await postMessage(sessionId, MSG.initialized)).status).toBe(202)
    // Split into chunks, every one of which starts with a `+`.
    const text = '+'.repeat(300_000)
    expect((await postMessage(sessionId, MSG.call('echo', { text }, 7))).status).toBe(202)
    const reply = await stream.next(2_000)
    const data = JSON.stringify({
      result: { content: [{ type: 'text', text }] },
      jsonrpc: '2.0',
      id: 7,
    })
    expect(reply).toEqual({ event: 'message', data, id: expect.stringMatching(/^sse_\d+$/) })
    expect(stream.raw.endsWith(`event: message\ndata: ${data}\nid: ${reply.id}\n\n`)).toBe(true)

    // The Worker resumes after that reply: a restart sends it again to nobody, loses nothing.
    await evict(sessionId, 'close')
    expect((await postMessage(sessionId, MSG.call('echo', { text: 'after' }, 8))).status).toBe(202)
    const after = await stream.next()
    expect(JSON.parse(after.data)).toEqual({
      jsonrpc: '2.0',
      id: 8,
      result: { content: [{ type: 'text', text: 'after' }] },
    })
    expect(seqOf(after)).toBeGreaterThan(seqOf(reply))
    expect(parseSSE(await stream.drain(100)).events).toEqual([])
    expect(stream.raw.split('"id":7}').length).toBe(2)
    await stream.cancel()
  })

  it('a GET /mcp stream replays a logged message longer than a WebSocket message whole, at once', async () => {
    const sessionId = await openSession()
    const first = new LegacyStream(
      await fetchApp('/mcp', {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
      }),
    )
    const priming = await first.next()
    await first.cancel()
    await eventually(() => sockets(sessionId), 0)
    // Logged while nobody listened (a fresh instance then reads the log's position from storage).
    await evict(sessionId, 'close')
    const big = {
      jsonrpc: '2.0' as const,
      method: 'notifications/message',
      params: { level: 'info', data: '+'.repeat(300_000) },
    }
    const eventId = await runInDurableObject(sessionObject(sessionId), (_instance, state) =>
      new EventLog(state.storage.sql).append('get', big),
    )

    const stream = new LegacyStream(await resumeMcp(sessionId, priming.id!))
    expect(await stream.next()).toEqual({ id: priming.id, data: '', retry: 1000 })
    expect(await stream.next(2_000)).toEqual({
      id: eventId,
      event: 'message',
      data: JSON.stringify(big),
    })
    // The Worker's position is that event: its reconnect after a restart replays nothing.
    await evict(sessionId, 'close')
    await eventually(() => sockets(sessionId), 1)
    expect(parseSSE(await stream.drain(200)).events).toEqual([])
    await stream.cancel()
  })

  it('speaks to a Worker of the previous version in the framing it reads, after hibernation too', async () => {
    const { sessionId, stream } = await subscribedStream()
    await stream.cancel()
    await eventually(() => sockets(sessionId), 0)
    const call = {
      principal: { name: 'anonymous' },
      requestId: 'req-old',
      kind: 'streamable-http',
      stream: 'standalone',
    } as const
    /** Opens a socket as a Worker would: `old`, with the request the previous version sent. */
    const open = async (old: boolean) => {
      const request = old
        ? new Request('https://session.internal/stream', {
            headers: { upgrade: 'websocket', 'x-mcp-stream-call': JSON.stringify(call) },
          })
        : streamSocketRequest(call)
      const res = await sessionObject(sessionId).fetch(request)
      expect(res.status).toBe(101)
      const socket = res.webSocket!
      const messages: string[] = []
      socket.addEventListener('message', ({ data }: MessageEvent) => messages.push(data as string))
      socket.accept()
      return { res, socket, messages }
    }
    const old = await open(true)
    expect(old.res.headers.get('x-mcp-bridge-frames')).toBeNull()
    await score('old-worker')
    await eventually(async () => old.messages.length, 3)
    // Previous framing: `<id>\n<SSE text>`, and `@<id>` for a position.
    expect(old.messages[0]).toMatch(/^get_\d+\ndata: \nid: get_\d+\nretry: 1000\n\n$/)
    expect(old.messages[1]).toMatch(/^@get_\d+$/)
    const [id, ...text] = old.messages[2]!.split('\n')
    expect(parseSSE(text.join('\n')).events).toEqual([
      { id, event: 'message', data: expect.any(String) },
    ])
    await evict(sessionId, 'hibernate')
    await score('old-worker-after-hibernation')
    await eventually(async () => old.messages.length, 4)
    expect(old.messages[3]).toMatch(/^get_\d+\nevent: message\ndata: /)

    const current = await open(false)
    expect(current.res.headers.get('x-mcp-bridge-frames')).toBe('2')
    await eventually(async () => current.messages.length, 2)
    expect(current.messages[0]).toMatch(/^=get_\d+\ndata: \nid: get_\d+\nretry: 1000\n\n$/)
    expect(current.messages[1]).toMatch(/^@get_\d+$/)
    current.socket.close(1000, 'done')
  })

  it('a client that goes away is known to the object at once, even while it hibernates', async () => {
    const { sessionId, stream } = await subscribedStream()
    await evict(sessionId, 'hibernate')
    await stream.cancel()
    await eventually(() => sockets(sessionId), 0)
    // The next update waits in the log for a resume instead of going nowhere.
    await score('nobody-listening')
    await eventually(
      () =>
        runInDurableObject(sessionObject(sessionId), (_instance, state) => {
          const rows = state.storage.sql
            .exec<{ n: number }>("SELECT COUNT(*) AS n FROM mcp_events WHERE stream = 'get'")
            .one()
          return rows.n
        }),
      1,
    )
  })

  it('a hibernating object with a connected client is not idle: its alarm keeps the session', async () => {
    const { sessionId, stream } = await subscribedStream()
    const seen = () =>
      runInDurableObject(sessionObject(sessionId), (_instance, state) => {
        return state.storage.kv.get<{ lastSeenAt: number }>('session')!.lastSeenAt
      })
    const before = await seen()
    await evict(sessionId, 'hibernate')
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    expect(await seen()).toBeGreaterThan(before)
    expect(await sockets(sessionId)).toBe(1)
    await stream.cancel()
  })

  it('a deleted session ends its bridged stream cleanly', async () => {
    const { sessionId, stream } = await subscribedStream()
    await evict(sessionId, 'hibernate')
    const res = await fetchApp('/mcp', {
      method: 'DELETE',
      headers: { 'mcp-session-id': sessionId },
    })
    expect(res.status).toBe(200)
    expect(await stream.ended()).toBe(true)
  })
})
