/**
 * The whole flow with the local sign-in, as raw requests: dynamic registration, `/authorize`,
 * the sign-in page, the consent page (what it shows, the headers that keep it from being framed
 * or cached), the code with `iss` (RFC 9207), the token exchange, then MCP calls in both eras as
 * the signed-in user, whose sessions no one else can use. Then what tokens go through: refresh,
 * revocation, another resource's audience, a narrowed scope, a tool's scope (step-up).
 */
import { describe, expect, it } from 'vitest'
import { modern, postModern } from '../helpers/modern'
import {
  authorizeAsDev,
  authorizeUrl,
  browse,
  CookieJar,
  devSignInUrl,
  hiddenField,
  pkce,
  REDIRECT_URI,
  register,
  sendToApp,
  signIn,
  tokenRequest,
} from '../helpers/oauth-flow'
import { BASE, expectRpcError, MSG, postMcp } from '../helpers/requests'
import { storedEntries } from '../helpers/session-storage'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Opens a session with `token`; returns its id and the headers that use it. */
async function openSession(token: string) {
  const res = await postMcp(MSG.initialize(), bearer(token))
  expect(res.status).toBe(200)
  await res.text()
  const sessionId = res.headers.get('mcp-session-id')!
  const headers = { ...bearer(token), 'mcp-session-id': sessionId }
  expect((await postMcp(MSG.initialized, headers)).status).toBe(202)
  return { sessionId, headers }
}

describe('signing in with the local sign-in', () => {
  it('the sign-in page: a form for the user name, carrying the upstream state', async () => {
    const clientId = await register()
    const { challenge } = await pkce()
    const jar = new CookieJar()
    const res = await browse(sendToApp, authorizeUrl({ clientId, challenge }), jar)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    const page = await res.text()
    expect(page).toContain('<form method="get" action="/oauth/callback">')
    expect(hiddenField(page, 'state')).toMatch(/^[\w-]{20,}$/)
    expect(jar.names()).toEqual([expect.stringMatching(/^__Host-oauth-upstream-/)])
  })

  it('the consent page names the user, the client, the redirect host and the scopes', async () => {
    const clientId = await register(sendToApp, { client_name: 'Evil <script>alert(1)</script>' })
    const { challenge } = await pkce()
    const jar = new CookieJar()
    const signInPage = await (
      await browse(sendToApp, authorizeUrl({ clientId, challenge, scope: 'mcp' }), jar)
    ).text()
    const res = await browse(sendToApp, devSignInUrl(signInPage, 'alice'), jar)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
    )
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('referrer-policy')).toBe('same-origin')
    const page = await res.text()
    expect(page).toContain('Signed in as <strong>alice</strong>')
    expect(page).toContain('<code>dev:alice</code>')
    expect(page).toContain('Evil &lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page).not.toContain('<script>')
    expect(page).toContain('This app registered itself: its name is its own claim.')
    expect(page).toContain('Access will be sent to <strong>127.0.0.1</strong>.')
    expect(page).toContain('This sends access to an app on your computer.')
    expect(page).toContain('<li><code>mcp</code></li>')
    expect(page).toContain('<form method="post" action="/authorize">')
    expect(jar.names()).toContainEqual(expect.stringMatching(/^__Host-oauth-consent-/))
  })

  it('Allow → the client gets a code with its state and iss; Deny → access_denied', async () => {
    const clientId = await register()
    const { challenge } = await pkce()
    const url = authorizeUrl({ clientId, challenge, state: 'xyz' })
    const back = await authorizeAsDev(url, 'alice')
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI)
    expect(back.searchParams.get('code')).toMatch(/^dev%3Aalice:/)
    expect(back.searchParams.get('state')).toBe('xyz')
    expect(back.searchParams.get('iss')).toBe(BASE)

    const denied = await authorizeAsDev(url, 'bob', new CookieJar(), { decision: 'deny' })
    expect(Object.fromEntries(denied.searchParams)).toEqual({
      error: 'access_denied',
      state: 'xyz',
      iss: BASE,
    })
  })

  it('an approval is remembered for the same user and client; another user is asked', async () => {
    const clientId = await register()
    const { challenge } = await pkce()
    const url = authorizeUrl({ clientId, challenge })
    const jar = new CookieJar()
    await authorizeAsDev(url, 'alice', jar)
    expect(jar.names()).toContain('__Host-oauth-approvals')
    // Remembered: the callback redirects to the client without a consent page.
    const signInPage = await (await browse(sendToApp, url, jar)).text()
    const again = await browse(sendToApp, devSignInUrl(signInPage, 'alice'), jar)
    expect(again.status).toBe(302)
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toMatch(
      /^dev%3Aalice:/,
    )
    // Same browser, another user: asked again.
    const otherPage = await (await browse(sendToApp, url, jar)).text()
    const other = await browse(sendToApp, devSignInUrl(otherPage, 'mallory'), jar)
    expect(other.status).toBe(200)
    expect(await other.text()).toContain('Signed in as <strong>mallory</strong>')
  })

  it('the code exchange: a bearer token bound to this server, and a refresh token', async () => {
    const tokens = await signIn('alice')
    expect(tokens).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      scope: 'mcp',
      resource: BASE,
      access_token: expect.stringMatching(/^dev%3Aalice:/),
      refresh_token: expect.stringMatching(/^dev%3Aalice:/),
    })
  })
})

describe('MCP with a token from this server', () => {
  it('a session belongs to the signed-in user; another user’s token on it → 404', async () => {
    const alice = await signIn('alice')
    const { sessionId, headers } = await openSession(alice.access_token)
    expect(new Map(await storedEntries(sessionId)).get('session')).toMatchObject({
      principal: 'dev:alice',
    })
    const echo = await postMcp(MSG.call('echo', { text: 'hi' }), headers)
    expect(await echo.json()).toMatchObject({ result: { content: [{ text: 'hi' }] } })
    const bob = await signIn('bob')
    const stolen = await postMcp(MSG.call('echo', { text: 'x' }), {
      ...headers,
      ...bearer(bob.access_token),
    })
    expect(await expectRpcError(stolen, 404, -32001)).toBe('Session not found')
  })

  it('a 2026-07-28 request with the token → served', async () => {
    const { access_token } = await signIn('alice')
    const res = await postModern(
      modern('tools/call', { name: 'echo', arguments: { text: 'now' } }, 9),
      bearer(access_token),
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: 9, result: { content: [{ text: 'now' }] } })
  })

  it('a tool whose scope the token lacks → 403 insufficient_scope naming it, in both eras', async () => {
    const { access_token } = await signIn('alice')
    const challenge = 'Bearer error="insufficient_scope", scope="mcp notes:write"'
    const { headers } = await openSession(access_token)
    const legacy = await postMcp(MSG.call('remember', { key: 'k', note: 'n' }), headers)
    expect(legacy.headers.get('www-authenticate')).toBe(challenge)
    expect(await expectRpcError(legacy, 403, -32000)).toBe(
      'Forbidden: tool "remember" needs scope notes:write',
    )
    const now = await postModern(
      modern('tools/call', { name: 'remember', arguments: { key: 'k', note: 'n' } }, 3),
      bearer(access_token),
    )
    expect(now.status).toBe(403)
    expect(now.headers.get('www-authenticate')).toBe(challenge)
  })

  it('after step-up (signing in for notes:write), the tool runs', async () => {
    const { access_token, scope } = await signIn('alice', { scope: 'mcp notes:write' })
    expect(scope).toBe('mcp notes:write')
    const { headers } = await openSession(access_token)
    const res = await postMcp(MSG.call('remember', { key: 'k', note: 'n' }), headers)
    expect(await res.json()).toMatchObject({ result: { content: [{ text: 'Remembered "k".' }] } })
  })

  it('scopes the server does not know are dropped; the required ones are always granted', async () => {
    const { scope } = await signIn('alice', { scope: 'profile email' })
    expect(scope).toBe('mcp')
  })
})

describe('tokens over their life', () => {
  it('refresh: a new access token that works, and a rotated refresh token', async () => {
    const tokens = await signIn('alice')
    const res = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: tokens.clientId,
    })
    expect(res.status).toBe(200)
    const fresh = (await res.json()) as { access_token: string; refresh_token: string }
    expect(fresh.access_token).not.toBe(tokens.access_token)
    expect(fresh.refresh_token).not.toBe(tokens.refresh_token)
    const call = await postModern(modern('tools/list', {}, 1), bearer(fresh.access_token))
    expect(call.status).toBe(200)
  })

  it('a refresh that narrows the scope below the required one → that token gets 403', async () => {
    const tokens = await signIn('alice', { scope: 'mcp notes:write' })
    const res = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: tokens.clientId,
      scope: 'notes:write',
    })
    const narrowed = (await res.json()) as { access_token: string; scope: string }
    expect(narrowed.scope).toBe('notes:write')
    for (const sent of [
      postMcp(MSG.initialize(), bearer(narrowed.access_token)),
      postModern(modern('tools/list', {}, 1), bearer(narrowed.access_token)),
    ]) {
      const refused = await sent
      expect(refused.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", scope="notes:write mcp", resource_metadata="${BASE}/.well-known/oauth-protected-resource"`,
      )
      expect(await expectRpcError(refused, 403, -32000)).toBe(
        'Forbidden: this server needs scope mcp',
      )
    }
  })

  it('a revoked token → 401, at once, though this isolate had just accepted it', async () => {
    const tokens = await signIn('alice')
    const before = await postModern(modern('tools/list', {}, 1), bearer(tokens.access_token))
    expect(before.status).toBe(200)
    const revoked = await tokenRequest({ token: tokens.refresh_token, client_id: tokens.clientId })
    expect(revoked.status).toBe(200)
    const after = await postModern(modern('tools/list', {}, 2), bearer(tokens.access_token))
    expect(after.status).toBe(401)
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('a token whose audience is another resource → 401 invalid_token', async () => {
    // Signed in at http://localhost:8787: issued for that origin, not for 127.0.0.1's.
    const other = await signIn('alice', { origin: 'http://localhost:8787' })
    expect(other.resource).toBe('http://localhost:8787')
    const res = await postMcp(MSG.initialize(), bearer(other.access_token))
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${BASE}/.well-known/oauth-protected-resource", scope="mcp", error="invalid_token"`,
    )
    await expectRpcError(res, 401, -32000)
  })

  it('a token request naming another resource → 400 invalid_target', async () => {
    const clientId = await register()
    const { verifier, challenge } = await pkce()
    const back = await authorizeAsDev(authorizeUrl({ clientId, challenge }), 'alice')
    const res = await tokenRequest({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      resource: 'https://other.example',
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_target' })
  })
})
