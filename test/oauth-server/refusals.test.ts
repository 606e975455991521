/**
 * What the authorization server refuses, as raw requests: PKCE that doesn't match, `plain` or
 * none; a code used twice or expired; redirects that aren't registered, or aren't https or
 * loopback; a consent post without its handle, from another browser, or with a forged sign-in;
 * the local sign-in on a host that isn't loopback; settings that can't work.
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { app } from '../fixtures/oauth-server/worker'
import {
  authorizeAsDev,
  authorizeUrl,
  browse,
  CookieJar,
  devSignInUrl,
  hiddenField,
  pkce,
  postConsent,
  REDIRECT_URI,
  register,
  type Send,
  sendToApp,
  tokenRequest,
} from '../helpers/oauth-flow'
import { BASE, expectRpcError, MSG, postMcp } from '../helpers/requests'

/** A code for a fresh client, and what its exchange needs. */
async function freshCode(login = 'alice') {
  const clientId = await register()
  const { verifier, challenge } = await pkce()
  const back = await authorizeAsDev(authorizeUrl({ clientId, challenge }), login)
  return { clientId, verifier, code: back.searchParams.get('code')! }
}

const exchange = (code: string, verifier: string, clientId: string) =>
  tokenRequest({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
  })

/** Sends to the fixture's app with `vars` over the test env. */
function withVars(vars: Record<string, string | undefined>): Send {
  const custom = { ...env, ...vars }
  return async (request) => app.fetch(request, custom, createExecutionContext())
}

describe('PKCE', () => {
  it('a verifier that does not match → 400 invalid_grant; the code still works with the right one', async () => {
    const { clientId, verifier, code } = await freshCode()
    const wrong = await exchange(code, `${verifier.slice(1)}x`, clientId)
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' })
    expect((await exchange(code, verifier, clientId)).status).toBe(200)
  })

  it('code_challenge_method=plain → sent back to the client with invalid_request', async () => {
    const clientId = await register()
    const res = await sendToApp(
      new Request(authorizeUrl({ clientId, challenge: 'a'.repeat(43), method: 'plain' })),
    )
    expect(res.status).toBe(302)
    const back = new URL(res.headers.get('location')!)
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI)
    expect(back.searchParams.get('error')).toBe('invalid_request')
    expect(back.searchParams.get('iss')).toBe(BASE)
  })

  it('no code_challenge, even from a confidential client → invalid_request', async () => {
    for (const method of ['none', 'client_secret_basic']) {
      const clientId = await register(sendToApp, { token_endpoint_auth_method: method })
      const res = await sendToApp(new Request(authorizeUrl({ clientId })))
      expect(res.status).toBe(302)
      const back = new URL(res.headers.get('location')!)
      expect(back.searchParams.get('error')).toBe('invalid_request')
    }
  })
})

describe('codes', () => {
  it('a code used twice → 400 invalid_grant, and the tokens it gave are revoked', async () => {
    const { clientId, verifier, code } = await freshCode()
    const first = await exchange(code, verifier, clientId)
    const { access_token } = (await first.json()) as { access_token: string }
    const replay = await exchange(code, verifier, clientId)
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' })
    const res = await postMcp(MSG.initialize(), { authorization: `Bearer ${access_token}` })
    await expectRpcError(res, 401, -32000)
  })

  it('a code lives 10 minutes (its KV record’s TTL); expired → 400 invalid_grant', async () => {
    const { clientId, verifier, code } = await freshCode()
    const [userId, grantId] = code.split(':')
    const key = `grant:${userId}:${grantId}`
    const { keys } = await env.OAUTH_KV.list({ prefix: key })
    const expiresIn = (keys[0]?.expiration ?? 0) - Date.now() / 1000
    expect(expiresIn).toBeGreaterThan(590)
    expect(expiresIn).toBeLessThanOrEqual(600)
    // What KV does when the TTL runs out.
    await env.OAUTH_KV.delete(key)
    const res = await exchange(code, verifier, clientId)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Grant not found or authorization code expired',
    })
  })
})

describe('redirects', () => {
  it('a redirect URI the client did not register → a page of ours, no redirect, no sign-in', async () => {
    const clientId = await register()
    const { challenge } = await pkce()
    const res = await sendToApp(
      new Request(authorizeUrl({ clientId, challenge, redirectUri: 'https://evil.example/steal' })),
    )
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    expect(res.headers.getSetCookie()).toEqual([])
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await res.text()).toContain('<h1>Sign-in failed</h1>')
  })

  it('an unknown client → the same page', async () => {
    const { challenge } = await pkce()
    const res = await sendToApp(
      new Request(authorizeUrl({ clientId: 'no-such-client', challenge })),
    )
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    await res.body?.cancel()
  })

  it('registering only an http redirect that is not loopback → 400 invalid_client_metadata', async () => {
    const res = await sendToApp(
      new Request(`${BASE}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'x',
          redirect_uris: ['http://evil.example/callback'],
          token_endpoint_auth_method: 'none',
        }),
      }),
    )
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_client_metadata' })
  })
})

describe('the consent form', () => {
  /** A consent page shown to `jar`'s browser: its handle and proof. */
  async function consentFor(jar: CookieJar) {
    const clientId = await register()
    const { challenge } = await pkce()
    const signInPage = await (
      await browse(sendToApp, authorizeUrl({ clientId, challenge }), jar)
    ).text()
    const page = await (await browse(sendToApp, devSignInUrl(signInPage, 'alice'), jar)).text()
    return { handle: hiddenField(page, 'handle'), proof: hiddenField(page, 'proof') }
  }

  it('posted without its handle (the CSRF token) → 400, nothing issued', async () => {
    const jar = new CookieJar()
    const { proof } = await consentFor(jar)
    const res = await postConsent(sendToApp, { proof, decision: 'approve' }, jar)
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    expect(await res.text()).toContain('<h1>Sign-in failed</h1>')
  })

  it('posted from another browser (the handle without its cookie) → 400', async () => {
    const { handle, proof } = await consentFor(new CookieJar())
    const res = await postConsent(
      sendToApp,
      { handle, proof, decision: 'approve' },
      new CookieJar(),
    )
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    await res.body?.cancel()
  })

  it('a forged sign-in proof → 400, and the genuine form still works', async () => {
    const jar = new CookieJar()
    const { handle, proof } = await consentFor(jar)
    const [header, , signature] = proof.split('.')
    const claims = btoa(
      JSON.stringify({ sub: 'dev:root', name: 'root', hnd: handle, scp: ['mcp'] }),
    )
    const forged = `${header}.${claims.replace(/=+$/, '')}.${signature}`
    const res = await postConsent(sendToApp, { handle, proof: forged, decision: 'approve' }, jar)
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('This consent form was not issued to your sign-in')
    const genuine = await postConsent(sendToApp, { handle, proof, decision: 'approve' }, jar)
    expect(genuine.status).toBe(302)
    const code = new URL(genuine.headers.get('location')!).searchParams.get('code')
    expect(code).toMatch(/^dev%3Aalice:/)
  })

  it('a handle works once', async () => {
    const jar = new CookieJar()
    const { handle, proof } = await consentFor(jar)
    const fields = { handle, proof, decision: 'approve' }
    expect((await postConsent(sendToApp, fields, jar)).status).toBe(302)
    const again = await postConsent(sendToApp, fields, jar)
    expect(again.status).toBe(400)
    await again.body?.cancel()
  })
})

describe('the sign-in callback', () => {
  it('without its state cookie (another browser) → 400, nothing issued', async () => {
    const clientId = await register()
    const { challenge } = await pkce()
    const signInPage = await (
      await browse(sendToApp, authorizeUrl({ clientId, challenge }), new CookieJar())
    ).text()
    const res = await browse(sendToApp, devSignInUrl(signInPage, 'alice'), new CookieJar())
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    await res.body?.cancel()
  })

  it('the identity provider reports an error → the client gets access_denied', async () => {
    const clientId = await register()
    const { challenge } = await pkce()
    const jar = new CookieJar()
    const signInPage = await (
      await browse(sendToApp, authorizeUrl({ clientId, challenge, state: 's1' }), jar)
    ).text()
    const url = new URL(devSignInUrl(signInPage, 'alice'))
    url.searchParams.set('error', 'access_denied')
    const res = await browse(sendToApp, url.href, jar)
    expect(res.status).toBe(302)
    const back = new URL(res.headers.get('location')!)
    expect(back.searchParams.get('error')).toBe('access_denied')
    expect(back.searchParams.get('state')).toBe('s1')
  })

  it('a user name the local sign-in does not take → access_denied', async () => {
    const clientId = await register()
    const { challenge } = await pkce()
    const jar = new CookieJar()
    const signInPage = await (
      await browse(sendToApp, authorizeUrl({ clientId, challenge }), jar)
    ).text()
    const res = await browse(sendToApp, devSignInUrl(signInPage, 'a:b'), jar)
    const back = new URL(res.headers.get('location')!)
    expect(back.searchParams.get('error')).toBe('access_denied')
  })
})

describe('the local sign-in on a host that is not loopback', () => {
  const send = withVars({ ALLOWED_HOSTS: 'mcp.example.com' })

  it.each([
    ['/authorize?client_id=x'],
    ['/.well-known/oauth-authorization-server'],
    ['/.well-known/oauth-protected-resource'],
  ])('GET %s → 403, refused', async (path) => {
    const res = await send(new Request(`https://mcp.example.com${path}`))
    expect(await expectRpcError(res, 403, -32000)).toBe(
      'Forbidden: the local sign-in (OAUTH_IDENTITY=dev) answers only on loopback hosts; deploy with OAUTH_IDENTITY=github or oidc',
    )
  })

  it('an MCP request → 403 too', async () => {
    const res = await send(
      new Request('https://mcp.example.com/mcp', {
        method: 'POST',
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
        },
        body: JSON.stringify(MSG.initialize()),
      }),
    )
    await expectRpcError(res, 403, -32000)
  })

  it('OAUTH_ISSUER naming a public origin with the local sign-in → refused (500)', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const res = await withVars({ OAUTH_ISSUER: 'https://mcp.example.com' })(
        new Request(`${BASE}/.well-known/oauth-authorization-server`),
      )
      expect(await expectRpcError(res, 500, -32603)).toBe('Internal error')
      expect(String(logged.mock.lastCall?.[1])).toContain(
        'Invalid OAUTH_ISSUER: the local sign-in (dev) serves only loopback hosts',
      )
    } finally {
      logged.mockRestore()
    }
  })
})

describe('settings', () => {
  it.each([
    ['github without its app', { OAUTH_IDENTITY: 'github' }, 'Invalid GITHUB_CLIENT_ID'],
    [
      'github without a cookie secret',
      { OAUTH_IDENTITY: 'github', GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b' },
      'Invalid OAUTH_COOKIE_SECRET',
    ],
    ['oidc without its issuer', { OAUTH_IDENTITY: 'oidc' }, 'Invalid OIDC_ISSUER'],
    [
      'an unknown identity provider',
      { OAUTH_IDENTITY: 'facebook' },
      'Invalid OAUTH_IDENTITY: must be github, oidc or dev',
    ],
    [
      'a short cookie secret',
      { OAUTH_COOKIE_SECRET: 'short' },
      'Invalid OAUTH_COOKIE_SECRET: must be 32 characters or more',
    ],
    [
      'no KV namespace bound',
      { OAUTH_KV: undefined },
      'mcpOAuthServer: bind a KV namespace as OAUTH_KV',
    ],
    [
      'static tokens as well',
      { AUTH_TOKENS: 'alice:tokA' },
      'Invalid OAUTH_IDENTITY: set AUTH_TOKENS or OAUTH_IDENTITY, not both',
    ],
  ])(
    '%s → every OAuth and MCP request fails (500), and the log says why',
    async (_name, vars, why) => {
      const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      try {
        const send = withVars(vars)
        for (const path of ['/.well-known/oauth-authorization-server', '/mcp']) {
          const res = await send(new Request(`${BASE}${path}`, { method: 'POST', body: '{}' }))
          expect(await expectRpcError(res, 500, -32603)).toBe('Internal error')
          expect(String(logged.mock.lastCall?.[1])).toContain(why)
        }
      } finally {
        logged.mockRestore()
      }
    },
  )
})
