/**
 * @module
 * The contract of an identity provider: who signs users in. The authorization server sends the
 * browser to it after the client and its redirect URI are validated, and learns at the callback
 * who the user is. Each provider is one file (`github.ts`, `oidc.ts`, `dev.ts`).
 */
import { encodeBase64Url } from 'hono/utils/encode'

/** Who signed in. */
export interface Identity {
  /**
   * The principal: the provider's stable subject, prefixed with the provider (`github:583231`,
   * `oidc:<sub>`, `dev:alice`). Sessions and handles are bound to it.
   */
  readonly subject: string
  /** What to call them on a page: a login, an email or a name. */
  readonly name: string
}

/** Secrets of one sign-in (a PKCE verifier, a nonce), kept with the library's upstream state. */
export type SignInData = Readonly<Record<string, string>>

/** What a provider needs to send the browser to sign in. */
export interface SignInStart {
  /** The library's upstream `state`: the callback must bring it back. */
  readonly state: string
  readonly data: SignInData
  /** This server's callback URL (`<origin>/oauth/callback`). */
  readonly callbackUrl: string
  /** Headers the response must carry (the library's cookie that binds `state` to the browser). */
  readonly headers: Headers
}

/** What a provider gets at the callback. */
export interface SignInFinish {
  /** The callback's URL, with the provider's query parameters. */
  readonly url: URL
  readonly data: SignInData
  readonly callbackUrl: string
}

/** A sign-in that failed for a reason the user may see (the provider refused, or is down). */
export class IdentityError extends Error {
  override readonly name = 'IdentityError'
}

/** An identity provider. */
export interface IdentityProvider {
  /** Its name on pages (`GitHub`). */
  readonly label: string
  /** Fresh secrets for one sign-in. */
  prepare(): Promise<SignInData>
  /** The response that sends the browser to sign in: a redirect, or a page of this server's. */
  begin(start: SignInStart): Promise<Response>
  /** Who signed in; throws {@link IdentityError} when the provider says no one did. */
  finish(finish: SignInFinish): Promise<Identity>
}

/** Base64url without padding, as PKCE and OAuth parameters spell it (RFC 7636 appendix A). */
function base64url(bytes: ArrayBuffer): string {
  return encodeBase64Url(bytes).replace(/=+$/, '')
}

/** A random URL-safe string with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)).buffer)
}

/** The S256 challenge of a PKCE verifier (RFC 7636), for the sign-in at the provider. */
async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)))
}

/**
 * The redirect that sends the user to a provider's authorization `endpoint` with `params`, and
 * the S256 challenge of `verifier` (PKCE, RFC 7636), carrying `headers`.
 */
export async function authorizationRedirect(
  endpoint: string,
  params: Readonly<Record<string, string>>,
  verifier: string,
  headers: Headers,
): Promise<Response> {
  const url = new URL(endpoint)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  url.searchParams.set('code_challenge', await pkceChallenge(verifier))
  url.searchParams.set('code_challenge_method', 'S256')
  return redirectWith(url.href, headers)
}

/** A redirect carrying `headers` (the library's binding cookie). */
export function redirectWith(location: string, headers: Headers): Response {
  headers.set('Location', location)
  headers.set('Cache-Control', 'no-store')
  return new Response(null, { status: 302, headers })
}
