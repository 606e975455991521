/**
 * @module
 * Sign-in with any OpenID Connect provider (Google, Okta, Auth0, Keycloak, Cloudflare Access):
 * the authorization code flow with PKCE and a nonce, a confidential client
 * (`client_secret_basic`), and the ID token checked by `jose` against the issuer's published
 * keys. The provider's endpoints come from its discovery document, read once per isolate. The
 * principal is `oidc:<sub>`; the name shown is `preferred_username`, `email` or `name`.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { z } from 'zod'
import {
  authorizationRedirect,
  IdentityError,
  type IdentityProvider,
  randomToken,
} from './identity'

/** The settings of an OpenID Connect client. */
export interface OidcIdentityOptions {
  /** The issuer, exactly as its discovery document and ID tokens spell it. */
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** Space-separated scopes to ask for; must include `openid`. */
  readonly scopes: string
}

const Discovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
})
type Discovery = z.infer<typeof Discovery>

const TokenAnswer = z.object({ id_token: z.string().min(1) })
const Claims = z.object({
  sub: z.string().min(1),
  nonce: z.string().optional(),
  preferred_username: z.string().optional(),
  email: z.string().optional(),
  name: z.string().optional(),
})

interface Provider {
  readonly discovery: Discovery
  readonly keys: JWTVerifyGetKey
}

/** Discovered providers, per issuer; a failed discovery is forgotten so the next try repeats it. */
const discovered = new Map<string, Promise<Provider>>()

const withoutSlash = (url: string) => url.replace(/\/+$/, '')

async function discover(issuer: string): Promise<Provider> {
  const res = await fetch(`${withoutSlash(issuer)}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json' },
  })
  const parsed = Discovery.safeParse(await res.json().catch(() => undefined))
  if (!res.ok || !parsed.success) {
    throw new IdentityError(
      `The identity provider's discovery document is unavailable (HTTP ${res.status}).`,
    )
  }
  // OpenID Connect Discovery: the document's issuer MUST be the one it was fetched for.
  if (withoutSlash(parsed.data.issuer) !== withoutSlash(issuer)) {
    throw new IdentityError(`The identity provider names another issuer (${parsed.data.issuer}).`)
  }
  return { discovery: parsed.data, keys: createRemoteJWKSet(new URL(parsed.data.jwks_uri)) }
}

function providerFor(issuer: string): Promise<Provider> {
  let provider = discovered.get(issuer)
  if (provider === undefined) {
    provider = discover(issuer)
    discovered.set(issuer, provider)
    provider.catch(() => discovered.delete(issuer))
  }
  return provider
}

/** `client_secret_basic`: id and secret form-encoded, then Basic (RFC 6749 §2.3.1). */
function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${btoa(`${encode(id)}:${encode(secret)}`)}`
}

/** Sign-in with an OpenID Connect provider. */
export function oidcIdentity(options: OidcIdentityOptions): IdentityProvider {
  return {
    label: new URL(options.issuer).hostname,
    prepare: async () => ({ verifier: randomToken(), nonce: randomToken(16) }),
    begin: async ({ state, data, callbackUrl, headers }) => {
      const { discovery } = await providerFor(options.issuer)
      const params = {
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: callbackUrl,
        scope: options.scopes,
        state,
        nonce: data.nonce ?? '',
      }
      return authorizationRedirect(
        discovery.authorization_endpoint,
        params,
        data.verifier ?? '',
        headers,
      )
    },
    finish: async ({ url, data, callbackUrl }) => {
      const code = url.searchParams.get('code')
      if (!code) throw new IdentityError('The identity provider sent no authorization code.')
      const { discovery, keys } = await providerFor(options.issuer)
      const exchange = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          authorization: basicAuth(options.clientId, options.clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: callbackUrl,
          code_verifier: data.verifier ?? '',
        }),
      })
      const answer = TokenAnswer.safeParse(await exchange.json().catch(() => undefined))
      if (!exchange.ok || !answer.success) {
        throw new IdentityError(
          `The identity provider refused the sign-in (HTTP ${exchange.status}).`,
        )
      }
      let claims: z.infer<typeof Claims>
      try {
        const { payload } = await jwtVerify(answer.data.id_token, keys, {
          issuer: discovery.issuer,
          audience: options.clientId,
        })
        claims = Claims.parse(payload)
      } catch {
        throw new IdentityError('The identity provider sent an ID token that does not verify.')
      }
      if (claims.nonce !== data.nonce) {
        throw new IdentityError('The identity provider sent an ID token for another sign-in.')
      }
      const name = claims.preferred_username ?? claims.email ?? claims.name ?? claims.sub
      return { subject: `oidc:${claims.sub}`, name }
    },
  }
}
