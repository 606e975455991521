/**
 * What one message may make a session store. Invariant: a request id or `_meta.progressToken`
 * longer than 256 characters is refused in the Worker, on both transports and in both eras, with
 * a clear JSON-RPC error (400), before any object wakes; so a token echoed in every progress
 * event can't multiply one request into megabytes of event log.
 */
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { EventLog } from '../../durable/session/event-log/event-log'
import { modern, postModern } from '../helpers/modern'
import { MSG, openSession, postMcp } from '../helpers/requests'
import { sessionObject } from '../helpers/session-storage'
import { parseSSE } from '../helpers/sse'
import { postMessage, startLegacy } from '../helpers/sse-transport'

const HUGE = 'x'.repeat(3_900_000)
const LONGEST = 'x'.repeat(256)
const TOO_LONG = 'x'.repeat(257)

const countdown = (progressToken: string | number, id: string | number = 5) =>
  MSG.call('countdown', { from: 2, intervalMs: 0 }, id, { progressToken })

const idRefusal = {
  jsonrpc: '2.0',
  id: null,
  error: { code: -32600, message: 'Invalid Request: a request id may be at most 256 characters' },
}

const tokenRefusal = (id: string | number) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32602,
    message: 'Invalid params: _meta.progressToken may be at most 256 characters',
  },
})

/** The session's event log: events and bytes. */
function logSize(sessionId: string) {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) =>
    new EventLog(state.storage.sql).size(),
  )
}

describe('on a session (/mcp)', () => {
  it('a 3.9 MB progressToken → 400 -32602 with the request id; nothing is logged', async () => {
    const sessionId = await openSession()
    const res = await postMcp(countdown(HUGE), { 'mcp-session-id': sessionId })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(tokenRefusal(5))
    expect(await logSize(sessionId)).toEqual({ events: 0, bytes: 0 })
  })

  it('a progressToken of 256 characters is echoed in each progress event', async () => {
    const sessionId = await openSession()
    const res = await postMcp(countdown(LONGEST), { 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    const { events } = parseSSE(await res.text())
    const messages = events.filter((event) => event.data !== '').map((e) => JSON.parse(e.data))
    expect(messages.map((message) => message.params?.progressToken)).toEqual([
      LONGEST,
      LONGEST,
      undefined,
    ])
  })

  it('a request id of 257 characters → 400 -32600 (id null); 256 is answered', async () => {
    const sessionId = await openSession()
    const headers = { 'mcp-session-id': sessionId }
    const refused = await postMcp(MSG.ping(TOO_LONG), headers)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toEqual(idRefusal)
    const answered = await postMcp(MSG.ping(LONGEST), headers)
    expect(await answered.json()).toEqual({ jsonrpc: '2.0', id: LONGEST, result: {} })
  })

  it('an initialize with a 3.9 MB id → 400, and no session is created', async () => {
    const res = await postMcp(MSG.initialize('2025-11-25', HUGE))
    expect(res.status).toBe(400)
    expect(res.headers.has('mcp-session-id')).toBe(false)
    expect(await res.json()).toEqual(idRefusal)
  })

  it('a batch with one oversized progressToken → 400, and none of it runs', async () => {
    const sessionId = await openSession('2025-03-26')
    const batch = [MSG.ping(1), countdown(TOO_LONG, 2)]
    const res = await postMcp(batch, { 'mcp-session-id': sessionId })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(tokenRefusal(2))
    expect(await logSize(sessionId)).toEqual({ events: 0, bytes: 0 })
  })
})

describe('on a legacy session (/messages)', () => {
  it('a 3.9 MB progressToken or request id → 400; nothing goes on the stream', async () => {
    const { stream, sessionId } = await startLegacy()
    expect((await postMessage(sessionId, MSG.initialize('2024-11-05'))).status).toBe(202)
    await stream.nextMessage()
    const token = await postMessage(sessionId, countdown(HUGE))
    expect(token.status).toBe(400)
    expect(await token.json()).toEqual(tokenRefusal(5))
    const id = await postMessage(sessionId, MSG.ping(HUGE))
    expect(id.status).toBe(400)
    expect(await id.json()).toEqual(idRefusal)
    expect(await stream.drain(300)).not.toContain('event: message')
    expect(await logSize(sessionId)).toEqual({ events: 1, bytes: expect.any(Number) })
    await stream.cancel()
  })
})

describe('on a 2026-07-28 request', () => {
  it('a 3.9 MB progressToken → 400 -32602 with the request id', async () => {
    const body = modern('tools/call', { name: 'echo', arguments: { text: 'hi' } }, 7, {
      progressToken: HUGE,
    })
    const res = await postModern(body)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(tokenRefusal(7))
  })

  it('a request id of 257 characters → 400 -32600 (id null)', async () => {
    const res = await postModern(modern('tools/list', {}, TOO_LONG))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(idRefusal)
  })

  it('a progressToken of 256 characters is served', async () => {
    const body = modern('tools/call', { name: 'echo', arguments: { text: 'hi' } }, 8, {
      progressToken: LONGEST,
    })
    const res = await postModern(body)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: 8, result: { content: [{ text: 'hi' }] } })
  })
})
