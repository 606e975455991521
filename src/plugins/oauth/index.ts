/**
 * @module
 * OAuth 2.1 resource server: verifies JWT access tokens (signature from a JWKS URL or inline keys,
 * `iss`, `aud` = this server's resource URI, `exp`/`nbf`), serves RFC 9728 protected-resource
 * metadata, challenges with `WWW-Authenticate: Bearer resource_metadata=…`, and refuses a tool
 * call whose required scopes the token lacks with 403 `insufficient_scope`. Verification is
 * `jose`'s; tokens are read only from the `Authorization` header (never the query string).
 */

import type { Context } from 'hono'
import { Hono } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
} from 'jose'
import { jsonRpcError, RPC_ERROR } from '../../protocol/json-rpc-error'
import type { AppEnv } from '../../types'
import type { McpPlugin } from '../plugin'

/** Options of {@link mcpOAuth}. */
export interface McpOAuthOptions {
  /** The issuer the tokens must come from (`iss`). */
  readonly issuer: string
  /** Authorization servers clients get tokens from, for the metadata. Default: `[issuer]`. */
  readonly authorizationServers?: readonly string[]
  /** Where the signing keys are: a JWKS URL, or the keys themselves. One is required. */
  readonly jwksUrl?: string
  readonly jwks?: JSONWebKeySet
  /**
   * This server's canonical resource URI: tokens must name it in `aud`. Default: the request's
   * origin, which covers `/mcp` and `/sse` alike (clients accept a resource that is a prefix of
   * the URL they connect to).
   */
  readonly resource?: string
  /** Scopes every MCP request needs; also advertised in the 401 challenge. */
  readonly requiredScopes?: readonly string[]
  /** Scopes a `tools/call` of each tool needs, by tool name. */
  readonly toolScopes?: Readonly<Record<string, readonly string[]>>
  /** All scopes, for the metadata. Default: every scope named above. */
  readonly scopesSupported?: readonly string[]
  /** Allowed clock skew for `exp`/`nbf`, in seconds. Default 30. */
  readonly clockToleranceSeconds?: number
}

/**
 * What a token's principal is named: `oauth:` and its `sub`, so no subject the issuer hands out
 * is ever `anonymous` (every caller while auth is off) or another plugin's principal.
 */
export const PRINCIPAL_PREFIX = 'oauth:'

/** Paths the metadata is served at (root, and one per transport endpoint). */
const METADATA_PATHS = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource/sse',
  '/.well-known/oauth-protected-resource/messages',
]

/** The scopes a token grants: the `scope` string (RFC 8693/9068) or a `scp` array. */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean)
  if (Array.isArray(payload.scp))
    return payload.scp.filter((s): s is string => typeof s === 'string')
  return []
}

/**
 * OAuth resource-server plugin.
 *
 * @example
 * ```ts
 * mcpOAuth({
 *   issuer: 'https://auth.example.com',
 *   jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
 *   resource: 'https://mcp.example.com',
 *   toolScopes: { remember: ['notes:write'] },
 * })
 * ```
 */
export function mcpOAuth(options: McpOAuthOptions): McpPlugin {
  if (!options.jwksUrl && !options.jwks) {
    throw new Error('mcpOAuth: give `jwksUrl` or `jwks`, where the token signing keys are')
  }
  const keys = options.jwks
    ? createLocalJWKSet(options.jwks)
    : createRemoteJWKSet(new URL(options.jwksUrl!))
  const required = options.requiredScopes ?? []
  const toolScopes = options.toolScopes ?? {}
  const supported = options.scopesSupported ?? [
    ...new Set([...required, ...Object.values(toolScopes).flat()]),
  ]
  const resourceOf = (c: Context) => options.resource ?? new URL(c.req.url).origin
  const metadataUrl = (resource: string) =>
    `${new URL(resource).origin}/.well-known/oauth-protected-resource`
  const challenge = (resource: string, error?: string) =>
    [
      `Bearer resource_metadata="${metadataUrl(resource)}"`,
      required.length > 0 ? `scope="${required.join(' ')}"` : undefined,
      error ? `error="${error}"` : undefined,
    ]
      .filter(Boolean)
      .join(', ')

  const routes = new Hono<AppEnv>()
  for (const path of METADATA_PATHS) {
    routes.get(path, (c) =>
      c.json(
        {
          resource: resourceOf(c),
          authorization_servers: options.authorizationServers ?? [options.issuer],
          scopes_supported: supported,
          bearer_methods_supported: ['header'],
        },
        200,
        { 'cache-control': 'max-age=300' },
      ),
    )
  }

  const unauthorized = jsonRpcError(
    RPC_ERROR.serverError,
    'Unauthorized: send a valid access token as "Authorization: Bearer <token>"',
  )

  return {
    name: 'oauth',
    routes,
    middleware: bearerAuth<AppEnv>({
      verifyToken: async (token, c) => {
        try {
          const { payload } = await jwtVerify(token, keys, {
            issuer: options.issuer,
            audience: resourceOf(c),
            clockTolerance: options.clockToleranceSeconds ?? 30,
          })
          const scopes = scopesOf(payload)
          if (typeof payload.sub !== 'string' || !required.every((s) => scopes.includes(s))) {
            return false
          }
          c.set('principal', { name: `${PRINCIPAL_PREFIX}${payload.sub}`, scopes })
          return true
        } catch {
          return false
        }
      },
      noAuthenticationHeader: {
        wwwAuthenticateHeader: (c) => challenge(resourceOf(c)),
        message: unauthorized,
      },
      invalidToken: {
        wwwAuthenticateHeader: (c) => challenge(resourceOf(c), 'invalid_token'),
        message: unauthorized,
      },
      invalidAuthenticationHeader: {
        wwwAuthenticateHeader: (c) => challenge(resourceOf(c), 'invalid_request'),
        message: jsonRpcError(RPC_ERROR.serverError, 'Bad Request: malformed Authorization header'),
      },
    }),
    hooks: {
      onIncoming(message, context) {
        if (!('method' in message) || message.method !== 'tools/call') return undefined
        const name = message.params?.name
        // Own keys only: a tool named `constructor` or `toString` needs no scope (and is unknown).
        const needed =
          typeof name === 'string' && Object.hasOwn(toolScopes, name) ? toolScopes[name]! : []
        const granted = context.principal.scopes ?? []
        const missing = needed.filter((scope) => !granted.includes(scope))
        if (missing.length === 0) return undefined
        const scope = [...new Set([...granted, ...needed])].join(' ')
        return {
          status: 403,
          code: RPC_ERROR.serverError,
          message: `Forbidden: tool "${name}" needs scope ${missing.join(' ')}`,
          headers: {
            'WWW-Authenticate': [
              `Bearer error="insufficient_scope"`,
              `scope="${scope}"`,
              options.resource ? `resource_metadata="${metadataUrl(options.resource)}"` : undefined,
            ]
              .filter(Boolean)
              .join(', '),
          },
        }
      },
    },
    authMode: () => 'oauth',
  }
}
