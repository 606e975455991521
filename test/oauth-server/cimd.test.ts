/**
 * Registration by Client ID Metadata Document (how claude.ai, Claude Code and ChatGPT register
 * where the server offers it): the client id is an https URL, the library fetches the document
 * there (played here by the test pool's outbound fetch handler) and holds every authorization
 * request to the redirect URIs it lists. The consent page names the domain that published it.
 */
import { describe, expect, it } from 'vitest'
import { modern, postModern } from '../helpers/modern'
import {
  authorizeAsDev,
  authorizeUrl,
  browse,
  CookieJar,
  devSignInUrl,
  pkce,
  sendToApp,
  tokenRequest,
} from '../helpers/oauth-flow'
import {
  CIMD_CLIENT_ID,
  CIMD_OTHER_CLIENT_ID,
  CIMD_REDIRECT_URI,
} from '../support/outbound-fixtures'

describe('a Client ID Metadata Document client', () => {
  it('the consent page names it and the domain that published it', async () => {
    const { challenge } = await pkce()
    const url = authorizeUrl({
      clientId: CIMD_CLIENT_ID,
      redirectUri: CIMD_REDIRECT_URI,
      challenge,
    })
    const jar = new CookieJar()
    const signInPage = await browse(sendToApp, url, jar)
    expect(signInPage.status).toBe(200)
    const consent = await browse(sendToApp, devSignInUrl(await signInPage.text(), 'alice'), jar)
    const page = await consent.text()
    expect(page).toContain('<title>Allow CIMD Test Client?</title>')
    expect(page).toContain('Published by <strong>client.example</strong>.')
    expect(page).toContain('Access will be sent to <strong>127.0.0.1</strong>.')
  })

  it('signs in with no registration call, as a public client, and calls tools', async () => {
    const { verifier, challenge } = await pkce()
    const back = await authorizeAsDev(
      authorizeUrl({ clientId: CIMD_CLIENT_ID, redirectUri: CIMD_REDIRECT_URI, challenge }),
      'alice',
    )
    expect(`${back.origin}${back.pathname}`).toBe(CIMD_REDIRECT_URI)
    const res = await tokenRequest({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      code_verifier: verifier,
      client_id: CIMD_CLIENT_ID,
      redirect_uri: CIMD_REDIRECT_URI,
    })
    expect(res.status).toBe(200)
    const { access_token } = (await res.json()) as { access_token: string }
    const call = await postModern(
      modern('tools/call', { name: 'echo', arguments: { text: 'cimd' } }, 4),
      { authorization: `Bearer ${access_token}` },
    )
    expect(await call.json()).toMatchObject({ id: 4, result: { content: [{ text: 'cimd' }] } })
  })

  it('a redirect URI its document does not list → refused on a page of ours, before sign-in', async () => {
    const { challenge } = await pkce()
    const res = await sendToApp(
      new Request(
        authorizeUrl({ clientId: CIMD_OTHER_CLIENT_ID, redirectUri: CIMD_REDIRECT_URI, challenge }),
      ),
    )
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    expect(res.headers.getSetCookie()).toEqual([])
    expect(await res.text()).toContain('<h1>Sign-in failed</h1>')
  })

  it('a document that cannot be fetched → refused on a page of ours', async () => {
    const { challenge } = await pkce()
    const res = await sendToApp(
      new Request(
        authorizeUrl({
          clientId: 'https://client.example/mcp/missing.json',
          redirectUri: CIMD_REDIRECT_URI,
          challenge,
        }),
      ),
    )
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    expect(await res.text()).toContain(
      'The app’s client metadata document could not be fetched or is invalid.',
    )
  })
})
