/**
 * The OAuth resource-server plugin, composed into a Worker whose session objects run its hooks.
 */
import { describe, expect, it } from 'vitest'
import { logLines, RESOURCE } from '../fixtures/secure/worker'
import { modern, postModern } from '../helpers/modern'
import { expectRpcError, fetchApp, MSG, postMcp } from '../helpers/requests'
import { storedEntries } from '../helpers/session-storage'
import { auth } from '../helpers/tokens'

const CHALLENGE = `Bearer resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource"`

async function openAs(
  sub: string,
  scope?: string,
): Promise<{ sessionId: string; headers: Record<string, string> }> {
  const headers = await auth(sub, { scope })
  const res = await postMcp(MSG.initialize(), headers)
  expect(res.status).toBe(200)
  await res.text()
  const sessionId = res.headers.get('mcp-session-id')!
  await (await postMcp(MSG.initialized, { ...headers, 'mcp-session-id': sessionId })).text()
  return { sessionId, headers: { ...headers, 'mcp-session-id': sessionId } }
}

describe('protected-resource metadata (RFC 9728)', () => {
  it.each([
    ['/.well-known/oauth-protected-resource'],
    ['/.well-known/oauth-protected-resource/mcp'],
    ['/.well-known/oauth-protected-resource/sse'],
  ])('GET %s → the metadata, without a token', async (path) => {
    const res = await fetchApp(path, { headers: { 'mcp-protocol-version': '2025-03-26' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: ['https://auth.test.example'],
      scopes_supported: ['notes:read', 'notes:write'],
      bearer_methods_supported: ['header'],
    })
  })

  it('/health says oauth', async () => {
    expect(await (await fetchApp('/health')).json()).toMatchObject({ auth: 'oauth' })
  })
})

describe('access tokens', () => {
  it('no token → 401 with the resource_metadata challenge', async () => {
    const res = await postMcp(MSG.initialize())
    expect(res.headers.get('www-authenticate')).toBe(CHALLENGE)
    expect(await expectRpcError(res, 401, -32000)).toMatch(/^Unauthorized/)
  })

  it.each([
    ['expired', { expiresIn: -120 }],
    ['not yet valid', { notBefore: 600 }],
    ['for another resource', { audience: 'https://other.example' }],
    ['from another issuer', { issuer: 'https://evil.example' }],
    ['signed by an unknown key', { untrusted: true }],
  ])('a token %s → 401 invalid_token', async (_name, options) => {
    const res = await postMcp(MSG.initialize(), await auth('alice', options))
    expect(res.headers.get('www-authenticate')).toBe(`${CHALLENGE}, error="invalid_token"`)
    await expectRpcError(res, 401, -32000)
  })

  it('a token in the query string is ignored → 401', async () => {
    const { authorization } = await auth('alice')
    const res = await postMcp(MSG.initialize(), {}, `/mcp?access_token=${authorization!.slice(7)}`)
    await expectRpcError(res, 401, -32000)
  })

  it('a valid token: the session belongs to its subject, as oauth:<sub>', async () => {
    const { sessionId } = await openAs('alice')
    const record = new Map(await storedEntries(sessionId)).get('session')
    expect(record).toMatchObject({ principal: 'oauth:alice' })
  })

  it('a token whose subject is "anonymous" is not the principal every caller has without auth', async () => {
    const { sessionId } = await openAs('anonymous')
    const record = new Map(await storedEntries(sessionId)).get('session')
    expect(record).toMatchObject({ principal: 'oauth:anonymous' })
  })

  it('every request needs the token, even with a valid session id', async () => {
    const { sessionId } = await openAs('alice')
    await expectRpcError(await postMcp(MSG.ping(), { 'mcp-session-id': sessionId }), 401, -32000)
  })
})

describe('per-tool scopes', () => {
  it('a tool whose scope the token lacks → 403 insufficient_scope, and it does not run', async () => {
    const { sessionId, headers } = await openAs('alice', 'notes:read')
    const before = await storedEntries(sessionId)
    const res = await postMcp(MSG.call('remember', { key: 'k', note: 'n' }), headers)
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="notes:read notes:write", resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource"`,
    )
    expect(await expectRpcError(res, 403, -32000)).toBe(
      'Forbidden: tool "remember" needs scope notes:write',
    )
    expect(await storedEntries(sessionId)).toEqual(before)
  })

  it('with the scope, the tool runs; tools without a scope need none', async () => {
    const { headers } = await openAs('alice', 'notes:write')
    const res = await postMcp(MSG.call('remember', { key: 'k', note: 'n' }), headers)
    expect(await res.json()).toMatchObject({ result: { content: [{ text: 'Remembered "k".' }] } })
    const echo = await postMcp(MSG.call('echo', { text: 'x' }), (await openAs('bob')).headers)
    expect(await echo.json()).toMatchObject({ result: { content: [{ text: 'x' }] } })
  })
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a tool named %s (an Object.prototype key) gets the SDK’s own -32602 answer in both eras, and no error is logged',
    async (name) => {
      const { headers } = await openAs('alice', 'notes:read')
      logLines.length = 0
      // Both SDKs look tools up in a plain object too: an inherited key is a tool "disabled".
      const res = await postMcp(MSG.call(name, {}, 61), headers)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({
        jsonrpc: '2.0',
        id: 61,
        error: { code: -32602, message: `Tool ${name} disabled` },
      })
      const call = modern('tools/call', { name, arguments: {} }, 62)
      const modernRes = await postModern(call, await auth('alice', { scope: 'notes:read' }))
      expect(modernRes.status).toBe(200)
      expect(await modernRes.json()).toEqual({
        jsonrpc: '2.0',
        id: 62,
        error: { code: -32602, message: `Tool ${name} disabled` },
      })
      const levels = logLines.map((line) => (JSON.parse(line) as { level: string }).level)
      expect(levels).not.toContain('error')
    },
  )
})
