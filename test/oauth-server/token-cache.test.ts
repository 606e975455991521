/**
 * What an isolate remembers of the tokens it checked: a request with a token checked moments
 * ago reads nothing from KV; a revocation or a re-authorization handled here drops the grant's
 * tokens at once; one made elsewhere (here: the token's KV record deleted behind the isolate's
 * back) is seen after `OAUTH_TOKEN_CACHE_MS`, or at once with the cache off.
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { app } from '../fixtures/oauth-server/worker'
import { modern } from '../helpers/modern'
import {
  authorizeAsDev,
  authorizeUrl,
  CookieJar,
  pkce,
  REDIRECT_URI,
  type Send,
  signIn,
  tokenRequest,
} from '../helpers/oauth-flow'
import { BASE, JSON_HEADERS } from '../helpers/requests'

/** A modern `tools/list` with `token`, through `send`; resolves with the status. */
async function statusWith(token: string, send?: Send): Promise<number> {
  const request = new Request(`${BASE}/mcp`, {
    method: 'POST',
    headers: {
      ...JSON_HEADERS,
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/list',
    },
    body: JSON.stringify(modern('tools/list', {}, 1)),
  })
  const res = await (send ?? ((r: Request) => app.fetch(r, env, createExecutionContext())))(request)
  await res.body?.cancel()
  return res.status
}

/** Deletes the KV record of `token` (what a revocation in another isolate leaves behind). */
async function deleteRecordOf(token: string): Promise<void> {
  const [userId, grantId] = token.split(':')
  const { keys } = await env.OAUTH_KV.list({ prefix: `token:${userId}:${grantId}:` })
  expect(keys.length).toBeGreaterThan(0)
  await Promise.all(keys.map((key) => env.OAUTH_KV.delete(key.name)))
}

describe('the token cache', () => {
  it('a token checked moments ago is trusted without its record (within OAUTH_TOKEN_CACHE_MS)', async () => {
    const { access_token } = await signIn('alice')
    expect(await statusWith(access_token)).toBe(200)
    await deleteRecordOf(access_token)
    expect(await statusWith(access_token)).toBe(200)
  })

  it('with OAUTH_TOKEN_CACHE_MS=0, every request reads the record: gone → 401 at once', async () => {
    const uncached = { ...env, OAUTH_TOKEN_CACHE_MS: '0' }
    const send: Send = async (request) => app.fetch(request, uncached, createExecutionContext())
    const { access_token } = await signIn('alice', { send })
    expect(await statusWith(access_token, send)).toBe(200)
    await deleteRecordOf(access_token)
    expect(await statusWith(access_token, send)).toBe(401)
  })

  it('re-authorizing a client revokes the user’s earlier grant to it, cached tokens too', async () => {
    const jar = new CookieJar()
    const first = await signIn('alice', { jar })
    expect(await statusWith(first.access_token)).toBe(200)
    // The same user authorizes the same client again (remembered: no consent page).
    const { verifier, challenge } = await pkce()
    const back = await authorizeAsDev(
      authorizeUrl({ clientId: first.clientId, challenge }),
      'alice',
      jar,
    )
    const again = await tokenRequest({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      code_verifier: verifier,
      client_id: first.clientId,
      redirect_uri: REDIRECT_URI,
    })
    const { access_token } = (await again.json()) as { access_token: string }
    expect(await statusWith(access_token)).toBe(200)
    expect(await statusWith(first.access_token)).toBe(401)
  })
})
