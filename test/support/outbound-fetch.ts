/**
 * @module
 * Plays every third party the OAuth tests reach, as the Workers test pool's outbound fetch
 * handler (Miniflare's `outboundService`): a Client ID Metadata Document host, GitHub's token and
 * user endpoints, and an OpenID provider (discovery, keys, token endpoint signing ID tokens with
 * the test key). Anything else is a test bug: 599 with the URL.
 */
import fs from 'node:fs'
import { importJWK, type JWK, SignJWT } from 'jose'
import {
  CIMD_CLIENT_ID,
  CIMD_OTHER_CLIENT_ID,
  CIMD_OTHER_REDIRECT_URI,
  CIMD_REDIRECT_URI,
  GITHUB_APP,
  GITHUB_CODE,
  GITHUB_USER,
  OIDC_CLIENT,
  OIDC_ISSUER,
  type OidcCodeClaims,
} from './outbound-fixtures.ts'

const KEYS = JSON.parse(
  fs.readFileSync(new URL('../fixtures/secure/keys.json', import.meta.url), 'utf8'),
) as { trusted: { public: JWK; private: JWK } }

const GITHUB_TOKEN = 'gho_test_access_token'

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

function cimdDocument(clientId: string, redirectUri: string, name: string): Response {
  return json({
    client_id: clientId,
    client_name: name,
    client_uri: 'https://client.example',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  })
}

async function githubToken(request: Request): Promise<Response> {
  const form = new URLSearchParams(await request.text())
  const valid =
    form.get('client_id') === GITHUB_APP.clientId &&
    form.get('client_secret') === GITHUB_APP.clientSecret &&
    form.get('code') === GITHUB_CODE &&
    (form.get('code_verifier') ?? '').length >= 43
  return json(
    valid
      ? { access_token: GITHUB_TOKEN, token_type: 'bearer', scope: '' }
      : { error: 'bad_verification_code' },
  )
}

async function oidcToken(request: Request): Promise<Response> {
  const expected = `Basic ${btoa(`${OIDC_CLIENT.clientId}:${OIDC_CLIENT.clientSecret}`)}`
  if (request.headers.get('authorization') !== expected)
    return json({ error: 'invalid_client' }, 401)
  const form = new URLSearchParams(await request.text())
  const code = form.get('code') ?? ''
  let claims: OidcCodeClaims
  try {
    claims = JSON.parse(atob(code.replace(/-/g, '+').replace(/_/g, '/'))) as OidcCodeClaims
  } catch {
    return json({ error: 'invalid_grant' }, 400)
  }
  const key = await importJWK(KEYS.trusted.private, 'ES256')
  const idToken = await new SignJWT({
    nonce: claims.nonce,
    ...(claims.email && { email: claims.email }),
  })
    .setProtectedHeader({ alg: 'ES256', kid: KEYS.trusted.private.kid })
    .setIssuer(OIDC_ISSUER)
    .setAudience(OIDC_CLIENT.clientId)
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key)
  return json({ access_token: 'idp-access', token_type: 'Bearer', id_token: idToken })
}

/** The outbound fetch handler. */
export async function outboundFetch(request: Request): Promise<Response> {
  const url = new URL(request.url)
  switch (`${request.method} ${url.origin}${url.pathname}`) {
    case `GET ${CIMD_CLIENT_ID}`:
      return cimdDocument(CIMD_CLIENT_ID, CIMD_REDIRECT_URI, 'CIMD Test Client')
    case `GET ${CIMD_OTHER_CLIENT_ID}`:
      return cimdDocument(CIMD_OTHER_CLIENT_ID, CIMD_OTHER_REDIRECT_URI, 'Other Client')
    case 'POST https://github.com/login/oauth/access_token':
      return githubToken(request)
    case 'GET https://api.github.com/user':
      return request.headers.get('authorization') === `Bearer ${GITHUB_TOKEN}`
        ? json({ ...GITHUB_USER, name: 'The Octocat' })
        : json({ message: 'Bad credentials' }, 401)
    case `GET ${OIDC_ISSUER}/.well-known/openid-configuration`:
      return json({
        issuer: OIDC_ISSUER,
        authorization_endpoint: `${OIDC_ISSUER}/authorize`,
        token_endpoint: `${OIDC_ISSUER}/token`,
        jwks_uri: `${OIDC_ISSUER}/jwks`,
      })
    case `GET ${OIDC_ISSUER}/jwks`:
      return json({ keys: [KEYS.trusted.public] })
    case `POST ${OIDC_ISSUER}/token`:
      return oidcToken(request)
    default:
      return new Response(`no fake for ${request.method} ${request.url}`, { status: 599 })
  }
}
