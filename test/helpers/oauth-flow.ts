/**
 * The OAuth flow against the authorization server plugin, as raw requests inside workerd: a
 * cookie jar (the library binds consent and sign-in to the browser with cookies), PKCE,
 * dynamic registration, the walk through `/authorize`, the local sign-in and the consent page,
 * and the token endpoint.
 */
import { exports } from 'cloudflare:workers'
import { expect } from 'vitest'
import { BASE } from './requests'

/** Sends one request to a Worker. */
export type Send = (request: Request) => Promise<Response>

/**
 * The test Worker's default export, with its own `env`. Redirects come back as they are: a
 * browser would follow them, and the tests look at each one.
 */
export const sendToApp: Send = (request) => exports.default.fetch(request, { redirect: 'manual' })

/** A loopback redirect URI, as native clients (Claude Code, the SDKs) register. */
export const REDIRECT_URI = 'http://127.0.0.1:9876/callback'

/** Cookies a browser would keep, from `Set-Cookie` headers. */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  /** Keeps what `response` sets (and drops what it expires). */
  take(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = cookie.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))
      if (expired) this.#cookies.delete(name)
      else this.#cookies.set(name, pair.slice(eq + 1).trim())
    }
  }

  /** The `Cookie` header to send ('' when empty). */
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** The names of the cookies kept. */
  names(): string[] {
    return [...this.#cookies.keys()]
  }
}

/** A PKCE verifier and its S256 challenge. */
export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const base64url = (bytes: ArrayBuffer) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)).buffer)
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return { verifier, challenge: base64url(digest) }
}

/** Registers a public client by DCR; returns its client id. */
export async function register(
  send: Send = sendToApp,
  metadata: Record<string, unknown> = {},
  origin = BASE,
): Promise<string> {
  const res = await send(
    new Request(`${origin}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Test Client',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        ...metadata,
      }),
    }),
  )
  expect(res.status).toBe(201)
  const body = (await res.json()) as { client_id: string }
  return body.client_id
}

/** What an authorization request names. */
export interface AuthorizeParams {
  readonly clientId: string
  readonly challenge?: string
  readonly method?: string
  readonly redirectUri?: string
  readonly state?: string
  readonly scope?: string
  readonly resource?: string
}

/** The URL of an authorization request. */
export function authorizeUrl(params: AuthorizeParams, origin = BASE): string {
  const url = new URL(`${origin}/authorize`)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', params.clientId)
  url.searchParams.set('redirect_uri', params.redirectUri ?? REDIRECT_URI)
  url.searchParams.set('state', params.state ?? 'client-state')
  if (params.challenge !== undefined) {
    url.searchParams.set('code_challenge', params.challenge)
    url.searchParams.set('code_challenge_method', params.method ?? 'S256')
  }
  if (params.scope !== undefined) url.searchParams.set('scope', params.scope)
  if (params.resource !== undefined) url.searchParams.set('resource', params.resource)
  return url.href
}

/** The value of the hidden field `name` in a page. */
export function hiddenField(page: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1]
  expect(value, `the page has no ${name} field`).toBeDefined()
  return value!
}

/** GET `url` as the browser with `jar`. */
export async function browse(send: Send, url: string, jar: CookieJar): Promise<Response> {
  const res = await send(new Request(url, { headers: { cookie: jar.header() } }))
  jar.take(res)
  return res
}

/** Posts the consent form as the browser with `jar`. */
export async function postConsent(
  send: Send,
  fields: Record<string, string>,
  jar: CookieJar,
  origin = BASE,
): Promise<Response> {
  const res = await send(
    new Request(`${origin}/authorize`, {
      method: 'POST',
      headers: {
        cookie: jar.header(),
        origin,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields),
    }),
  )
  jar.take(res)
  return res
}

/** Where the local sign-in page's form goes for `login`. */
export function devSignInUrl(signInPage: string, login: string, origin = BASE): string {
  const url = new URL(`${origin}/oauth/callback`)
  url.searchParams.set('state', hiddenField(signInPage, 'state'))
  url.searchParams.set('login', login)
  return url.href
}

/**
 * Walks an authorization through the local sign-in as `login`: the sign-in page, then the
 * consent page (answered with `decision`) unless the approval is remembered. Returns the
 * redirect back to the client.
 */
export async function authorizeAsDev(
  url: string,
  login: string,
  jar = new CookieJar(),
  options: { send?: Send; decision?: 'approve' | 'deny'; origin?: string } = {},
): Promise<URL> {
  const send = options.send ?? sendToApp
  const origin = options.origin ?? BASE
  const signInPage = await browse(send, url, jar)
  expect(signInPage.status).toBe(200)
  const callback = await browse(send, devSignInUrl(await signInPage.text(), login, origin), jar)
  if (callback.status === 302) return new URL(callback.headers.get('location')!)
  expect(callback.status).toBe(200)
  const consent = await callback.text()
  const decided = await postConsent(
    send,
    {
      handle: hiddenField(consent, 'handle'),
      proof: hiddenField(consent, 'proof'),
      decision: options.decision ?? 'approve',
    },
    jar,
    origin,
  )
  expect(decided.status).toBe(302)
  return new URL(decided.headers.get('location')!)
}

/** Posts a form to the token endpoint. */
export function tokenRequest(
  fields: Record<string, string>,
  send: Send = sendToApp,
  origin = BASE,
): Promise<Response> {
  return send(
    new Request(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    }),
  )
}

/** A token response's fields. */
export interface Tokens {
  readonly access_token: string
  readonly refresh_token: string
  readonly token_type: string
  readonly expires_in: number
  readonly scope: string
  readonly resource?: string
}

/** Registers a client, signs `login` in and exchanges the code: a fresh set of tokens. */
export async function signIn(
  login: string,
  options: { scope?: string; send?: Send; origin?: string; jar?: CookieJar } = {},
): Promise<Tokens & { clientId: string }> {
  const send = options.send ?? sendToApp
  const origin = options.origin ?? BASE
  const clientId = await register(send, {}, origin)
  const { verifier, challenge } = await pkce()
  const back = await authorizeAsDev(
    authorizeUrl({ clientId, challenge, scope: options.scope }, origin),
    login,
    options.jar,
    { send, origin },
  )
  const code = back.searchParams.get('code')
  expect(code, `no code in ${back.href}`).toBeTruthy()
  const res = await tokenRequest(
    {
      grant_type: 'authorization_code',
      code: code!,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
    },
    send,
    origin,
  )
  expect(res.status).toBe(200)
  return { ...((await res.json()) as Tokens), clientId }
}
