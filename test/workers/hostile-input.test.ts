/**
 * What an attacking or unlucky client gets, on the default app: invalid params are -32602, not
 * an internal error; HEAD attaches and creates nothing; a body nested thousands deep, a batch
 * past the cap and duplicate request ids are refused with clear JSON-RPC errors (nothing left
 * hanging); the event log keeps its caps as events are appended.
 */
import { listDurableObjectIds, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { cappedEventLog } from '../../durable/session/event-log/log-caps'
import { expectModernError, modern, postModern } from '../helpers/modern'
import { expectRpcError, fetchApp, MSG, openSession, postMcp } from '../helpers/requests'
import { freshObject } from '../helpers/session-storage'

const call = (params: unknown, id = 5) => ({ jsonrpc: '2.0', id, method: 'tools/call', params })

describe('invalid params', () => {
  it.each([
    [
      'arguments: "str"',
      { name: 'echo', arguments: 'str' },
      'arguments: Invalid input: expected record, received string',
    ],
    [
      'arguments: []',
      { name: 'echo', arguments: [] },
      'arguments: Invalid input: expected record, received array',
    ],
    [
      'name: {}',
      { name: {}, arguments: {} },
      'name: Invalid input: expected string, received object',
    ],
  ])('on a session, %s → -32602 with what is wrong', async (_case, params, detail) => {
    const sessionId = await openSession()
    const res = await postMcp(call(params), { 'mcp-session-id': sessionId })
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 5,
      error: { code: -32602, message: `Invalid params: ${detail}` },
    })
  })

  it('on a modern request, the SDK answers -32602 itself (in band)', async () => {
    const body = modern('tools/call', { name: 'echo', arguments: 'str' }, 6)
    const error = await expectModernError(await postModern(body), 200, -32602, 6)
    expect(error.message).toMatch(/arguments/)
  })
})

describe('HEAD', () => {
  it('HEAD /mcp → 405 and opens no stream: the real GET still gets it', async () => {
    const sessionId = await openSession()
    const head = await fetchApp('/mcp', {
      method: 'HEAD',
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
    })
    expect(head.status).toBe(405)
    expect(head.headers.get('allow')).toBe('GET, POST, DELETE')
    const get = await fetchApp('/mcp', {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
    })
    expect(get.status).toBe(200)
    await get.body?.cancel()
  })

  it('HEAD /sse → 405 and creates no session', async () => {
    const before = (await listDurableObjectIds(env.SESSION_DO)).length
    for (let i = 0; i < 5; i++) {
      const res = await fetchApp('/sse', {
        method: 'HEAD',
        headers: { accept: 'text/event-stream' },
      })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('GET')
    }
    expect(await listDurableObjectIds(env.SESSION_DO)).toHaveLength(before)
  })
})

describe('deep nesting', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

  it('a body nested 100 000 deep → 400 -32600, before any object wakes', async () => {
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":${nested(100_000)}}}}`
    const message = await expectRpcError(await postMcp(body), 400, -32600)
    expect(message).toBe('Invalid Request: the body nests deeper than 64 levels')
  })

  it('64 levels are fine; brackets inside strings do not count', async () => {
    const sessionId = await openSession()
    const deep = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"${'['.repeat(500)}","x":${nested(60)}}}}`
    const res = await postMcp(deep, { 'mcp-session-id': sessionId })
    expect(await res.json()).toMatchObject({
      id: 2,
      result: { content: [{ text: '['.repeat(500) }] },
    })
  })
})

describe('batches and request ids', () => {
  it('a batch past BATCH_MAX_MESSAGES (100) → 400 -32600', async () => {
    const sessionId = await openSession('2025-03-26')
    const batch = Array.from({ length: 101 }, (_, i) => MSG.ping(i))
    const message = await expectRpcError(
      await postMcp(batch, { 'mcp-session-id': sessionId }),
      400,
      -32600,
    )
    expect(message).toBe(
      'Invalid Request: a batch may hold at most 100 messages (BATCH_MAX_MESSAGES)',
    )
    const full = await postMcp(batch.slice(0, 100), { 'mcp-session-id': sessionId })
    expect(((await full.json()) as unknown[]).length).toBe(100)
  })

  it('a batch with one request id twice → 400 -32600', async () => {
    const sessionId = await openSession('2025-03-26')
    const res = await postMcp([MSG.ping(40), MSG.ping(40)], { 'mcp-session-id': sessionId })
    expect(await expectRpcError(res, 400, -32600)).toBe(
      'Invalid Request: request id 40 appears twice in the batch',
    )
  })

  it('a request whose id is in flight → 400 with that id; the first one still finishes', async () => {
    const sessionId = await openSession()
    const headers = { 'mcp-session-id': sessionId }
    const first = postMcp(MSG.call('countdown', { from: 3, intervalMs: 50 }, 50), headers)
    await new Promise((resolve) => setTimeout(resolve, 30))
    const second = await postMcp(MSG.call('echo', { text: 'x' }, 50), headers)
    expect(second.status).toBe(400)
    expect(await second.json()).toEqual({
      jsonrpc: '2.0',
      id: 50,
      error: {
        code: -32600,
        message: 'Invalid Request: request id 50 is in use by a request still in flight',
      },
    })
    expect(await (await first).text()).toContain('Liftoff!')
    const again = await postMcp(MSG.call('echo', { text: 'y' }, 50), headers)
    expect(await again.json()).toMatchObject({ id: 50, result: { content: [{ text: 'y' }] } })
  })
})

describe('the event log caps', () => {
  it('hold as events are appended, not only when the alarm prunes', async () => {
    await runInDurableObject(freshObject(), (_instance, state) => {
      let appends = 0
      const limits = { maxEvents: 20, maxBytes: 1_000_000, maxAgeMs: 60_000 }
      const log = cappedEventLog(state.storage.sql, limits, () => appends++)
      for (let i = 0; i < 500; i++) {
        log.append('get', { jsonrpc: '2.0', method: 'notifications/message', params: { i } })
        expect(log.size().events).toBeLessThanOrEqual(20)
      }
      expect(appends).toBe(500)
      const kept = log.eventsAfter('get', 0).map((event) => event.message)
      expect(kept.at(-1)).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { i: 499 },
      })
    })
  })

  it('hold the byte cap too', async () => {
    await runInDurableObject(freshObject(), (_instance, state) => {
      const limits = { maxEvents: 1_000, maxBytes: 2_000, maxAgeMs: 60_000 }
      const log = cappedEventLog(state.storage.sql, limits, () => undefined)
      const params = { text: 'x'.repeat(100) }
      for (let i = 0; i < 200; i++) {
        log.append('get', { jsonrpc: '2.0', method: 'notifications/message', params })
        expect(log.size().bytes).toBeLessThanOrEqual(2_000)
      }
    })
  })
})
