/**
 * @module
 * An access token from a running app's OAuth authorization server (`OAUTH_IDENTITY=dev`), got
 * the way a client gets one: dynamic registration, `/authorize` with PKCE, the local sign-in,
 * the consent page's Allow, the code exchange. For the bench's auth rows.
 */
import crypto from 'node:crypto'

const REDIRECT_URI = 'http://127.0.0.1:9/callback'

/** Cookies set so far, as one `Cookie` header (the library binds each step to the browser). */
class Cookies {
  readonly #jar = new Map<string, string>()

  take(res: Response): void {
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? ''
      const eq = pair.indexOf('=')
      this.#jar.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
  }

  header(): string {
    return [...this.#jar].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

function field(page: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1]
  if (value === undefined) throw new Error(`sign-in: the page has no ${name} field`)
  return value
}

async function expectStatus(res: Response, status: number, step: string): Promise<Response> {
  if (res.status !== status) {
    throw new Error(`sign-in: ${step} answered ${res.status}: ${(await res.text()).slice(0, 300)}`)
  }
  return res
}

/** Signs `login` in at `baseUrl` and returns an access token. */
export async function oauthAccessToken(baseUrl: string, login = 'bench'): Promise<string> {
  const cookies = new Cookies()
  const get = async (url: string) => {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookies.header() } })
    cookies.take(res)
    return res
  }
  const registered = await expectStatus(
    await fetch(`${baseUrl}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'bench',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'none',
      }),
    }),
    201,
    'registration',
  )
  const { client_id: clientId } = (await registered.json()) as { client_id: string }
  const verifier = crypto.randomBytes(32).toString('base64url')
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url')
  const authorize = new URL(`${baseUrl}/authorize`)
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'bench',
  })) {
    authorize.searchParams.set(name, value)
  }
  const signIn = await (await expectStatus(await get(authorize.href), 200, '/authorize')).text()
  const callback = `${baseUrl}/oauth/callback?state=${field(signIn, 'state')}&login=${login}`
  const consent = await (await expectStatus(await get(callback), 200, 'the sign-in')).text()
  const decided = await fetch(`${baseUrl}/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookies.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      handle: field(consent, 'handle'),
      proof: field(consent, 'proof'),
      decision: 'approve',
    }),
  })
  await expectStatus(decided, 302, 'the consent')
  const code = new URL(decided.headers.get('location') ?? '').searchParams.get('code') ?? ''
  const exchanged = await expectStatus(
    await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
      }),
    }),
    200,
    'the code exchange',
  )
  return ((await exchanged.json()) as { access_token: string }).access_token
}
