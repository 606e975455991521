/**
 * GET /mcp (the standalone stream), DELETE /mcp, and other methods. Invariant: GET and DELETE get
 * the same session and version checks as POST; DELETE leaves nothing behind.
 */
import { describe, expect, it } from 'vitest'
import { expectRpcError, fetchApp, MSG, openSession, postMcp } from '../helpers/requests'
import { storedEntries } from '../helpers/session-storage'
import { LegacyStream } from '../helpers/sse-transport'

const SSE_ACCEPT = { accept: 'text/event-stream' }

function getMcp(headers: Record<string, string>): Promise<Response> {
  return fetchApp('/mcp', { method: 'GET', headers })
}

function deleteMcp(headers: Record<string, string>): Promise<Response> {
  return fetchApp('/mcp', { method: 'DELETE', headers })
}

describe('GET /mcp', () => {
  it('opens the standalone SSE stream', async () => {
    const sessionId = await openSession()
    const res = await getMcp({ ...SSE_ACCEPT, 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    expect(res.headers.get('mcp-session-id')).toBe(sessionId)
    await res.body!.cancel()
  })

  it('has one standalone stream at a time: a new one takes over, the old one ends', async () => {
    const sessionId = await openSession()
    const first = new LegacyStream(await getMcp({ ...SSE_ACCEPT, 'mcp-session-id': sessionId }))
    expect(first.response.status).toBe(200)
    const second = new LegacyStream(await getMcp({ ...SSE_ACCEPT, 'mcp-session-id': sessionId }))
    expect(second.response.status).toBe(200)
    expect(await first.ended()).toBe(true)
    // The new one is live: it gets the keepalives (150 ms in these tests), and stays open.
    expect(await second.drain(400)).toMatch(/: keepalive/)
    await second.cancel()
  })

  it('needs Accept: text/event-stream → 406', async () => {
    const sessionId = await openSession()
    const res = await getMcp({ accept: 'application/json', 'mcp-session-id': sessionId })
    await expectRpcError(res, 406, -32000)
  })

  it('needs a session id → 400', async () => {
    await expectRpcError(await getMcp(SSE_ACCEPT), 400, -32000)
  })

  it('unknown or malformed session id → 404', async () => {
    await expectRpcError(
      await getMcp({ ...SSE_ACCEPT, 'mcp-session-id': 'e'.repeat(64) }),
      404,
      -32001,
    )
    await expectRpcError(await getMcp({ ...SSE_ACCEPT, 'mcp-session-id': 'nope' }), 404, -32001)
  })

  it('unsupported MCP-Protocol-Version → 400', async () => {
    const sessionId = await openSession()
    const res = await getMcp({
      ...SSE_ACCEPT,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '1999-01-01',
    })
    await expectRpcError(res, 400, -32000)
  })
})

describe('DELETE /mcp', () => {
  it('ends the session: 200, then every request with its id → 404', async () => {
    const sessionId = await openSession()
    const res = await deleteMcp({ 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
    await expectRpcError(await postMcp(MSG.ping(), { 'mcp-session-id': sessionId }), 404, -32001)
    await expectRpcError(await getMcp({ ...SSE_ACCEPT, 'mcp-session-id': sessionId }), 404, -32001)
    await expectRpcError(await deleteMcp({ 'mcp-session-id': sessionId }), 404, -32001)
  })

  it('deletes all of the session storage, notes included', async () => {
    const sessionId = await openSession()
    const remembered = await postMcp(MSG.call('remember', { key: 'k', note: 'secret' }), {
      'mcp-session-id': sessionId,
    })
    expect(remembered.status).toBe(200)
    await remembered.text()
    expect((await storedEntries(sessionId)).map(([key]) => key).sort()).toEqual([
      'app:note:k',
      'session',
    ])
    await (await deleteMcp({ 'mcp-session-id': sessionId })).text()
    expect(await storedEntries(sessionId)).toEqual([])
  })

  it('closes the open standalone stream', async () => {
    const sessionId = await openSession()
    const stream = await getMcp({ ...SSE_ACCEPT, 'mcp-session-id': sessionId })
    const body = stream.text()
    await (await deleteMcp({ 'mcp-session-id': sessionId })).text()
    // The stream ends (after its priming event), instead of hanging.
    expect(await body).toBe('data: \nid: get_0\nretry: 1000\n\n')
  })

  it('needs a session id → 400', async () => {
    await expectRpcError(await deleteMcp({}), 400, -32000)
  })

  it('unknown session id → 404, and stores nothing', async () => {
    const id = 'd'.repeat(64)
    await expectRpcError(await deleteMcp({ 'mcp-session-id': id }), 404, -32001)
  })
})

describe('other methods on /mcp', () => {
  it.each([['PUT'], ['PATCH']])('%s → 405 with Allow', async (method) => {
    const res = await fetchApp('/mcp', { method, body: '{}' })
    expect(res.headers.get('allow')).toBe('GET, POST, DELETE')
    expect(await expectRpcError(res, 405, -32000)).toBe('Method Not Allowed')
  })
})
