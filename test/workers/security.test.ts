/**
 * Security on by default, on the default app itself (src/index.ts) with vars set per test:
 * bearer tokens from AUTH_TOKENS, the Host/Origin guard and its allow-lists, CORS.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { parseBearerTokens } from '../../src/plugins/bearer-auth'
import { LegacyStream } from '../helpers/legacy-sse'
import { ACCEPT_BOTH, BASE, expectRpcError, MSG } from '../helpers/requests'
import { storedEntries } from '../helpers/session-storage'

const TOKENS = { AUTH_TOKENS: 'alice:tokA,bob:tokB' }

function call(
  path: string,
  init: RequestInit & { headers?: Record<string, string> } = {},
  vars: Record<string, string> = TOKENS,
): Promise<Response> {
  return Promise.resolve(worker.fetch(new Request(BASE + path, init), { ...env, ...vars }))
}

function post(body: unknown, headers: Record<string, string>, vars?: Record<string, string>) {
  return call(
    '/mcp',
    {
      method: 'POST',
      headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    },
    vars,
  )
}

const alice = { authorization: 'Bearer tokA' }
const bob = { authorization: 'Bearer tokB' }

async function openAs(headers: Record<string, string>): Promise<string> {
  const res = await post(MSG.initialize(), headers)
  expect(res.status).toBe(200)
  await res.text()
  return res.headers.get('mcp-session-id')!
}

describe('bearer tokens (AUTH_TOKENS)', () => {
  it('no token → 401 with WWW-Authenticate and a JSON-RPC body', async () => {
    const res = await post(MSG.initialize(), {})
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcp"')
    expect(await expectRpcError(res, 401, -32000)).toBe(
      'Unauthorized: send a valid token as "Authorization: Bearer <token>"',
    )
  })

  it('a wrong token → 401 invalid_token; a malformed header → 400', async () => {
    const wrong = await post(MSG.initialize(), { authorization: 'Bearer nope' })
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="mcp", error="invalid_token"')
    await expectRpcError(wrong, 401, -32000)
    const malformed = await post(MSG.initialize(), { authorization: 'Token tokA' })
    expect(malformed.headers.get('www-authenticate')).toBe(
      'Bearer realm="mcp", error="invalid_request"',
    )
    await expectRpcError(malformed, 400, -32000)
  })

  it('a token in the query string is ignored → 401', async () => {
    const res = await call('/mcp?access_token=tokA', {
      method: 'POST',
      headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json' },
      body: JSON.stringify(MSG.initialize()),
    })
    await expectRpcError(res, 401, -32000)
  })

  it("the token's name owns the session; the other token gets 404 and reaches nothing", async () => {
    const sessionId = await openAs(alice)
    expect(new Map(await storedEntries(sessionId)).get('session')).toMatchObject({
      principal: 'alice',
    })
    const before = await storedEntries(sessionId)
    const res = await post(MSG.call('remember', { key: 'x', note: 'y' }), {
      ...bob,
      'mcp-session-id': sessionId,
    })
    expect(await expectRpcError(res, 404, -32001)).toBe('Session not found')
    expect(await storedEntries(sessionId)).toEqual(before)
    const own = await post(MSG.ping(5), { ...alice, 'mcp-session-id': sessionId })
    expect(await own.json()).toEqual({ jsonrpc: '2.0', id: 5, result: {} })
  })

  it('a header naming a principal is ignored: only the token decides', async () => {
    const sessionId = await openAs(alice)
    const res = await post(MSG.ping(), {
      ...bob,
      'mcp-session-id': sessionId,
      'x-mcp-principal': 'alice',
    })
    await expectRpcError(res, 404, -32001)
  })

  it('legacy: the other token cannot post to or reconnect to the session', async () => {
    const res = await call('/sse', { headers: { ...alice, accept: 'text/event-stream' } })
    const stream = new LegacyStream(res)
    const sessionId = /sessionId=([0-9a-f]{64})/.exec((await stream.next()).data)![1]!
    const post404 = await call(`/messages?sessionId=${sessionId}`, {
      method: 'POST',
      headers: { ...bob, 'content-type': 'application/json' },
      body: JSON.stringify(MSG.initialize('2024-11-05')),
    })
    await expectRpcError(post404, 404, -32001)
    expect(await stream.drain(150)).not.toContain('event: message')
    await stream.cancel()
  })

  it.each([
    ['/.well-known/oauth-protected-resource'],
    ['/.well-known/oauth-protected-resource/mcp'],
    ['/.well-known/oauth-authorization-server'],
  ])('%s is 404: static tokens send no client into an OAuth flow', async (path) => {
    const res = await call(path)
    expect(res.status).toBe(404)
    await res.body?.cancel()
  })

  it('POST /register answers an OAuth error that says to configure the token', async () => {
    const res = await call('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://localhost:1/cb'] }),
    })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description:
        'This MCP server takes a static bearer token, not OAuth: configure your client to send ' +
        '"Authorization: Bearer <token>" (mcp-remote: --header "Authorization: Bearer <token>")',
    })
    const off = await call('/register', { method: 'POST' }, {})
    expect(off.status).toBe(404)
    expect(await off.json()).toMatchObject({ error: { code: -32000 } })
  })

  it('/health says bearer when AUTH_TOKENS is set and none otherwise, and needs no token', async () => {
    expect(await (await call('/health')).json()).toMatchObject({ auth: 'bearer' })
    expect(await (await call('/health', {}, {})).json()).toMatchObject({ auth: 'none' })
  })

  it('refuses a token named "anonymous", the principal of every caller without auth', async () => {
    const reserved =
      'mcpBearerAuth: the token name "anonymous" is reserved (it is every caller\'s principal while auth is off)'
    expect(() => parseBearerTokens('alice:tokA,anonymous:tokX')).toThrow(reserved)
    expect(() => parseBearerTokens([['anonymous', 'tokX']])).toThrow(reserved)
    const res = await post(
      MSG.initialize(),
      { authorization: 'Bearer tokX' },
      {
        AUTH_TOKENS: 'anonymous:tokX',
      },
    )
    expect(await expectRpcError(res, 500, -32603)).toBe('Internal error')
  })

  it('without AUTH_TOKENS every caller is anonymous', async () => {
    const res = await post(MSG.initialize(), {}, {})
    expect(res.status).toBe(200)
    await res.text()
    const record = new Map(await storedEntries(res.headers.get('mcp-session-id')!)).get('session')
    expect(record).toMatchObject({ principal: 'anonymous' })
  })
})

describe('the Host/Origin guard', () => {
  it.each([
    ['http://localhost:6274'],
    ['http://127.0.0.1:3000'],
    ['http://[::1]:8080'],
    ['https://app.localhost'],
  ])('a loopback Origin (%s) is allowed', async (origin) => {
    const res = await post(MSG.initialize(), { ...alice, origin })
    expect(res.status).toBe(200)
    await res.text()
  })

  it.each([['http://evil.example'], ['https://127.0.0.1.evil.example'], ['null'], ['file://']])(
    'a foreign Origin (%s) → 403, before auth',
    async (origin) => {
      const res = await post(MSG.initialize(), { origin })
      expect(await expectRpcError(res, 403, -32000)).toBe('Forbidden: Origin not allowed')
    },
  )

  it('ALLOWED_ORIGINS lets a listed origin in, exactly', async () => {
    const vars = { ...TOKENS, ALLOWED_ORIGINS: 'https://app.example.com, https://other.example' }
    const ok = await post(MSG.initialize(), { ...alice, origin: 'https://app.example.com' }, vars)
    expect(ok.status).toBe(200)
    await ok.text()
    const close = await post(
      MSG.initialize(),
      { ...alice, origin: 'https://app.example.com:8443' },
      vars,
    )
    await expectRpcError(close, 403, -32000)
  })

  it('a foreign Host → 403, unless ALLOWED_HOSTS lists it', async () => {
    const headers = { ...alice, host: 'mcp.example.com' }
    await expectRpcError(await post(MSG.initialize(), headers), 403, -32000)
    const ok = await post(MSG.initialize(), headers, {
      ...TOKENS,
      ALLOWED_HOSTS: 'mcp.example.com',
    })
    expect(ok.status).toBe(200)
    await ok.text()
  })

  it("the server's own origin is allowed where its Host is (a form on its own page)", async () => {
    const vars = { ...TOKENS, ALLOWED_HOSTS: 'mcp.example.com' }
    const own = { ...alice, host: 'mcp.example.com', origin: 'http://mcp.example.com' }
    const ok = await post(MSG.initialize(), own, vars)
    expect(ok.status).toBe(200)
    await ok.text()
    for (const origin of ['http://mcp.example.com:8443', 'https://mcp.example.com']) {
      const other = await post(MSG.initialize(), { ...own, origin }, vars)
      expect(await expectRpcError(other, 403, -32000)).toBe('Forbidden: Origin not allowed')
    }
    const unlisted = await post(MSG.initialize(), own)
    expect(await expectRpcError(unlisted, 403, -32000)).toBe('Forbidden: Host not allowed')
  })

  it('no Origin is fine (CLI and server-side clients)', async () => {
    const res = await post(MSG.initialize(), alice)
    expect(res.status).toBe(200)
    await res.text()
  })
})

describe('CORS', () => {
  const preflight = (origin: string) =>
    call('/mcp', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization, mcp-session-id',
      },
    })

  it('answers a preflight from an allowed origin without auth', async () => {
    const res = await preflight('http://localhost:6274')
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:6274')
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE,OPTIONS')
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'Content-Type,Authorization,Mcp-Session-Id,MCP-Protocol-Version,Last-Event-ID,Mcp-Method,Mcp-Name',
    )
  })

  it('gives no CORS grant to a foreign origin', async () => {
    const res = await preflight('https://evil.example')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it.each([
    ['401', {}, 401],
    ['404', { ...alice, 'mcp-session-id': 'f'.repeat(64) }, 404],
  ])('puts the CORS headers on a %s too', async (_name, headers, status) => {
    const res = await post(MSG.ping(), { ...headers, origin: 'http://localhost:6274' })
    expect(res.status).toBe(status)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:6274')
    expect(res.headers.get('access-control-expose-headers')).toBe('Mcp-Session-Id,WWW-Authenticate')
    await res.text()
  })

  it('adds no CORS headers for a client that sends no Origin (only browsers read them)', async () => {
    const res = await post(MSG.initialize(), alice)
    expect(res.status).toBe(200)
    for (const name of ['access-control-allow-origin', 'access-control-expose-headers', 'vary'])
      expect(res.headers.get(name)).toBeNull()
    await res.text()
  })

  it('exposes Mcp-Session-Id on a successful initialize', async () => {
    const res = await post(MSG.initialize(), { ...alice, origin: 'http://localhost:6274' })
    expect(res.headers.get('access-control-expose-headers')).toBe('Mcp-Session-Id,WWW-Authenticate')
    expect(res.headers.get('mcp-session-id')).toMatch(/^[0-9a-f]{64}$/)
    await res.text()
  })
})

describe('X-Request-Id', () => {
  it('answers with the client’s id when it is sane, on the object’s replies and the Worker’s', async () => {
    const init = await post(MSG.initialize(), { ...alice, 'x-request-id': 'req-1' })
    expect(init.headers.get('x-request-id')).toBe('req-1')
    const sessionId = init.headers.get('mcp-session-id')!
    await init.text()
    const ack = await post(MSG.initialized, {
      ...alice,
      'mcp-session-id': sessionId,
      'x-request-id': 'req-2',
    })
    expect([ack.status, ack.headers.get('x-request-id')]).toEqual([202, 'req-2'])
    const unknown = await post(MSG.ping(), {
      ...alice,
      'mcp-session-id': 'f'.repeat(64),
      'x-request-id': 'req-3',
    })
    expect([unknown.status, unknown.headers.get('x-request-id')]).toEqual([404, 'req-3'])
    const denied = await post(MSG.ping(), { 'x-request-id': 'req-4' })
    expect([denied.status, denied.headers.get('x-request-id')]).toEqual([401, 'req-4'])
    await Promise.all([ack.text(), unknown.text(), denied.text()])
  })

  it('replaces an id that is too long or has odd characters with a fresh one', async () => {
    for (const given of ['x'.repeat(256), 'a b', 'a;b']) {
      const res = await call('/health', { headers: { 'x-request-id': given } })
      const id = res.headers.get('x-request-id')
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
      await res.text()
    }
    const res = await post(MSG.initialize(), alice)
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    await res.text()
  })
})
