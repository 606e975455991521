/**
 * Signing in through GitHub and through an OpenID Connect provider, each played by the test
 * pool's outbound fetch handler (`test/support/outbound-fetch.ts`): where the browser is sent
 * (with PKCE, and a nonce for OpenID), what the callback makes of the provider's answer, and the
 * principal the MCP session ends up bound to (`github:<id>`, `oidc:<sub>`).
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { app } from '../fixtures/oauth-server/worker'
import {
  authorizeUrl,
  browse,
  CookieJar,
  hiddenField,
  pkce,
  postConsent,
  REDIRECT_URI,
  register,
  type Send,
  tokenRequest,
} from '../helpers/oauth-flow'
import { BASE, JSON_HEADERS, MSG } from '../helpers/requests'
import { storedEntries } from '../helpers/session-storage'
import {
  GITHUB_APP,
  GITHUB_CODE,
  GITHUB_USER,
  OIDC_CLIENT,
  OIDC_ISSUER,
  oidcCode,
} from '../support/outbound-fixtures'

const COOKIE_SECRET = 'test-only cookie secret, 32+ characters long'
const CALLBACK = `${BASE}/oauth/callback`

/** Sends to the fixture's app with `vars` over the test env (one env object per sender). */
function withVars(vars: Record<string, string>): Send {
  const custom = { ...env, ...vars }
  return async (request) => app.fetch(request, custom, createExecutionContext())
}

/** Starts an authorization; returns where the browser was sent, the client and its verifier. */
async function start(send: Send, jar: CookieJar, state = 'st') {
  const clientId = await register(send)
  const { verifier, challenge } = await pkce()
  const res = await browse(send, authorizeUrl({ clientId, challenge, state }), jar)
  expect(res.status).toBe(302)
  return { clientId, verifier, provider: new URL(res.headers.get('location')!) }
}

/** The callback with `params`, then Allow on the consent page; returns the page and the code. */
async function consentAndApprove(send: Send, jar: CookieJar, params: Record<string, string>) {
  const callback = await browse(send, `${CALLBACK}?${new URLSearchParams(params)}`, jar)
  expect(callback.status).toBe(200)
  const page = await callback.text()
  const fields = { handle: hiddenField(page, 'handle'), proof: hiddenField(page, 'proof') }
  const decided = await postConsent(send, { ...fields, decision: 'approve' }, jar)
  expect(decided.status).toBe(302)
  return { page, code: new URL(decided.headers.get('location')!).searchParams.get('code')! }
}

/** Exchanges the code and opens an MCP session with the token; returns the session's principal. */
async function sessionPrincipal(send: Send, code: string, verifier: string, clientId: string) {
  const tokens = await tokenRequest(
    {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
    },
    send,
  )
  expect(tokens.status).toBe(200)
  const { access_token } = (await tokens.json()) as { access_token: string }
  const res = await send(
    new Request(`${BASE}/mcp`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${access_token}` },
      body: JSON.stringify(MSG.initialize()),
    }),
  )
  expect(res.status).toBe(200)
  await res.text()
  const record = new Map(await storedEntries(res.headers.get('mcp-session-id')!)).get('session')
  return (record as { principal: string }).principal
}

describe('GitHub', () => {
  const send = withVars({
    OAUTH_IDENTITY: 'github',
    GITHUB_CLIENT_ID: GITHUB_APP.clientId,
    GITHUB_CLIENT_SECRET: GITHUB_APP.clientSecret,
    OAUTH_COOKIE_SECRET: COOKIE_SECRET,
  })

  it('sends the browser to GitHub with the app, this server’s callback, state and PKCE', async () => {
    const { provider } = await start(send, new CookieJar())
    expect(`${provider.origin}${provider.pathname}`).toBe(
      'https://github.com/login/oauth/authorize',
    )
    expect(Object.fromEntries(provider.searchParams)).toEqual({
      client_id: GITHUB_APP.clientId,
      redirect_uri: CALLBACK,
      state: expect.stringMatching(/^[\w-]{20,}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    })
  })

  it('the callback: the consent page names the GitHub login; the session is github:<id>', async () => {
    const jar = new CookieJar()
    const { clientId, verifier, provider } = await start(send, jar)
    const state = provider.searchParams.get('state')!
    const { page, code } = await consentAndApprove(send, jar, { code: GITHUB_CODE, state })
    expect(page).toContain(`Signed in as <strong>${GITHUB_USER.login}</strong>`)
    expect(page).toContain(`<code>github:${GITHUB_USER.id}</code>`)
    expect(await sessionPrincipal(send, code, verifier, clientId)).toBe(`github:${GITHUB_USER.id}`)
  })

  it('GitHub refuses the code → the client gets access_denied saying so', async () => {
    const jar = new CookieJar()
    const { provider } = await start(send, jar, 'mine')
    const state = provider.searchParams.get('state')!
    const res = await browse(send, `${CALLBACK}?code=stale&state=${state}`, jar)
    expect(res.status).toBe(302)
    const back = new URL(res.headers.get('location')!)
    expect(Object.fromEntries(back.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'GitHub refused the sign-in: bad_verification_code.',
      state: 'mine',
      iss: BASE,
    })
  })
})

describe('OpenID Connect', () => {
  const send = withVars({
    OAUTH_IDENTITY: 'oidc',
    OIDC_ISSUER,
    OIDC_CLIENT_ID: OIDC_CLIENT.clientId,
    OIDC_CLIENT_SECRET: OIDC_CLIENT.clientSecret,
    OAUTH_COOKIE_SECRET: COOKIE_SECRET,
  })

  it('sends the browser to the discovered authorization endpoint with PKCE and a nonce', async () => {
    const { provider } = await start(send, new CookieJar())
    expect(`${provider.origin}${provider.pathname}`).toBe(`${OIDC_ISSUER}/authorize`)
    expect(Object.fromEntries(provider.searchParams)).toEqual({
      response_type: 'code',
      client_id: OIDC_CLIENT.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid profile email',
      state: expect.stringMatching(/^[\w-]{20,}$/),
      nonce: expect.stringMatching(/^[\w-]{20,}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    })
  })

  it('a verified ID token: the consent page names the email; the session is oidc:<sub>', async () => {
    const jar = new CookieJar()
    const { clientId, verifier, provider } = await start(send, jar)
    const nonce = provider.searchParams.get('nonce')!
    const code = oidcCode({ sub: 'u-42', nonce, email: 'ada@example.com' })
    const state = provider.searchParams.get('state')!
    const approved = await consentAndApprove(send, jar, { code, state })
    expect(approved.page).toContain('Signed in as <strong>ada@example.com</strong>')
    expect(await sessionPrincipal(send, approved.code, verifier, clientId)).toBe('oidc:u-42')
  })

  it('an ID token for another sign-in (its nonce) → access_denied', async () => {
    const jar = new CookieJar()
    const { provider } = await start(send, jar)
    const code = oidcCode({ sub: 'u-42', nonce: 'replayed-nonce' })
    const state = provider.searchParams.get('state')!
    const res = await browse(send, `${CALLBACK}?${new URLSearchParams({ code, state })}`, jar)
    const back = new URL(res.headers.get('location')!)
    expect(back.searchParams.get('error')).toBe('access_denied')
    expect(back.searchParams.get('error_description')).toBe(
      'The identity provider sent an ID token for another sign-in.',
    )
  })
})
