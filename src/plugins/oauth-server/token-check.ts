/**
 * @module
 * The resource side on the MCP endpoints (`/mcp`, `/sse`, `/messages`), in both eras: the
 * request's bearer token must be one this server issued, for this server's resource (RFC 8707:
 * a token bound to another resource is refused), unexpired and unrevoked, and must carry the
 * required scopes. Its principal is the user who signed in. Tokens are read only from the
 * `Authorization` header.
 *
 * Per request: a token this isolate checked within `OAUTH_TOKEN_CACHE_MS` costs a map lookup;
 * any other costs the library's check, one KV read (the token's record) and the decryption of
 * its props. A header that isn't a bearer token costs nothing.
 */
import type { MiddlewareHandler } from 'hono'
import { mcpHttpError } from '../../http-error'
import { RPC_ERROR } from '../../protocol/json-rpc-error'
import type { AppEnv } from '../../types'
import type { ContextResolver, OAuthRequestContext } from './context'
import { insufficientScopeChallenge, missingScopes, type ScopePolicy } from './scope-check'
import type { CheckedToken, TokenCache } from './token-cache'

/** What the check needs. */
export interface TokenCheckOptions {
  readonly resolve: ContextResolver
  readonly policy: ScopePolicy
  readonly cache: TokenCache
}

/** RFC 6750 §2.1: `Bearer` and one token; the library's own parse, so both sides agree. */
const BEARER = /^Bearer[\t ]+([^\s,]+)$/i

/** What `completeAuthorization` stored as the grant's props. */
interface GrantProps {
  readonly sub: string
}

function isGrantProps(props: unknown): props is GrantProps {
  return (
    typeof props === 'object' && props !== null && typeof Reflect.get(props, 'sub') === 'string'
  )
}

/** The token's grant, checked by the library (one KV read), or null when it isn't valid here. */
async function checkWithLibrary(
  token: string,
  context: OAuthRequestContext,
): Promise<(CheckedToken & { expiresAt: number }) | null> {
  const { authorizationServer, issuer } = context.servers
  const validated = await authorizationServer.validateToken<unknown>(issuer, token, context.env)
  if (validated === null || !isGrantProps(validated.props)) return null
  return {
    principal: { name: validated.props.sub, scopes: validated.scope },
    audience: validated.audience,
    clientId: validated.clientId,
    expiresAt: validated.expiresAt,
  }
}

/** The token check, as the plugin's middleware. */
export function tokenCheck(options: TokenCheckOptions): MiddlewareHandler<AppEnv> {
  const { resolve, policy, cache } = options
  const required = policy.required.join(' ')
  const challenge = (context: OAuthRequestContext, error?: string) =>
    [
      `Bearer resource_metadata="${context.servers.resourceMetadataUrl}"`,
      required ? `scope="${required}"` : undefined,
      error ? `error="${error}"` : undefined,
    ]
      .filter(Boolean)
      .join(', ')

  return async function oauthServerTokenCheck(c, next) {
    const context = resolve(c)
    if (context === null) return next()
    const header = c.req.header('authorization')
    if (header === undefined) {
      throw mcpHttpError(
        401,
        RPC_ERROR.serverError,
        'Unauthorized: sign in, then send the access token as "Authorization: Bearer <token>"',
        { 'WWW-Authenticate': challenge(context) },
      )
    }
    const token = BEARER.exec(header)?.[1]
    if (token === undefined) {
      throw mcpHttpError(
        400,
        RPC_ERROR.serverError,
        'Bad Request: malformed Authorization header',
        {
          'WWW-Authenticate': challenge(context, 'invalid_request'),
        },
      )
    }
    const now = Date.now()
    let checked = cache.get(token, now)
    if (checked !== undefined && checked.audience !== context.servers.issuer) checked = undefined
    if (checked === undefined) {
      const fresh = await checkWithLibrary(token, context)
      if (fresh === null) {
        throw mcpHttpError(
          401,
          RPC_ERROR.serverError,
          'Unauthorized: the access token is invalid, expired, revoked or for another resource',
          { 'WWW-Authenticate': challenge(context, 'invalid_token') },
        )
      }
      const cacheMs = context.settings.tokenCacheMs
      if (cacheMs > 0) cache.set(token, fresh, Math.min(now + cacheMs, fresh.expiresAt * 1000))
      checked = fresh
    }
    const missing = missingScopes(checked.principal.scopes, policy.required)
    if (missing.length > 0) {
      throw mcpHttpError(
        403,
        RPC_ERROR.serverError,
        `Forbidden: this server needs scope ${missing.join(' ')}`,
        {
          'WWW-Authenticate': insufficientScopeChallenge(
            checked.principal.scopes,
            policy.required,
            context.servers.resourceMetadataUrl,
          ),
        },
      )
    }
    c.set('principal', checked.principal)
    await next()
  }
}
