/**
 * @module
 * The interactive half of the authorization server, which the library leaves to the
 * application: `GET /authorize`, the identity provider's callback, and the consent form's post.
 *
 * Lifecycle of one authorization:
 * 1. `GET /authorize`: the library validates the client, its exact redirect URI, the resource
 *    and PKCE (an unknown client or redirect is refused here, on a page of ours, before any
 *    sign-in; a client without a PKCE challenge is sent back `invalid_request`). The browser
 *    then goes to the identity provider with the library's upstream `state`, bound to it by a
 *    cookie.
 * 2. `GET /oauth/callback`: the library recovers the request from `state`; the provider says
 *    who signed in. An approval this user gave this client, redirect URI and resource within
 *    `OAUTH_CONSENT_TTL_S` completes at once; otherwise the consent page is shown.
 * 3. `POST /authorize`: Allow grants the scopes shown and redirects to the client with the
 *    code (and `iss`, RFC 9207); Deny redirects with `access_denied`.
 *
 * Signing in before consent does not let a client skip it: nothing reaches a client until
 * this server's own consent page was approved by the signed-in user (or remembered for them).
 */
import {
  type AuthorizationError,
  type AuthRequest,
  authorizationErrorRedirect,
  CimdFetchError,
  AuthorizationError as LibraryAuthorizationError,
  type OAuthHelpers,
} from '@cloudflare/workers-oauth-provider'
import { Hono } from 'hono'
import type { AppEnv } from '../../types'
import { consentPage } from './consent-page'
import type { ContextResolver, OAuthRequestContext } from './context'
import { type Identity, IdentityError, type SignInData } from './identity'
import { errorPage, pageResponse } from './page'
import { OAUTH_PATHS } from './provider'
import { type ScopePolicy, scopesToGrant } from './scope-check'
import { signSignIn, verifySignIn } from './sign-in-proof'
import type { TokenCache } from './token-cache'

/** What the routes need. */
export interface AuthorizeRoutesOptions {
  readonly resolve: ContextResolver
  readonly policy: ScopePolicy
  /** Re-authorizing revokes the user's earlier grants to the client: their tokens leave it. */
  readonly cache: TokenCache
}

/** The grant's user id: the library's ids can't hold `:`, which principals do. */
function userIdOf(subject: string): string {
  return encodeURIComponent(subject)
}

/** A redirect with `headers` (the library's cookies). */
function redirect(location: string, headers = new Headers()): Response {
  headers.set('Location', location)
  headers.set('Cache-Control', 'no-store')
  return new Response(null, { status: 302, headers })
}

/**
 * The answer to a failure the library reports: back to the client when it validated the
 * redirect (`error`, `state`, `iss`), else a page of ours; anything else is a fault.
 */
function refusal(error: unknown, headers?: Headers): Promise<Response> | Response {
  if (error instanceof LibraryAuthorizationError) {
    const failure = error as AuthorizationError
    if (failure.redirectTo) return redirect(failure.redirectTo, headers)
    return errorPage(400, failure.description, headers)
  }
  if (error instanceof CimdFetchError) {
    return errorPage(400, 'The app’s client metadata document could not be fetched or is invalid.')
  }
  throw error
}

/** Every cookie `from` sets, added to `to`. */
function withCookies(to: Headers, from: Headers): Headers {
  for (const cookie of from.getSetCookie()) to.append('Set-Cookie', cookie)
  return to
}

/** Builds the `/authorize` and callback routes. */
export function authorizeRoutes(options: AuthorizeRoutesOptions): Hono<AppEnv> {
  const { resolve, policy, cache } = options
  const routes = new Hono<AppEnv>()

  /** Issues the code for `identity` and returns where to send the browser. */
  const complete = async (
    oauth: OAuthHelpers,
    request: AuthRequest,
    identity: Identity,
    scopes: readonly string[],
  ) => {
    const userId = userIdOf(identity.subject)
    const { redirectTo } = await oauth.completeAuthorization({
      request,
      userId,
      metadata: { name: identity.name },
      scope: [...scopes],
      props: { sub: identity.subject, name: identity.name },
    })
    cache.forgetClientGrants(userId, request.clientId)
    return redirectTo
  }

  const callbackUrl = (context: OAuthRequestContext) =>
    `${context.servers.issuer}${OAUTH_PATHS.callback}`

  routes.get(OAUTH_PATHS.authorize, async function authorize(c) {
    const context = resolve(c)
    if (context === null) return c.notFound()
    const oauth = context.servers.authorizationServer.getOAuthApi(context.env)
    let request: AuthRequest
    try {
      request = await oauth.parseAuthRequest(c.req.raw)
    } catch (error) {
      return refusal(error)
    }
    // PKCE with S256 for every client (the library requires it of public clients only).
    if (!request.codeChallenge) {
      return redirect(
        authorizationErrorRedirect(request, 'invalid_request', 'PKCE (S256) is required'),
      )
    }
    const data = await context.identity.prepare()
    const { state, headers } = await oauth.beginUpstream(request, { data })
    return context.identity.begin({ state, data, callbackUrl: callbackUrl(context), headers })
  })

  routes.get(OAUTH_PATHS.callback, async function signedIn(c) {
    const context = resolve(c)
    if (context === null) return c.notFound()
    const oauth = context.servers.authorizationServer.getOAuthApi(context.env)
    let resumed: Awaited<ReturnType<typeof oauth.finishUpstream<SignInData>>>
    try {
      resumed = await oauth.finishUpstream<SignInData>(c.req.raw)
    } catch (error) {
      return refusal(error)
    }
    const { request, data, headers } = resumed
    const url = new URL(c.req.url)
    if (url.searchParams.has('error')) {
      const denied = `${context.identity.label} sign-in was declined or failed`
      return redirect(authorizationErrorRedirect(request, 'access_denied', denied), headers)
    }
    let identity: Identity
    try {
      identity = await context.identity.finish({ url, data, callbackUrl: callbackUrl(context) })
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error
      return redirect(authorizationErrorRedirect(request, 'access_denied', error.message), headers)
    }
    const scopes = scopesToGrant(request.scope, policy)
    const { cookieSecret: secret, consentTtlSeconds } = context.settings
    try {
      if (consentTtlSeconds > 0) {
        const remembered = await oauth.isConsentRemembered(
          c.req.raw,
          { ...request, scope: scopes },
          { secret, subject: identity.subject },
        )
        if (remembered) return redirect(await complete(oauth, request, identity, scopes), headers)
      }
      const details = await oauth.describeConsent(request)
      const consent = await oauth.beginConsent(request)
      const proof = await signSignIn(secret, consent.handle, { identity, scopes })
      return pageResponse(
        consentPage({
          details,
          identity,
          scopes,
          handle: consent.handle,
          proof,
          action: OAUTH_PATHS.authorize,
        }),
        200,
        withCookies(consent.headers, headers),
      )
    } catch (error) {
      return refusal(error, headers)
    }
  })

  routes.post(OAUTH_PATHS.authorize, async function decided(c) {
    const context = resolve(c)
    if (context === null) return c.notFound()
    const oauth = context.servers.authorizationServer.getOAuthApi(context.env)
    const form = await c.req.parseBody()
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : '')
    const handle = field('handle')
    const { cookieSecret: secret, consentTtlSeconds } = context.settings
    try {
      if (field('decision') !== 'approve') {
        const denied = await oauth.denyConsent(c.req.raw, handle)
        return redirect(denied.redirectTo, denied.headers)
      }
      // Checked before the handle is spent, so a forged post leaves the page usable.
      const signIn = await verifySignIn(secret, handle, field('proof'))
      if (signIn === undefined) {
        return errorPage(400, 'This consent form was not issued to your sign-in, or it expired.')
      }
      const approved = await oauth.approveConsent(c.req.raw, handle, {
        scope: [...signIn.scopes],
        ...(consentTtlSeconds > 0 && {
          remember: {
            secret,
            subject: signIn.identity.subject,
            maxAgeSeconds: consentTtlSeconds,
          },
        }),
      })
      const location = await complete(oauth, approved.request, signIn.identity, signIn.scopes)
      return redirect(location, approved.headers)
    } catch (error) {
      return refusal(error)
    }
  })

  return routes
}
