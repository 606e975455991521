/**
 * @module
 * What serves one request: the settings of its `env`, the issuer (the configured origin, or the
 * request's own), that issuer's servers, and the identity provider. `null` when the plugin is
 * off (`OAUTH_IDENTITY` unset). The local sign-in answers only on loopback hosts.
 */
import type { Context } from 'hono'
import { mcpHttpError } from '../../http-error'
import { isLoopback } from '../../loopback'
import { RPC_ERROR } from '../../protocol/json-rpc-error'
import type { AppEnv } from '../../types'
import { devIdentity } from './dev'
import { githubIdentity } from './github'
import type { IdentityProvider } from './identity'
import { oidcIdentity } from './oidc'
import type { IssuerServers, OAuthServerEnv } from './provider'
import {
  type IdentitySettings,
  type OAuthServerSettings,
  readOAuthServerSettings,
} from './settings'

/** What serves one request. */
export interface OAuthRequestContext {
  readonly settings: OAuthServerSettings
  readonly servers: IssuerServers
  readonly env: OAuthServerEnv
  readonly identity: IdentityProvider
}

/** Resolves a request's context; `null` when the plugin is off. */
export type ContextResolver = (c: Context<AppEnv>) => OAuthRequestContext | null

/** The identity provider of some settings. */
function identityProvider(identity: IdentitySettings): IdentityProvider {
  switch (identity.kind) {
    case 'github':
      return githubIdentity(identity)
    case 'oidc':
      return oidcIdentity(identity)
    case 'dev':
      return devIdentity()
  }
}

const LOCAL_ONLY =
  'Forbidden: the local sign-in (OAUTH_IDENTITY=dev) answers only on loopback hosts; ' +
  'deploy with OAUTH_IDENTITY=github or oidc'

/** Builds the resolver over `serversFor` (one set of servers per issuer). */
export function createContextResolver(
  serversFor: (issuer: string) => IssuerServers,
): ContextResolver {
  const identities = new WeakMap<OAuthServerSettings, IdentityProvider>()
  return function resolve(c) {
    const settings = readOAuthServerSettings(c.env)
    if (settings === null) return null
    const url = new URL(c.req.url)
    if (settings.identity.kind === 'dev') {
      if (settings.issuer !== undefined && !isLoopback(new URL(settings.issuer).hostname)) {
        throw new Error('Invalid OAUTH_ISSUER: the local sign-in (dev) serves only loopback hosts')
      }
      if (!isLoopback(url.hostname)) throw mcpHttpError(403, RPC_ERROR.serverError, LOCAL_ONLY)
    }
    const env = c.env as unknown as Partial<OAuthServerEnv>
    if (env.OAUTH_KV === undefined) {
      throw new Error(
        'mcpOAuthServer: bind a KV namespace as OAUTH_KV ([[kv_namespaces]] in wrangler.toml)',
      )
    }
    let identity = identities.get(settings)
    if (identity === undefined) {
      identity = identityProvider(settings.identity)
      identities.set(settings, identity)
    }
    return {
      settings,
      servers: serversFor(settings.issuer ?? url.origin),
      env: env as OAuthServerEnv,
      identity,
    }
  }
}
