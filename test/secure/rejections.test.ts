/**
 * Bad input never hurts. One table walks every rejection path of both transports: the
 * HTTP status rows of the sessionful transports, plus auth, Origin/Host and principal cases. Each row asserts the
 * status, the headers that matter, the exact JSON-RPC error body, and that nothing changed: the
 * owner's two sessions keep every stored key and table row, and no new object was created.
 */
import { listDurableObjectIds, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { RESOURCE } from '../fixtures/secure/worker'
import { ACCEPT_BOTH, fetchApp, MSG, postMcp } from '../helpers/requests'
import { sessionObject, storedEntries } from '../helpers/session-storage'
import { openLegacy, postMessage } from '../helpers/sse-transport'
import { auth, token } from '../helpers/tokens'

const CHALLENGE = `Bearer resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource"`
const UNAUTHORIZED = 'Unauthorized: send a valid access token as "Authorization: Bearer <token>"'

interface Fixture {
  alice: Record<string, string>
  bob: Record<string, string>
  readOnly: Record<string, string>
  mcp: string
  legacy: string
}

let fx: Fixture

/** What a session's object holds: every key and every table's row count. */
async function snapshot(sessionId: string) {
  const tables = await runInDurableObject(sessionObject(sessionId), (_i, state) =>
    state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'mcp_%'",
      )
      .toArray()
      .map(({ name }) => [
        name,
        state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${name}`).one().n,
      ]),
  )
  return { entries: await storedEntries(sessionId), tables }
}

beforeAll(async () => {
  const alice = await auth('alice', { scope: 'notes:read' })
  const bob = await auth('bob', { scope: 'notes:read notes:write' })
  const init = await postMcp(MSG.initialize(), alice)
  await init.text()
  const mcp = init.headers.get('mcp-session-id')!
  await (await postMcp(MSG.initialized, { ...alice, 'mcp-session-id': mcp })).text()
  const legacyStream = await (async () => {
    const res = await fetchApp('/sse', { headers: { ...alice, accept: 'text/event-stream' } })
    const stream = new (await import('../helpers/sse-transport')).LegacyStream(res)
    return stream
  })()
  const endpoint = await legacyStream.next()
  const legacy = /sessionId=([0-9a-f]{64})/.exec(endpoint.data)![1]!
  await postMessage(legacy, MSG.initialize('2024-11-05'), alice)
  await legacyStream.next()
  await postMessage(legacy, MSG.initialized, alice)
  await legacyStream.cancel()
  await new Promise((resolve) => setTimeout(resolve, 600))
  fx = { alice, bob, readOnly: alice, mcp, legacy }
})

interface Row {
  readonly name: string
  readonly request: () => Promise<Response>
  readonly status: number
  readonly code: number
  readonly message: string | RegExp
  readonly headers?: Record<string, string | null>
}

const mcpHeaders = (extra: Record<string, string> = {}) => ({
  ...fx.alice,
  'mcp-session-id': fx.mcp,
  ...extra,
})
const get = (headers: Record<string, string>, path = '/mcp') => fetchApp(path, { headers })

const ROWS: Row[] = [
  // Auth, on every endpoint.
  {
    name: 'POST /mcp without a token',
    request: () => postMcp(MSG.initialize()),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
    headers: { 'www-authenticate': CHALLENGE },
  },
  {
    name: 'POST /mcp with a session id but no token',
    request: () => postMcp(MSG.ping(), { 'mcp-session-id': fx.mcp }),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
  },
  {
    name: 'POST /mcp with an expired token',
    request: async () =>
      postMcp(MSG.ping(), {
        ...(await auth('alice', { expiresIn: -60 })),
        'mcp-session-id': fx.mcp,
      }),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
    headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
  },
  {
    name: 'POST /mcp with a token for another resource',
    request: async () =>
      postMcp(MSG.ping(), {
        ...(await auth('alice', { audience: 'https://other.example' })),
        'mcp-session-id': fx.mcp,
      }),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
  },
  {
    name: 'POST /mcp with a malformed Authorization',
    request: () => postMcp(MSG.ping(), { authorization: 'Basic abc', 'mcp-session-id': fx.mcp }),
    status: 400,
    code: -32000,
    message: 'Bad Request: malformed Authorization header',
    headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_request"` },
  },
  {
    name: 'POST /mcp with the token in the query',
    request: async () =>
      postMcp(
        MSG.ping(),
        { 'mcp-session-id': fx.mcp },
        `/mcp?access_token=${await token('alice')}`,
      ),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
  },
  {
    name: 'GET /mcp without a token',
    request: () => get({ accept: 'text/event-stream', 'mcp-session-id': fx.mcp }),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
  },
  {
    name: 'DELETE /mcp without a token',
    request: () => fetchApp('/mcp', { method: 'DELETE', headers: { 'mcp-session-id': fx.mcp } }),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
  },
  {
    name: 'GET /sse without a token',
    request: () => get({ accept: 'text/event-stream' }, '/sse'),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
  },
  {
    name: 'POST /messages without a token',
    request: () => postMessage(fx.legacy, MSG.ping()),
    status: 401,
    code: -32000,
    message: UNAUTHORIZED,
  },
  // Scopes.
  {
    name: 'a tool call without its scope',
    request: () => postMcp(MSG.call('remember', { key: 'k', note: 'n' }), mcpHeaders()),
    status: 403,
    code: -32000,
    message: 'Forbidden: tool "remember" needs scope notes:write',
    headers: {
      'www-authenticate': `Bearer error="insufficient_scope", scope="notes:read notes:write", resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource"`,
    },
  },
  {
    name: 'a legacy tool call without its scope',
    request: () => postMessage(fx.legacy, MSG.call('remember', { key: 'k', note: 'n' }), fx.alice),
    status: 403,
    code: -32000,
    message: /needs scope notes:write/,
  },
  // Another principal's session: exactly like an unknown id.
  {
    name: "POST /mcp with bob's token on alice's session",
    request: () => postMcp(MSG.call('recall', {}), { ...fx.bob, 'mcp-session-id': fx.mcp }),
    status: 404,
    code: -32001,
    message: 'Session not found',
  },
  {
    name: "GET /mcp with bob's token on alice's session",
    request: () => get({ ...fx.bob, accept: 'text/event-stream', 'mcp-session-id': fx.mcp }),
    status: 404,
    code: -32001,
    message: 'Session not found',
  },
  {
    name: "DELETE /mcp with bob's token on alice's session",
    request: () =>
      fetchApp('/mcp', { method: 'DELETE', headers: { ...fx.bob, 'mcp-session-id': fx.mcp } }),
    status: 404,
    code: -32001,
    message: 'Session not found',
  },
  {
    name: "POST /messages with bob's token on alice's session",
    request: () => postMessage(fx.legacy, MSG.call('recall', {}), fx.bob),
    status: 404,
    code: -32001,
    message: 'Session not found',
  },
  {
    name: "GET /sse reconnect with bob's token to alice's session",
    request: () => get({ ...fx.bob, accept: 'text/event-stream' }, `/sse?sessionId=${fx.legacy}`),
    status: 404,
    code: -32001,
    message: 'Session not found',
  },
  // Host/Origin guard, before auth and before any object wakes.
  {
    name: 'a foreign Origin on /mcp',
    request: () => postMcp(MSG.ping(), mcpHeaders({ origin: 'http://evil.example' })),
    status: 403,
    code: -32000,
    message: 'Forbidden: Origin not allowed',
  },
  {
    name: 'a foreign Origin on /messages',
    request: () =>
      postMessage(fx.legacy, MSG.ping(), { ...fx.alice, origin: 'https://evil.example' }),
    status: 403,
    code: -32000,
    message: 'Forbidden: Origin not allowed',
  },
  {
    name: 'a foreign Origin on /sse',
    request: () =>
      get({ ...fx.alice, origin: 'https://evil.example', accept: 'text/event-stream' }, '/sse'),
    status: 403,
    code: -32000,
    message: 'Forbidden: Origin not allowed',
  },
  {
    name: 'a malformed Origin',
    request: () => postMcp(MSG.ping(), mcpHeaders({ origin: 'null' })),
    status: 403,
    code: -32000,
    message: 'Forbidden: Origin not allowed',
  },
  {
    name: 'a foreign Host',
    request: () =>
      fetchApp('/mcp', {
        method: 'POST',
        headers: {
          ...mcpHeaders(),
          'content-type': 'application/json',
          accept: ACCEPT_BOTH,
          host: 'evil.example.com',
        },
        body: JSON.stringify(MSG.ping()),
      }),
    status: 403,
    code: -32000,
    message: 'Forbidden: Host not allowed',
  },
  // Streamable HTTP rows.
  {
    name: 'POST /mcp, Accept without text/event-stream',
    request: () => postMcp(MSG.ping(), mcpHeaders({ accept: 'application/json' })),
    status: 406,
    code: -32000,
    message: 'Not Acceptable: the client must accept application/json and text/event-stream',
  },
  {
    name: 'POST /mcp, text/plain',
    request: () => postMcp(MSG.ping(), mcpHeaders({ 'content-type': 'text/plain' })),
    status: 415,
    code: -32000,
    message: 'Unsupported Media Type: Content-Type must be application/json',
  },
  {
    name: 'POST /mcp, over 4 MiB',
    request: () =>
      postMcp(JSON.stringify({ ...MSG.ping(), pad: 'x'.repeat(4 * 1024 * 1024) }), mcpHeaders()),
    status: 413,
    code: -32000,
    message: /^Payload Too Large/,
  },
  {
    name: 'POST /mcp, not JSON',
    request: () => postMcp('{oops', mcpHeaders()),
    status: 400,
    code: -32700,
    message: 'Parse error: the body is not valid JSON',
  },
  {
    name: 'POST /mcp, not JSON-RPC',
    request: () => postMcp('{"jsonrpc":"2.0","id":null,"method":"ping"}', mcpHeaders()),
    status: 400,
    code: -32600,
    message: 'Invalid Request: not a JSON-RPC 2.0 message',
  },
  {
    name: 'POST /mcp, a batch on a 2025-11-25 session',
    request: () => postMcp([MSG.call('remember', { key: 'b', note: 'b' })], mcpHeaders()),
    status: 400,
    code: -32600,
    message: 'Invalid Request: batches are not supported at protocol version 2025-11-25',
  },
  {
    name: 'POST /mcp, no session id',
    request: () => postMcp(MSG.call('recall', {}), fx.alice),
    status: 400,
    code: -32000,
    message: 'Bad Request: Mcp-Session-Id header is required',
  },
  {
    name: 'POST /mcp, a malformed session id',
    request: () => postMcp(MSG.ping(), { ...fx.alice, 'mcp-session-id': 'nope' }),
    status: 404,
    code: -32001,
    message: 'Session not found',
  },
  {
    name: 'POST /mcp, an unknown session id',
    request: () => postMcp(MSG.ping(), { ...fx.alice, 'mcp-session-id': 'e'.repeat(64) }),
    status: 404,
    code: -32001,
    message: 'Session not found',
  },
  {
    name: 'POST /mcp, initialize with a session id',
    request: () => postMcp(MSG.initialize(), mcpHeaders()),
    status: 400,
    code: -32600,
    message: 'Invalid Request: initialize is only accepted without an Mcp-Session-Id header',
  },
  {
    name: 'POST /mcp, an unsupported MCP-Protocol-Version',
    request: () => postMcp(MSG.ping(), mcpHeaders({ 'mcp-protocol-version': '1999-01-01' })),
    status: 400,
    code: -32000,
    message: /^Bad Request: unsupported protocol version/,
  },
  {
    name: 'POST /mcp, the legacy session id',
    request: () =>
      postMcp(MSG.call('remember', { key: 'x', note: 'y' }), {
        ...fx.alice,
        'mcp-session-id': fx.legacy,
      }),
    status: 400,
    code: -32000,
    message: 'Bad Request: this session id belongs to a different transport',
  },
  {
    name: 'GET /mcp, a malformed Last-Event-ID',
    request: () => get({ ...mcpHeaders(), accept: 'text/event-stream', 'last-event-id': 'nope' }),
    status: 400,
    code: -32000,
    message: 'Bad Request: malformed Last-Event-ID',
  },
  {
    name: 'GET /mcp, an unknown Last-Event-ID',
    request: () => get({ ...mcpHeaders(), accept: 'text/event-stream', 'last-event-id': 'p77_1' }),
    status: 400,
    code: -32000,
    message: 'Bad Request: unknown Last-Event-ID',
  },
  {
    name: 'PUT /mcp',
    request: () => fetchApp('/mcp', { method: 'PUT', headers: mcpHeaders() }),
    status: 405,
    code: -32000,
    message: 'Method Not Allowed',
    headers: { allow: 'GET, POST, DELETE' },
  },
  // Legacy rows.
  {
    name: 'POST /messages, no sessionId',
    request: () =>
      fetchApp('/messages', {
        method: 'POST',
        headers: { ...fx.alice, 'content-type': 'application/json' },
        body: JSON.stringify(MSG.ping()),
      }),
    status: 400,
    code: -32000,
    message: 'Bad Request: the sessionId query parameter is missing or malformed',
  },
  {
    name: 'POST /messages, a malformed sessionId',
    request: () => postMessage('x', MSG.ping(), fx.alice),
    status: 400,
    code: -32000,
    message: 'Bad Request: the sessionId query parameter is missing or malformed',
  },
  {
    name: 'POST /messages, an unknown sessionId',
    request: () => postMessage('b'.repeat(64), MSG.ping(), fx.alice),
    status: 404,
    code: -32001,
    message: 'Session not found',
  },
  {
    name: 'POST /messages, the /mcp session id',
    request: () => postMessage(fx.mcp, MSG.call('remember', { key: 'x', note: 'y' }), fx.alice),
    status: 400,
    code: -32000,
    message: 'Bad Request: this session id belongs to a different transport',
  },
  {
    name: 'POST /messages, not JSON',
    request: () => postMessage(fx.legacy, '{oops', fx.alice),
    status: 400,
    code: -32700,
    message: 'Parse error: the body is not valid JSON',
  },
  {
    name: 'POST /messages, a batch',
    request: () => postMessage(fx.legacy, [MSG.ping()], fx.alice),
    status: 400,
    code: -32600,
    message: /^Invalid Request: the HTTP\+SSE transport takes one JSON-RPC message per POST/,
  },
  {
    name: 'POST /messages, text/plain',
    request: () =>
      postMessage(fx.legacy, MSG.ping(), { ...fx.alice, 'content-type': 'text/plain' }),
    status: 415,
    code: -32000,
    message: 'Unsupported Media Type: Content-Type must be application/json',
  },
  {
    name: 'POST /messages, a second initialize',
    request: () => postMessage(fx.legacy, MSG.initialize('2024-11-05', 7), fx.alice),
    status: 400,
    code: -32600,
    message: 'Invalid Request: the session is already initialized',
  },
  {
    name: 'GET /sse, a malformed sessionId',
    request: () => get({ ...fx.alice, accept: 'text/event-stream' }, '/sse?sessionId=x'),
    status: 400,
    code: -32000,
    message: 'Bad Request: the sessionId query parameter is missing or malformed',
  },
  {
    name: 'GET /sse, a malformed Last-Event-ID',
    request: () =>
      get(
        { ...fx.alice, accept: 'text/event-stream', 'last-event-id': 'get_1' },
        `/sse?sessionId=${fx.legacy}`,
      ),
    status: 400,
    code: -32000,
    message: 'Bad Request: unknown Last-Event-ID',
  },
  {
    name: 'POST /sse',
    request: () => postMcp(MSG.initialize(), fx.alice, '/sse'),
    status: 405,
    code: -32000,
    message: 'Method Not Allowed',
    headers: { allow: 'GET' },
  },
]

describe('every rejection path', () => {
  it.each(ROWS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const objects = (await listDurableObjectIds(env.SESSION_DO)).length
    const before = [await snapshot(fx.mcp), await snapshot(fx.legacy)]

    const res = await row.request()
    expect(res.status).toBe(row.status)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    for (const [name, value] of Object.entries(row.headers ?? {}))
      expect(res.headers.get(name)).toBe(value)
    const body = (await res.json()) as { error: { message: string } }
    expect(body).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: row.code, message: expect.any(String) },
    })
    if (typeof row.message === 'string') expect(body.error.message).toBe(row.message)
    else expect(body.error.message).toMatch(row.message)

    expect([await snapshot(fx.mcp), await snapshot(fx.legacy)]).toEqual(before)
    expect(await listDurableObjectIds(env.SESSION_DO)).toHaveLength(objects)
  })

  it('and afterwards both of alice’s sessions still work', async () => {
    const res = await postMcp(MSG.call('recall', {}, 99), mcpHeaders())
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 99,
      result: { content: [{ type: 'text', text: 'No notes yet.' }] },
    })
    const back = await openLegacy(fx.legacy, '/sse')
    expect(back.response.status).toBe(401)
  })
})
