/**
 * @module
 * The library's side: one `OAuthAuthorizationServer` per issuer (this server's origin), which
 * serves RFC 8414 metadata, the token endpoint (code with PKCE S256, refresh with rotation,
 * RFC 7009 revocation), dynamic registration and Client ID Metadata Documents, and validates its
 * own access tokens; and an `OAuthResourceServer` beside it that publishes the RFC 9728 metadata
 * of the one resource those tokens are bound to: the origin, which covers `/mcp`, `/sse` and
 * `/messages` alike. Grants, clients and tokens live in the `OAUTH_KV` namespace.
 */
import { OAuthAuthorizationServer, OAuthResourceServer } from '@cloudflare/workers-oauth-provider'

/** The bindings the library needs. */
export interface OAuthServerEnv {
  /** Grants, clients, tokens and consent transactions (KV; local under `npm start`). */
  readonly OAUTH_KV: KVNamespace
}

/** Where the authorization server's endpoints are, on the issuer's origin. */
export const OAUTH_PATHS = {
  authorize: '/authorize',
  token: '/oauth/token',
  register: '/oauth/register',
  callback: '/oauth/callback',
  serverMetadata: '/.well-known/oauth-authorization-server',
  resourceMetadata: '/.well-known/oauth-protected-resource',
} as const

/** What every issuer's servers share. */
export interface ProviderOptions {
  /** Every scope this server grants (RFC 8414 `scopes_supported`). */
  readonly scopesSupported: readonly string[]
  /** The scopes any access needs (RFC 9728 `scopes_supported`, and the `401` challenge's). */
  readonly requiredScopes: readonly string[]
  readonly accessTokenTtlSeconds: number
  readonly refreshTokenTtlSeconds: number
}

/** One issuer's servers. */
export interface IssuerServers {
  /** The issuer, and the resource its tokens are bound to: this server's origin. */
  readonly issuer: string
  readonly authorizationServer: OAuthAuthorizationServer<OAuthServerEnv>
  /** Serves only the RFC 9728 document here; the MCP routes check tokens themselves. */
  readonly resourceMetadata: OAuthResourceServer<OAuthServerEnv>
  /** Where the RFC 9728 document is, for the `WWW-Authenticate` challenge. */
  readonly resourceMetadataUrl: string
}

/**
 * Builds the servers for each issuer on first use. An issuer is fixed for its servers'
 * lifetime: the library checks resources and endpoints against it when they are built.
 */
export function createProviders(options: ProviderOptions): (issuer: string) => IssuerServers {
  const built = new Map<string, IssuerServers>()
  return function serversFor(issuer) {
    let servers = built.get(issuer)
    if (servers === undefined) {
      servers = buildServers(issuer, options)
      built.set(issuer, servers)
    }
    return servers
  }
}

function buildServers(issuer: string, options: ProviderOptions): IssuerServers {
  const authorizationServer = new OAuthAuthorizationServer<OAuthServerEnv>({
    issuer,
    resources: [issuer],
    authorizeEndpoint: OAUTH_PATHS.authorize,
    tokenEndpoint: OAUTH_PATHS.token,
    clientRegistrationEndpoint: OAUTH_PATHS.register,
    scopesSupported: [...options.scopesSupported],
    accessTokenTTL: options.accessTokenTtlSeconds,
    refreshTokenTTL: options.refreshTokenTtlSeconds,
    // Advertised only where the `global_fetch_strictly_public` compatibility flag is on too.
    clientIdMetadataDocumentEnabled: true,
  })
  const resourceMetadata = new OAuthResourceServer<OAuthServerEnv>({
    resourceMetadata: { resource: issuer, authorization_servers: [issuer] },
    requiredScopes: [...options.requiredScopes],
    validateToken: (env) => (resource, token) =>
      authorizationServer.validateToken(resource, token, env),
    handler: { fetch: () => new Response(null, { status: 404 }) },
  })
  return {
    issuer,
    authorizationServer,
    resourceMetadata,
    resourceMetadataUrl: `${issuer}${OAUTH_PATHS.resourceMetadata}`,
  }
}
