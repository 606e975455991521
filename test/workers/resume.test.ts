/**
 * Resumability on /mcp. Invariant: a client that loses a stream gets exactly the events it
 * missed, in order, by GET with Last-Event-ID, and a dropped connection never cancels the call.
 */
import { describe, expect, it } from 'vitest'
import { expectRpcError, fetchApp, MSG, openSession, postMcp, resumeMcp } from '../helpers/requests'
import { parseSSE } from '../helpers/sse'
import { LegacyStream } from '../helpers/sse-transport'

/** Starts a countdown over SSE and returns the open stream. */
async function startCountdown(sessionId: string, from: number, intervalMs: number, id = 20) {
  const res = await postMcp(
    MSG.call('countdown', { from, intervalMs }, id, { progressToken: 'c' }),
    {
      'mcp-session-id': sessionId,
    },
  )
  expect(res.headers.get('content-type')).toBe('text/event-stream')
  return new LegacyStream(res)
}

const progressOf = (data: string) =>
  (JSON.parse(data) as { params: { progress: number } }).params.progress

describe('GET /mcp with Last-Event-ID', () => {
  it('resumes a cut POST stream: the missed events, then live, then the result', async () => {
    const sessionId = await openSession()
    const stream = await startCountdown(sessionId, 6, 40)
    const priming = await stream.next()
    expect(priming).toEqual({ id: 'p1_0', data: '', retry: 1000 })
    const first = await stream.next()
    expect(first.id).toBe('p1_1')
    await stream.cancel()
    // The call keeps running while no one listens; some events land in the log meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 100))

    const res = await resumeMcp(sessionId, first.id!)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const { events } = parseSSE(await res.text())
    expect(events[0]).toEqual({ id: 'p1_1', data: '', retry: 1000 })
    const messages = events.slice(1)
    expect(messages.map((e) => e.id)).toEqual(['p1_2', 'p1_3', 'p1_4', 'p1_5', 'p1_6', 'p1_7'])
    expect(messages.slice(0, 5).map((e) => progressOf(e.data))).toEqual([2, 3, 4, 5, 6])
    expect(JSON.parse(messages[5]!.data)).toEqual({
      jsonrpc: '2.0',
      id: 20,
      result: { content: [{ type: 'text', text: 'Liftoff!' }] },
    })
  })

  it('replays a finished stream and closes it', async () => {
    const sessionId = await openSession()
    const stream = await startCountdown(sessionId, 3, 0)
    await stream.next()
    const first = await stream.next()
    await stream.cancel()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { events } = parseSSE(await (await resumeMcp(sessionId, first.id!)).text())
    expect(events.map((e) => e.id)).toEqual(['p1_1', 'p1_2', 'p1_3', 'p1_4'])
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ id: 20, result: {} })
  })

  it('replays from the priming id: everything of that stream', async () => {
    const sessionId = await openSession()
    const stream = await startCountdown(sessionId, 2, 0)
    const priming = await stream.next()
    await stream.cancel()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { events } = parseSSE(await (await resumeMcp(sessionId, priming.id!)).text())
    expect(events.map((e) => e.id)).toEqual(['p1_0', 'p1_1', 'p1_2', 'p1_3'])
  })

  it('replays nothing of other streams', async () => {
    const sessionId = await openSession()
    const a = await startCountdown(sessionId, 2, 0, 30)
    const aPriming = await a.next()
    await a.cancel()
    const b = await startCountdown(sessionId, 2, 0, 31)
    await b.next()
    await b.cancel()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { events } = parseSSE(await (await resumeMcp(sessionId, aPriming.id!)).text())
    expect(events.slice(1).every((e) => e.id!.startsWith('p1_'))).toBe(true)
    expect(events.slice(1).map((e) => JSON.parse(e.data).id ?? 'progress')).toEqual([
      'progress',
      'progress',
      30,
    ])
  })

  it('resuming a stream still connected takes it over: the old connection ends, nothing is lost', async () => {
    const sessionId = await openSession()
    const stream = await startCountdown(sessionId, 4, 60)
    await stream.next()
    const first = await stream.next()
    expect(first.id).toBe('p1_1')
    const res = await resumeMcp(sessionId, first.id!)
    expect(res.status).toBe(200)
    expect(await stream.ended()).toBe(true)
    const { events } = parseSSE(await res.text())
    // Priming at the resume point, then every later event once, in order, ending with the result.
    expect(events[0]).toEqual({ id: 'p1_1', data: '', retry: 1000 })
    const later = events.slice(1)
    expect(later.map((event) => event.id)).toEqual(['p1_2', 'p1_3', 'p1_4', 'p1_5'])
    expect(later.slice(0, 3).map((event) => progressOf(event.data))).toEqual([2, 3, 4])
    expect(JSON.parse(later[3]!.data)).toMatchObject({
      id: 20,
      result: { content: [{ text: 'Liftoff!' }] },
    })
  })

  it.each([['nope'], ['p1'], ['p1_'], ['p01_1'], ['_1'], ['p1_1_2'], ['get_-1']])(
    'a malformed Last-Event-ID (%j) → 400',
    async (id) => {
      const sessionId = await openSession()
      expect(await expectRpcError(await resumeMcp(sessionId, id), 400, -32000)).toBe(
        'Bad Request: malformed Last-Event-ID',
      )
    },
  )

  it.each([['p9_1'], ['get_999'], ['sse_0']])('an unknown Last-Event-ID (%j) → 400', async (id) => {
    const sessionId = await openSession()
    expect(await expectRpcError(await resumeMcp(sessionId, id), 400, -32000)).toBe(
      'Bad Request: unknown Last-Event-ID',
    )
  })

  it('resumes the standalone stream from its priming id', async () => {
    const sessionId = await openSession()
    const res = await fetchApp('/mcp', {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
    })
    const stream = new LegacyStream(res)
    const priming = await stream.next()
    expect(priming).toEqual({ id: 'get_0', data: '', retry: 1000 })
    await stream.cancel()
    await new Promise((resolve) => setTimeout(resolve, 500))
    const again = new LegacyStream(await resumeMcp(sessionId, 'get_0'))
    expect(again.response.status).toBe(200)
    expect(await again.next()).toEqual({ id: 'get_0', data: '', retry: 1000 })
    await again.cancel()
  })
})

describe('long calls', () => {
  it('a reply with no response within SSE_AFTER_MS becomes a resumable stream', async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.call('countdown', { from: 1, intervalMs: 500 }, 40), {
      'mcp-session-id': sessionId,
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const { events } = parseSSE(await res.text())
    expect(events).toEqual([
      { id: 'p1_0', data: '', retry: 1000 },
      {
        event: 'message',
        id: 'p1_1',
        data: JSON.stringify({
          result: { content: [{ type: 'text', text: 'Liftoff!' }] },
          jsonrpc: '2.0',
          id: 40,
        }),
      },
    ])
  })

  it('stays JSON for a 2025-06-18 session (no priming, so nothing to resume from)', async () => {
    const sessionId = await openSession('2025-06-18')
    const res = await postMcp(MSG.call('countdown', { from: 1, intervalMs: 500 }, 41), {
      'mcp-session-id': sessionId,
    })
    expect(res.headers.get('content-type')).toBe('application/json')
    await res.text()
  })
})
