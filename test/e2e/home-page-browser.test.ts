import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserSuite, HAS_CHROMIUM, launchChromium } from './chromium'
import { useDevServer } from './dev-server'

/** How long requests the browser makes on its own after the load (a favicon) get to arrive. */
const SETTLE_MS = 500
const SUITE = browserSuite('the home page in headless Chromium')

/** The requests the server logged (the logger plugin's `"type":"http"` lines), in order. */
function loggedRequests(output: string): string[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return []
    const entry = JSON.parse(line) as { type?: string; method?: string; path?: string }
    return entry.type === 'http' ? [`${entry.method} ${entry.path}`] : []
  })
}

/** The requests the server logs after the first `before` ones, once `GET /` is among them. */
async function requestsAfter(output: () => string, before: number): Promise<string[]> {
  const deadline = Date.now() + 10_000
  while (!loggedRequests(output()).slice(before).includes('GET /') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  return loggedRequests(output()).slice(before)
}

/** The policy the page is served with, but for its per-response style nonce. */
const CSP =
  /^default-src 'none'; style-src 'nonce-[A-Za-z0-9+/]{22}=='; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/

/** What `tools/list` returns at `baseUrl`, asked with `headers`. */
async function listToolNames(baseUrl: string, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'e2e-home-page', version: '0.0.1' })
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
    requestInit: { headers },
  })
  await client.connect(transport)
  const names = (await client.listTools()).tools.map((tool) => tool.name)
  const info = client.getServerVersion()!
  await client.close()
  return { names, info }
}

/** A page that keeps every console message it logs (CSP violations are logged as errors). */
async function openTab(context: BrowserContext): Promise<{ page: Page; console: string[] }> {
  const page = await context.newPage()
  const console: string[] = []
  page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`))
  return { page, console }
}

describe.skipIf(!HAS_CHROMIUM)(SUITE, () => {
  const dev = useDevServer()
  let browser: Browser | undefined
  let page: Page
  let serverInfo: { name: string; version: string }
  let toolNames: string[]
  /** Every URL the page requested, in order. */
  const requested: string[] = []
  /** What the page logged on the console. */
  let logged: string[]
  let csp: string | undefined
  /**
   * Every request the server got from the browser: Chromium fetches a favicon on its own, and
   * playwright's `request` event never shows that one.
   */
  let served: string[]

  beforeAll(async () => {
    const { baseUrl } = dev()
    // What the server offers, asked over MCP first, so nothing below is hard-coded.
    const listed = await listToolNames(baseUrl)
    serverInfo = listed.info
    toolNames = listed.names

    // playwright's launch gives the browser a fresh temporary profile (--user-data-dir) itself.
    browser = await launchChromium()
    const tab = await openTab(await browser.newContext())
    page = tab.page
    logged = tab.console
    page.on('request', (request) => requested.push(request.url()))
    const before = loggedRequests(dev().output()).length
    const response = await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' })
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-type']).toBe('text/html; charset=UTF-8')
    csp = response?.headers()['content-security-policy']
    served = await requestsAfter(() => dev().output(), before)
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('shows the server’s name and version', async () => {
    expect(await page.title()).toBe(`${serverInfo.name} ${serverInfo.version}`)
    expect(await page.locator('h1').innerText()).toBe(`${serverInfo.name} ${serverInfo.version}`)
    expect(await page.textContent('body')).toContain(serverInfo.name)
  })

  it('lists /mcp with the protocol versions it serves, /sse and /health', async () => {
    const rows = await page.locator('#endpoints tbody tr').allInnerTexts()
    expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
      '/mcp Streamable HTTP (POST, GET, DELETE) 2026-07-28 (stateless, no session); 2025-11-25, 2025-06-18, 2025-03-26 (sessions)',
      '/sse, /messages HTTP+SSE (deprecated) 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05',
      '/health discovery JSON (also /, for clients that are not browsers)',
    ])
  })

  it('lists the tools tools/list returns', async () => {
    expect(toolNames.length).toBeGreaterThan(0)
    const names = await page.locator('#tools tbody tr td:first-child').allInnerTexts()
    expect(names).toEqual(toolNames)
    expect(await page.textContent('body')).toContain(toolNames[0])
  })

  it('shows the Inspector commands and the other configs for the page’s own origin', async () => {
    const mcp = `${dev().baseUrl}/mcp`
    expect(await page.locator('#inspector pre code').innerText()).toBe(
      `npx @modelcontextprotocol/inspector@latest --transport http --server-url ${mcp}`,
    )
    expect(await page.locator('#inspector-cli pre code').innerText()).toBe(
      `npx @modelcontextprotocol/inspector@latest --cli ${mcp} --method tools/list`,
    )
    expect(await page.locator('#claude-code code').innerText()).toBe(
      `claude mcp add --transport http ${serverInfo.name} ${mcp}`,
    )
    expect(JSON.parse(await page.locator('#claude-desktop code').innerText())).toEqual({
      mcpServers: { [serverInfo.name]: { command: 'npx', args: ['-y', 'mcp-remote', mcp] } },
    })
    expect(await page.locator('#auth h2').innerText()).toBe('Authentication: none')
  })

  it('requested nothing but the page itself, not even a favicon', () => {
    expect(requested).toEqual([`${dev().baseUrl}/`])
    expect(served).toEqual(['GET /'])
  })

  it('came with its policy, broke none of it (an empty console), and its style applies', async () => {
    expect(csp).toMatch(CSP)
    expect(logged).toEqual([])
    const styled = await page.evaluate(() => ({
      maxWidth: getComputedStyle(document.body).maxWidth,
      pre: getComputedStyle(document.querySelector('pre')!).borderRadius,
    }))
    // 60rem and 0.4rem of the page's own stylesheet, at the default 16 px font size.
    expect(styled).toEqual({ maxWidth: '960px', pre: '6.4px' })
  })

  it('runs no script put into it: the policy refuses it', async () => {
    const { page: tab, console } = await openTab(page.context())
    await tab.goto(`${dev().baseUrl}/`)
    await tab.evaluate(() => {
      const script = document.createElement('script')
      script.textContent = 'document.body.dataset.injected = "ran"'
      document.body.append(script)
    })
    expect(await tab.evaluate(() => document.body.dataset.injected ?? 'blocked')).toBe('blocked')
    expect(console.join('\n')).toMatch(
      /inline script.* violates the following Content Security Policy directive:? .default-src 'none'/,
    )
    await tab.close()
  })

  it('may not be framed by another page', async () => {
    const { page: tab, console } = await openTab(page.context())
    await tab.setContent(`<iframe src="${dev().baseUrl}/"></iframe>`)
    await expect
      .poll(() => console.join('\n'))
      .toMatch(
        /(Refused to frame|Framing) '.+' .*violates the following Content Security Policy directive: "frame-ancestors 'none'"/,
      )
    const frame = tab.frames()[1]
    expect(await frame?.evaluate(() => document.title).catch(() => 'no document')).not.toBe(
      `${serverInfo.name} ${serverInfo.version}`,
    )
    await tab.close()
  })
})

describe.skipIf(!HAS_CHROMIUM)(`${SUITE}, with bearer auth on`, () => {
  const dev = useDevServer({ args: ['--var', 'AUTH_TOKENS:alice:tokA'] })
  let browser: Browser | undefined
  let toolNames: string[]

  beforeAll(async () => {
    toolNames = (await listToolNames(dev().baseUrl, { authorization: 'Bearer tokA' })).names
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('a browser (no token) sees the server and no tool’s name, and is told why', async () => {
    const { page, console } = await openTab(await browser!.newContext())
    const response = await page.goto(`${dev().baseUrl}/`)
    expect(response?.status()).toBe(200)
    expect(await page.locator('h1').innerText()).toContain('mcp-workers-demo')
    expect(await page.locator('#tools').count()).toBe(0)
    const body = await page.locator('body').innerText()
    expect(toolNames.length).toBeGreaterThan(0)
    expect(toolNames.filter((name) => new RegExp(`\\b${name}\\b`).test(body))).toEqual([])
    expect(await page.locator('#catalog-withheld').innerText()).toContain(
      'its tools, resources and prompts are listed to signed-in clients',
    )
    expect(await page.locator('#auth h2').innerText()).toBe('Authentication: bearer')
    expect(console).toEqual([])
  })

  it('a browser that sends a valid token sees every tool tools/list returns', async () => {
    const context = await browser!.newContext({
      extraHTTPHeaders: { authorization: 'Bearer tokA' },
    })
    const { page, console } = await openTab(context)
    await page.goto(`${dev().baseUrl}/`)
    expect(await page.locator('#tools tbody tr td:first-child').allInnerTexts()).toEqual(toolNames)
    expect(await page.locator('#catalog-withheld').count()).toBe(0)
    expect(console).toEqual([])
  })
})
