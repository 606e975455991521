/**
 * What a client finds before it signs in: the `401` challenge on every MCP endpoint, in both
 * eras, pointing at the RFC 9728 document of this server's one resource (its origin), which names
 * this server as the authorization server, whose RFC 8414 metadata offers registration by Client
 * ID Metadata Document and by DCR, PKCE S256 only and public clients.
 */
import { describe, expect, it } from 'vitest'
import { modern, postModern } from '../helpers/modern'
import { BASE, expectRpcError, fetchApp, MSG, postMcp } from '../helpers/requests'

const CHALLENGE = `Bearer resource_metadata="${BASE}/.well-known/oauth-protected-resource", scope="mcp"`

describe('the 401 challenge', () => {
  it('POST /mcp (a session) without a token → 401 naming the metadata and the scope', async () => {
    const res = await postMcp(MSG.initialize())
    expect(res.headers.get('www-authenticate')).toBe(CHALLENGE)
    expect(await expectRpcError(res, 401, -32000)).toBe(
      'Unauthorized: sign in, then send the access token as "Authorization: Bearer <token>"',
    )
  })

  it('a 2026-07-28 request without a token → the same 401', async () => {
    const res = await postModern(modern('tools/list', {}, 7))
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(CHALLENGE)
  })

  it('GET /sse and POST /messages without a token → the same 401', async () => {
    for (const [path, init] of [
      ['/sse', { headers: { accept: 'text/event-stream' } }],
      ['/messages?sessionId=x', { method: 'POST', body: '{}' }],
    ] as const) {
      const res = await fetchApp(path, init)
      expect(res.headers.get('www-authenticate')).toBe(CHALLENGE)
      await expectRpcError(res, 401, -32000)
    }
  })

  it('a header that is not a bearer token → 400 invalid_request', async () => {
    const res = await postMcp(MSG.initialize(), { authorization: 'Basic YWxpY2U6c2VjcmV0' })
    expect(res.headers.get('www-authenticate')).toBe(`${CHALLENGE}, error="invalid_request"`)
    expect(await expectRpcError(res, 400, -32000)).toBe(
      'Bad Request: malformed Authorization header',
    )
  })

  it('a token this server never issued → 401 invalid_token', async () => {
    const res = await postMcp(MSG.initialize(), { authorization: 'Bearer dev%3Aalice:nope:nope' })
    expect(res.headers.get('www-authenticate')).toBe(`${CHALLENGE}, error="invalid_token"`)
    expect(await expectRpcError(res, 401, -32000)).toBe(
      'Unauthorized: the access token is invalid, expired, revoked or for another resource',
    )
  })
})

describe('metadata', () => {
  it('RFC 9728: the resource is the origin, its authorization server this server', async () => {
    const res = await fetchApp('/.well-known/oauth-protected-resource')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      resource: BASE,
      authorization_servers: [BASE],
      scopes_supported: ['mcp'],
      bearer_methods_supported: ['header'],
    })
  })

  it('RFC 9728 §3.3: no document under /mcp or /sse, which would name another resource', async () => {
    for (const path of ['/mcp', '/sse']) {
      const res = await fetchApp(`/.well-known/oauth-protected-resource${path}`)
      expect(res.status).toBe(404)
      await res.body?.cancel()
    }
  })

  it('RFC 8414: endpoints, DCR and CIMD, PKCE S256, public clients, iss', async () => {
    const res = await fetchApp('/.well-known/oauth-authorization-server')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      issuer: BASE,
      authorization_endpoint: `${BASE}/authorize`,
      token_endpoint: `${BASE}/oauth/token`,
      registration_endpoint: `${BASE}/oauth/register`,
      revocation_endpoint: `${BASE}/oauth/token`,
      protected_resources: [BASE],
      scopes_supported: ['mcp', 'notes:write', 'offline_access'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'none',
        'private_key_jwt',
      ],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    })
  })

  it('/health says oauth', async () => {
    expect(await (await fetchApp('/health')).json()).toMatchObject({ auth: 'oauth' })
  })
})
