/**
 * What `/mcp` refuses on the 2026-07-28 leg (each with its HTTP status, its JSON-RPC code and the
 * request's id), and how the era router classifies the edge cases: a batch with a claim,
 * `initialize` with an envelope or a modern header, a modern header without a claim, and a
 * session-bearing request with a modern header (served by its session).
 */
import { listDurableObjectIds } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ENVELOPE, expectModernError, modern, postModern } from '../helpers/modern'
import { fetchApp, MSG, openSession, postMcp } from '../helpers/requests'

const echo = (id: number | string = 1) =>
  modern('tools/call', { name: 'echo', arguments: { text: 'x' } }, id)

describe('2026-07-28 rejections: status, code and the request id', () => {
  it('a claim whose header names another revision → 400 -32020', async () => {
    await expectModernError(
      await postModern(echo(21), { 'mcp-protocol-version': '2025-11-25' }),
      400,
      -32020,
      21,
    )
  })

  it('a claim without MCP-Protocol-Version → 400 -32020', async () => {
    const body = echo(22)
    const res = await postMcp(body, { 'mcp-method': 'tools/call', 'mcp-name': 'echo' })
    await expectModernError(res, 400, -32020, 22)
  })

  it('a modern header on a request without a claim (and no session) → 400 -32602', async () => {
    const res = await postMcp(
      { jsonrpc: '2.0', id: 23, method: 'server/discover', params: {} },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' },
    )
    await expectModernError(res, 400, -32602, 23)
  })

  it('an envelope without clientCapabilities → 400 -32602', async () => {
    const body = {
      jsonrpc: '2.0',
      id: 24,
      method: 'server/discover',
      params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } },
    }
    await expectModernError(await postModern(body), 400, -32602, 24)
  })

  it('an unsupported revision → 400 -32022 naming the supported ones and the requested one', async () => {
    const body = modern('server/discover', {}, 25, {
      'io.modelcontextprotocol/protocolVersion': '2099-01-01',
    })
    const error = await expectModernError(
      await postModern(body, { 'mcp-protocol-version': '2099-01-01' }),
      400,
      -32022,
      25,
    )
    expect(error.data).toEqual({ supported: ['2026-07-28'], requested: '2099-01-01' })
  })

  it('standard headers missing or wrong → 400 -32020', async () => {
    await expectModernError(await postModern(echo(26), { 'mcp-method': '' }), 400, -32020, 26)
    await expectModernError(
      await postModern(echo(27), { 'mcp-method': 'tools/list' }),
      400,
      -32020,
      27,
    )
    await expectModernError(await postModern(echo(28), { 'mcp-name': 'other' }), 400, -32020, 28)
    await expectModernError(
      await postModern(echo(29), { 'mcp-name': '=?base64?!!?=' }),
      400,
      -32020,
      29,
    )
  })

  it('Mcp-Name with surrounding spaces or base64-encoded is accepted', async () => {
    for (const name of ['  echo ', '=?base64?ZWNobw==?=']) {
      const res = await postModern(echo(30), { 'mcp-name': name })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ id: 30, result: { content: [{ text: 'x' }] } })
    }
  })

  it.each([
    'ping',
    'logging/setLevel',
    'resources/subscribe',
    'resources/unsubscribe',
    'initialize',
    'no/such-method',
  ])('%s (removed or unknown) → 404 -32601', async (method) => {
    const res = await postModern(
      modern(method, method === 'logging/setLevel' ? { level: 'info' } : {}, 31),
    )
    await expectModernError(res, 404, -32601, 31)
  })

  it('an unknown tool → 200 with a -32602 error (the SDK keeps handler errors in band)', async () => {
    const res = await postModern(modern('tools/call', { name: 'nope', arguments: {} }, 32))
    await expectModernError(res, 200, -32602, 32)
  })

  it('invalid tool arguments → an error result naming the problem', async () => {
    const res = await postModern(modern('tools/call', { name: 'echo', arguments: { text: 3 } }, 33))
    expect(await res.json()).toMatchObject({
      id: 33,
      result: { isError: true, content: [{ type: 'text', text: expect.stringMatching(/text/) }] },
    })
  })

  it('a batch with a claimed element → 400 -32600', async () => {
    const res = await postMcp([echo(34), MSG.ping(35)], { 'mcp-protocol-version': '2026-07-28' })
    await expectModernError(res, 400, -32600, null)
  })

  it('an Accept without text/event-stream → 406, before the modern leg', async () => {
    const res = await postModern(echo(36), { accept: 'application/json' })
    expect(res.status).toBe(406)
  })
})

describe('the era router', () => {
  it('initialize carrying an envelope is a modern request → 404 -32601, and starts no session', async () => {
    const before = (await listDurableObjectIds(env.SESSION_DO)).length
    const body = {
      ...MSG.initialize(),
      id: 41,
      params: { ...MSG.initialize().params, _meta: ENVELOPE },
    }
    await expectModernError(await postModern(body), 404, -32601, 41)
    expect(await listDurableObjectIds(env.SESSION_DO)).toHaveLength(before)
  })

  it('initialize with a modern MCP-Protocol-Version header but no envelope → 400 -32020', async () => {
    const res = await postMcp(MSG.initialize('2025-11-25', 42), {
      'mcp-protocol-version': '2026-07-28',
    })
    await expectModernError(res, 400, -32020, 42)
  })

  it('a plain initialize still starts a session', async () => {
    const res = await postMcp(MSG.initialize())
    expect(res.status).toBe(200)
    expect(res.headers.get('mcp-session-id')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('a session whose client sends a modern header is served by the session (its version applies)', async () => {
    const sessionId = await openSession('2025-06-18')
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2026-07-28' }
    const res = await postMcp(MSG.toolsList(43), headers)
    expect(res.status).toBe(200)
    expect(res.headers.get('mcp-session-id')).toBe(sessionId)
    const body = (await res.json()) as { id: number; result: { tools: unknown[] } }
    expect(body.id).toBe(43)
    expect(body.result.tools.length).toBeGreaterThan(0)
    // Session-only behaviour: resultType and the modern fields never appear.
    expect(body.result).not.toHaveProperty('resultType')

    const stream = await fetchApp('/mcp', {
      headers: { ...headers, accept: 'text/event-stream' },
    })
    expect(stream.status).toBe(200)
    await stream.body?.cancel()
    const ended = await fetchApp('/mcp', { method: 'DELETE', headers })
    expect(ended.status).toBe(200)
  })

  it('a session-bearing request with a claim is the session’s too', async () => {
    const sessionId = await openSession()
    const res = await postMcp(echo(44), { 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    expect(res.headers.get('mcp-session-id')).toBe(sessionId)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 44,
      result: { content: [{ type: 'text', text: 'x' }] },
    })
  })

  it('a session with a header naming an unknown revision is still refused (400)', async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.toolsList(45), {
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2099-01-01',
    })
    expect(res.status).toBe(400)
  })

  it('a claim-less request without a session is refused as before (400 -32000)', async () => {
    const res = await postMcp(MSG.ping(46))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: -32000 } })
  })

  it('a legacy batch without claims goes to the session path as before', async () => {
    const res = await postMcp([MSG.ping(47)])
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: -32000 } })
  })

  it('JSON that is not JSON-RPC is refused as before (400 -32600)', async () => {
    const res = await postMcp({ hello: 'world' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' },
    })
  })
})
