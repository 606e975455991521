import http from 'node:http'
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
  type OAuthClientProvider,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
  UnauthorizedError,
} from '@modelcontextprotocol/client'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserSuite, HAS_CHROMIUM, launchChromium } from './chromium'
import { INITIALIZE, MCP_POST_HEADERS, useDevServer } from './dev-server'

const SUITE = browserSuite('signing in through the browser')

/** A loopback HTTP server that takes the authorization redirect, as native clients run. */
interface CallbackServer {
  readonly url: string
  /** The query of the next redirect it receives. */
  next(): Promise<URLSearchParams>
  close(): Promise<void>
}

async function callbackServer(): Promise<CallbackServer> {
  const waiting: Array<(params: URLSearchParams) => void> = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in; you can close this tab.')
    if (url.pathname === '/callback') waiting.shift()?.(url.searchParams)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/callback`,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** What one walk through the browser saw. */
interface Walk {
  readonly consentTitle: string
  readonly consentText: string
  readonly callback: URLSearchParams
  /** Every URL the browser requested, in order. */
  readonly requested: readonly string[]
}

/**
 * An OAuth client provider (both SDKs' shape) whose user agent is a Chromium page: it signs in
 * with the local sign-in as `login` and clicks Allow. It keeps what it is given in memory.
 */
class BrowserClient implements OAuthClientProvider {
  clientInfo: StoredOAuthClientInformation | undefined
  saved: StoredOAuthTokens | undefined
  walks: Walk[] = []
  #verifier = ''

  constructor(
    readonly page: () => Page,
    readonly callbacks: CallbackServer,
    readonly login: string,
    readonly name: string,
  ) {}

  get redirectUrl() {
    return this.callbacks.url
  }

  get clientMetadata() {
    return {
      client_name: this.name,
      redirect_uris: [this.callbacks.url],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }
  }

  clientInformation() {
    return this.clientInfo
  }

  saveClientInformation(info: StoredOAuthClientInformation) {
    this.clientInfo = info
  }

  tokens() {
    return this.saved
  }

  saveTokens(tokens: StoredOAuthTokens) {
    this.saved = tokens
  }

  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier
  }

  codeVerifier() {
    return this.#verifier
  }

  /** Where the SDK last sent the user (it expects the app to open the browser there). */
  pending: URL | undefined

  redirectToAuthorization(url: URL) {
    this.pending = url
  }

  /** Opens the pending authorization in the browser: signs in, allows; returns the redirect. */
  async signInInBrowser(): Promise<URLSearchParams> {
    const url = this.pending
    if (url === undefined) throw new Error('the SDK sent the user nowhere')
    this.pending = undefined
    const page = this.page()
    const requested: string[] = []
    const track = (request: { url(): string }) => requested.push(request.url())
    page.on('request', track)
    try {
      await page.goto(url.href)
      expect(await page.title()).toBe('Sign in (local development)')
      await page.fill('input[name="login"]', this.login)
      await Promise.all([
        page.waitForURL(/\/oauth\/callback\?/),
        page.click('button[type="submit"]'),
      ])
      const consentTitle = await page.title()
      const consentText = await page.locator('main').innerText()
      const [callback] = await Promise.all([
        this.callbacks.next(),
        page.click('button[value="approve"]'),
      ])
      await page.waitForLoadState()
      this.walks.push({ consentTitle, consentText, callback, requested })
      return callback
    } finally {
      page.off('request', track)
    }
  }
}

describe.skipIf(!HAS_CHROMIUM)(SUITE, () => {
  const dev = useDevServer({ args: ['--var', 'OAUTH_IDENTITY:dev'] })
  let browser: Browser | undefined
  let page: Page
  let callbacks: CallbackServer
  /** The SDK v2 client's provider, signed in as ada by the first test. */
  let ada: BrowserClient

  const mcpUrl = (origin = dev().baseUrl) => new URL(`${origin}/mcp`)
  const rawPost = (token: string, body: unknown = INITIALIZE, origin = dev().baseUrl) =>
    fetch(`${origin}/mcp`, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    })
  const tokenEndpoint = (fields: Record<string, string>) =>
    fetch(`${dev().baseUrl}/oauth/token`, { method: 'POST', body: new URLSearchParams(fields) })

  /** Connects the SDK v2 client, signing in through the browser first when it must. */
  async function connectModern(provider: BrowserClient, mode: 'pin' | 'legacy', origin?: string) {
    const options = mode === 'pin' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}
    const connect = async () => {
      const client = new ModernClient({ name: `e2e-oauth-${mode}`, version: '0.0.1' }, options)
      await client.connect(new ModernTransport(mcpUrl(origin), { authProvider: provider }))
      return client
    }
    if (provider.saved !== undefined) return connect()
    const transport = new ModernTransport(mcpUrl(origin), { authProvider: provider })
    const first = new ModernClient({ name: 'e2e-oauth-sign-in', version: '0.0.1' }, options)
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError)
    await transport.finishAuth(await provider.signInInBrowser())
    return connect()
  }

  beforeAll(async () => {
    callbacks = await callbackServer()
    browser = await launchChromium()
    page = await (await browser.newContext()).newPage()
    ada = new BrowserClient(() => page, callbacks, 'ada', 'E2E SDK v2 Client')
  })

  afterAll(async () => {
    await browser?.close()
    await callbacks?.close()
  })

  it('SDK v2: discovers, registers by DCR, signs in in the browser, calls a tool (2026-07-28)', async () => {
    const client = await connectModern(ada, 'pin')
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28')
    expect(await client.callTool({ name: 'echo', arguments: { text: 'signed in' } })).toMatchObject(
      {
        content: [{ type: 'text', text: 'signed in' }],
      },
    )
    await client.close()

    expect(ada.clientInfo?.client_id).toMatch(/^\S{8,}$/)
    const [walk] = ada.walks
    expect(walk?.consentTitle).toBe('Allow E2E SDK v2 Client?')
    expect(walk?.consentText).toContain('Signed in as ada (dev:ada).')
    expect(walk?.consentText).toContain('Access will be sent to 127.0.0.1.')
    expect(walk?.callback.get('iss')).toBe(dev().baseUrl)
    expect(walk?.callback.get('code')).toMatch(/^dev%3Aada:/)
    // The pages loaded nothing but themselves: the sign-in, its callback, the consent post and
    // the redirect to the client.
    const base = dev().baseUrl
    expect(walk?.requested.map((url) => new URL(url).origin + new URL(url).pathname)).toEqual([
      `${base}/authorize`,
      `${base}/oauth/callback`,
      `${base}/authorize`,
      callbacks.url,
    ])
    // The server logged the calls as the signed-in user's.
    expect(dev().output()).toMatch(/"principal":"dev:ada"/)
  })

  it('SDK v2: the same tokens open a session (2025-11-25) and call tools there', async () => {
    const client = await connectModern(ada, 'legacy')
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25')
    expect(await client.callTool({ name: 'echo', arguments: { text: 'in a session' } })).toEqual({
      content: [{ type: 'text', text: 'in a session' }],
    })
    await client.close()
    expect(ada.walks).toHaveLength(1)
  })

  it('a refresh gives a new access token, which works', async () => {
    const res = await tokenEndpoint({
      grant_type: 'refresh_token',
      refresh_token: ada.saved!.refresh_token!,
      client_id: ada.clientInfo!.client_id,
    })
    expect(res.status).toBe(200)
    const fresh = (await res.json()) as { access_token: string; refresh_token: string }
    expect(fresh.access_token).not.toBe(ada.saved!.access_token)
    const call = await rawPost(fresh.access_token)
    expect(call.status).toBe(200)
    await call.body?.cancel()
    ada.saveTokens({ ...ada.saved!, ...fresh })
  })

  it('a revoked token → 401', async () => {
    const { access_token } = ada.saved!
    const revoked = await tokenEndpoint({
      token: access_token,
      client_id: ada.clientInfo!.client_id,
    })
    expect(revoked.status).toBe(200)
    const res = await rawPost(access_token)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
    await res.body?.cancel()
  })

  it('a token for another resource (signed in at localhost) → 401 at 127.0.0.1', async () => {
    const origin = dev().baseUrl.replace('127.0.0.1', 'localhost')
    const elsewhere = new BrowserClient(() => page, callbacks, 'ada', 'E2E Other Origin')
    const client = await connectModern(elsewhere, 'pin', origin)
    await client.close()
    const token = elsewhere.saved!.access_token
    const there = await rawPost(token, INITIALIZE, origin)
    expect(there.status).toBe(200)
    await there.body?.cancel()
    const here = await rawPost(token)
    expect(here.status).toBe(401)
    expect(here.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${dev().baseUrl}/.well-known/oauth-protected-resource", scope="mcp", error="invalid_token"`,
    )
    await here.body?.cancel()
  })

  it('SDK v1 over /sse: signs in in the browser and calls a tool', async () => {
    const grace = new BrowserClient(() => page, callbacks, 'grace', 'E2E SDK v1 SSE Client')
    const url = new URL(`${dev().baseUrl}/sse`)
    const first = new SSEClientTransport(url, { authProvider: grace })
    await expect(new Client({ name: 'e2e-v1', version: '1' }).connect(first)).rejects.toThrow(
      'Unauthorized',
    )
    await first.finishAuth((await grace.signInInBrowser()).get('code')!)
    const client = new Client({ name: 'e2e-v1', version: '1' })
    await client.connect(new SSEClientTransport(url, { authProvider: grace }))
    expect(await client.callTool({ name: 'echo', arguments: { text: 'over sse' } })).toEqual({
      content: [{ type: 'text', text: 'over sse' }],
    })
    await client.close()
    expect(grace.walks[0]?.consentText).toContain('Signed in as grace (dev:grace).')
    expect(dev().output()).toMatch(/"principal":"dev:grace"/)
  })
})
