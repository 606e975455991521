/**
 * POST /mcp, raw. Invariant: every rejection answers the exact status with a JSON-RPC error body
 * (`id: null`), and changes nothing the session has stored.
 */
import { listDurableObjectIds } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { SessionRecord } from '../../durable/session/session-state'
import {
  ACCEPT_BOTH,
  expectRpcError,
  fetchApp,
  MSG,
  openSession,
  postMcp,
} from '../helpers/requests'
import { storedEntries } from '../helpers/session-storage'
import { sseMessages } from '../helpers/sse'

const UNKNOWN_ID = 'f'.repeat(64)

describe('POST /mcp: initialize', () => {
  it('creates a session and answers JSON with its id', async () => {
    const res = await postMcp(MSG.initialize('2025-11-25'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const sessionId = res.headers.get('mcp-session-id')
    expect(sessionId).toMatch(/^[0-9a-f]{64}$/)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        protocolVersion: '2025-11-25',
        capabilities: {
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
        },
        serverInfo: { name: 'mcp-workers-demo', version: '0.1.0' },
      },
    })
  })

  it('gives every session a different id', async () => {
    const ids = new Set<string | null>()
    for (let i = 0; i < 10; i++) {
      const res = await postMcp(MSG.initialize())
      ids.add(res.headers.get('mcp-session-id'))
      await res.text()
    }
    expect(ids.size).toBe(10)
  })

  it.each([
    ['2025-11-25', '2025-11-25'],
    ['2025-06-18', '2025-06-18'],
    ['2025-03-26', '2025-03-26'],
    ['2024-11-05', '2025-11-25'],
    ['2099-01-01', '2025-11-25'],
  ])('negotiates %s → %s', async (requested, answered) => {
    const res = await postMcp(MSG.initialize(requested))
    const body = (await res.json()) as { result: { protocolVersion: string } }
    expect(body.result.protocolVersion).toBe(answered)
  })

  it('stores the session record before answering', async () => {
    const res = await postMcp(MSG.initialize('2025-06-18'))
    const sessionId = res.headers.get('mcp-session-id')!
    await res.text()
    const stored = new Map(await storedEntries(sessionId))
    expect(stored.get('session')).toMatchObject({
      schema: 1,
      kind: 'streamable-http',
      principal: 'anonymous',
      protocolVersion: '2025-06-18',
      clientInfo: { name: 'test-client', version: '0.0.1' },
      clientCapabilities: {},
      initialized: false,
    })
  })

  it('rejects initialize inside a batch → 400 -32600, creating nothing', async () => {
    const before = await listDurableObjectIds(env.SESSION_DO)
    const res = await postMcp([MSG.initialize(), MSG.ping()], {
      'mcp-protocol-version': '2025-03-26',
    })
    expect(await expectRpcError(res, 400, -32600)).toMatch(/batch/)
    expect(await listDurableObjectIds(env.SESSION_DO)).toHaveLength(before.length)
  })

  it('rejects initialize carrying a session id → 400 -32600', async () => {
    const sessionId = await openSession()
    const before = await storedEntries(sessionId)
    const res = await postMcp(MSG.initialize(), { 'mcp-session-id': sessionId })
    expect(await expectRpcError(res, 400, -32600)).toMatch(/Mcp-Session-Id/)
    expect(await storedEntries(sessionId)).toEqual(before)
  })

  it('rejects initialize with malformed params → 400 -32602', async () => {
    const res = await postMcp({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { foo: 1 } })
    await expectRpcError(res, 400, -32602)
  })

  it('rejects a non-initialize request without a session id → 400', async () => {
    const res = await postMcp(MSG.ping())
    expect(await expectRpcError(res, 400, -32000)).toMatch(/Mcp-Session-Id header is required/)
  })
})

describe('POST /mcp: headers and body', () => {
  it.each([
    ['application/json'],
    ['text/event-stream'],
    ['text/html'],
    ['application/json;q=0, text/event-stream'],
  ])('Accept: %s → 406', async (accept) => {
    const res = await postMcp(MSG.initialize(), { accept })
    expect(await expectRpcError(res, 406, -32000)).toMatch(/Not Acceptable/)
  })

  it('no Accept header → 406', async () => {
    const res = await fetchApp('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(MSG.initialize()),
    })
    await expectRpcError(res, 406, -32000)
  })

  it.each([['*/*'], ['application/*, text/*'], ['text/event-stream;q=0.5, application/json']])(
    'Accept: %s is accepted',
    async (accept) => {
      const res = await postMcp(MSG.initialize(), { accept })
      expect(res.status).toBe(200)
      await res.text()
    },
  )

  it.each([['text/plain'], ['application/jsonx'], ['multipart/form-data'], ['']])(
    'Content-Type: %j → 415',
    async (contentType) => {
      const res = await postMcp(MSG.initialize(), { 'content-type': contentType })
      expect(await expectRpcError(res, 415, -32000)).toMatch(/Unsupported Media Type/)
    },
  )

  it('Content-Type with a charset is fine', async () => {
    const res = await postMcp(MSG.initialize(), {
      'content-type': 'Application/JSON; charset=utf-8',
    })
    expect(res.status).toBe(200)
    await res.text()
  })

  it('a body over 4 MiB → 413 (declared length)', async () => {
    const body = JSON.stringify({ ...MSG.ping(), pad: 'a'.repeat(4 * 1024 * 1024) })
    const res = await postMcp(body)
    expect(await expectRpcError(res, 413, -32000)).toMatch(/Payload Too Large/)
  })

  it('a body over 4 MiB → 413 (streamed, no length)', async () => {
    const chunk = new TextEncoder().encode('a'.repeat(1024 * 1024))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 5) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const res = await fetchApp('/mcp', {
      method: 'POST',
      headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json' },
      body,
      // @ts-expect-error: `duplex` is required by the fetch spec for streamed bodies
      duplex: 'half',
    })
    await expectRpcError(res, 413, -32000)
  })

  it.each([['{oops'], [''], ['{"jsonrpc":"2.0",']])('unparseable %j → 400 -32700', async (body) => {
    const res = await postMcp(body)
    expect(await expectRpcError(res, 400, -32700)).toMatch(/Parse error/)
  })

  it.each([
    ['not an object', '42'],
    ['no jsonrpc', '{"id":1,"method":"ping"}'],
    ['wrong jsonrpc', '{"jsonrpc":"1.0","id":1,"method":"ping"}'],
    ['null id', '{"jsonrpc":"2.0","id":null,"method":"ping"}'],
    ['non-string method', '{"jsonrpc":"2.0","method":5}'],
    ['unknown shape', '{"foo":1}'],
    ['empty batch', '[]'],
    ['batch with a bad item', '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"foo":1}]'],
  ])('invalid JSON-RPC (%s) → 400 -32600', async (_name, body) => {
    const res = await postMcp(body)
    expect(await expectRpcError(res, 400, -32600)).toMatch(/Invalid Request/)
  })
})

describe('POST /mcp: sessions', () => {
  it('unknown session id → 404 -32001', async () => {
    const res = await postMcp(MSG.ping(), { 'mcp-session-id': UNKNOWN_ID })
    expect(await expectRpcError(res, 404, -32001)).toBe('Session not found')
  })

  it.each([['short'], ['Z'.repeat(64)], ['0'.repeat(63)], [`${'a'.repeat(64)} `]])(
    'malformed session id %j → 404 -32001 without waking an object',
    async (sessionId) => {
      const before = await listDurableObjectIds(env.SESSION_DO)
      const res = await postMcp(MSG.ping(), { 'mcp-session-id': sessionId })
      await expectRpcError(res, 404, -32001)
      expect(await listDurableObjectIds(env.SESSION_DO)).toHaveLength(before.length)
    },
  )

  it('reads the session header case-insensitively', async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.ping(7), { 'MCP-SESSION-ID': sessionId })
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 7, result: {} })
  })

  it('answers ping with {} as JSON and repeats the session id', async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.ping(7), { 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('mcp-session-id')).toBe(sessionId)
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 7, result: {} })
  })

  it('answers notifications and responses with 202 and no body', async () => {
    const sessionId = await openSession()
    const res = await postMcp(
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } },
      { 'mcp-session-id': sessionId },
    )
    expect(res.status).toBe(202)
    expect(await res.text()).toBe('')
  })

  it('records notifications/initialized with the first request, in the same write', async () => {
    const sessionId = await openSession()
    const before = new Map(await storedEntries(sessionId)).get('session') as SessionRecord
    expect(before).toMatchObject({ initialized: false, unused: true })
    const ping = await postMcp(MSG.ping(4), { 'mcp-session-id': sessionId })
    expect(ping.status).toBe(200)
    await ping.text()
    const after = new Map(await storedEntries(sessionId)).get('session') as SessionRecord
    expect(after).toEqual({
      schema: 1,
      kind: 'streamable-http',
      principal: 'anonymous',
      protocolVersion: '2025-11-25',
      clientInfo: { name: 'test-client', version: '0.0.1' },
      clientCapabilities: {},
      initializeParams: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'test-client', version: '0.0.1' },
      },
      initialized: true,
      createdAt: before.createdAt,
      lastSeenAt: expect.any(Number),
    })
    expect(after.lastSeenAt).toBeGreaterThanOrEqual(before.createdAt)
  })

  it('keeps handler errors inside a 200 body: unknown method → -32601', async () => {
    const sessionId = await openSession()
    const res = await postMcp(
      { jsonrpc: '2.0', id: 5, method: 'foo/bar' },
      { 'mcp-session-id': sessionId },
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: 5, error: { code: -32601 } })
  })

  it("unknown tool → 200 with the SDK's isError result naming the tool", async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.call('nope', {}, 6), { 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 6,
      result: { isError: true, content: [{ type: 'text', text: expect.stringContaining('nope') }] },
    })
  })

  it('bad tool arguments → a result with isError, not a protocol error', async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.call('echo', { text: 42 }, 8), { 'mcp-session-id': sessionId })
    expect(await res.json()).toMatchObject({ id: 8, result: { isError: true } })
  })
})

describe('POST /mcp: MCP-Protocol-Version', () => {
  it.each([['1999-01-01'], ['2024-11-05'], ['latest'], ['']])(
    'unsupported %j → 400, nothing stored',
    async (version) => {
      const sessionId = await openSession()
      const before = await storedEntries(sessionId)
      const res = await postMcp(MSG.ping(), {
        'mcp-session-id': sessionId,
        'mcp-protocol-version': version,
      })
      expect(await expectRpcError(res, 400, -32000)).toMatch(/unsupported protocol version/)
      expect(await storedEntries(sessionId)).toEqual(before)
    },
  )

  it.each([['2025-11-25'], ['2025-06-18'], ['2025-03-26']])(
    'any supported version (%s) is accepted',
    async (version) => {
      const sessionId = await openSession()
      const res = await postMcp(MSG.ping(), {
        'mcp-session-id': sessionId,
        'mcp-protocol-version': version,
      })
      expect(res.status).toBe(200)
      await res.text()
    },
  )

  it('a missing header is fine', async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.ping(), { 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    await res.text()
  })
})

describe('POST /mcp: batches', () => {
  it('a 2025-03-26 session answers a batch of requests with an array', async () => {
    const sessionId = await openSession('2025-03-26')
    const res = await postMcp([MSG.ping(2), MSG.toolsList(3)], { 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Array<{ id: number }>
    expect(body.map((m) => m.id).sort()).toEqual([2, 3])
  })

  it('a 2025-03-26 session takes a batch of notifications with 202', async () => {
    const sessionId = await openSession('2025-03-26')
    const res = await postMcp(
      [
        MSG.initialized,
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
      ],
      { 'mcp-session-id': sessionId },
    )
    expect(res.status).toBe(202)
  })

  it.each([['2025-06-18'], ['2025-11-25']])(
    'a %s session rejects any batch → 400 -32600, nothing stored',
    async (version) => {
      const sessionId = await openSession(version)
      const before = await storedEntries(sessionId)
      const res = await postMcp([MSG.ping(2)], { 'mcp-session-id': sessionId })
      expect(await expectRpcError(res, 400, -32600)).toMatch(/batches are not supported/)
      expect(await storedEntries(sessionId)).toEqual(before)
    },
  )
})

describe('POST /mcp: SSE replies', () => {
  it('streams progress before the result when a tool reports progress', async () => {
    const sessionId = await openSession()
    const res = await postMcp(
      MSG.call('countdown', { from: 3, intervalMs: 0 }, 11, { progressToken: 'p1' }),
      { 'mcp-session-id': sessionId },
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(res.headers.get('mcp-session-id')).toBe(sessionId)
    expect(await sseMessages(res)).toEqual([
      progress('p1', 1, 3, '2 left'),
      progress('p1', 2, 3, '1 left'),
      progress('p1', 3, 3, '0 left'),
      { jsonrpc: '2.0', id: 11, result: { content: [{ type: 'text', text: 'Liftoff!' }] } },
    ])
  })

  it('frames a 2025-11-25 stream exactly: priming event, then one message per event with its id', async () => {
    const sessionId = await openSession('2025-11-25')
    const res = await postMcp(
      MSG.call('countdown', { from: 1, intervalMs: 0 }, 12, { progressToken: 7 }),
      { 'mcp-session-id': sessionId },
    )
    const result = {
      jsonrpc: '2.0',
      id: 12,
      result: { content: [{ type: 'text', text: 'Liftoff!' }] },
    }
    expect(await res.text()).toBe(
      'data: \nid: p1_0\nretry: 1000\n\n' +
        `event: message\ndata: ${wire(progress(7, 1, 1, '0 left'))}\nid: p1_1\n\n` +
        `event: message\ndata: ${wire(result)}\nid: p1_2\n\n`,
    )
  })

  it('sends no priming event to a 2025-06-18 session, but ids all the same', async () => {
    const sessionId = await openSession('2025-06-18')
    const res = await postMcp(
      MSG.call('countdown', { from: 1, intervalMs: 0 }, 12, { progressToken: 7 }),
      { 'mcp-session-id': sessionId },
    )
    const text = await res.text()
    expect(text).toMatch(
      /^event: message\ndata: \{[^\n]+\}\nid: p1_1\n\nevent: message\ndata: \{[^\n]+\}\nid: p1_2\n\n$/,
    )
  })

  it('answers JSON when nothing but the result is sent', async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.call('countdown', { from: 2, intervalMs: 0 }, 13), {
      'mcp-session-id': sessionId,
    })
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toMatchObject({ id: 13, result: { content: [{ text: 'Liftoff!' }] } })
  })
})

/** A message as the server serializes it: `JSON.stringify` in the SDK's key order. */
function wire(message: Record<string, unknown>): string {
  const { jsonrpc, id, ...rest } = message
  return JSON.stringify(id === undefined ? { ...rest, jsonrpc } : { ...rest, jsonrpc, id })
}

function progress(progressToken: string | number, value: number, total: number, message: string) {
  return {
    jsonrpc: '2.0',
    method: 'notifications/progress',
    params: { progressToken, progress: value, total, message },
  }
}
