/**
 * The home page in a real browser: headless Chromium (Debian's, at /usr/bin/chromium, driven by
 * playwright-core) opens `/` of `npm start`, negotiates the HTML page with its own `Accept`, and
 * shows the server, its endpoints, what `tools/list` returns and the client configs for that
 * origin, having fetched nothing but the page itself. Without /usr/bin/chromium the suite is
 * skipped, and its name says how to install it (.ci/run does).
 */
import fs from 'node:fs'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDevServer } from './dev-server'

const CHROMIUM = '/usr/bin/chromium'
/** Headless, and quiet: nothing on the network but what the page asks for. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const HAS_CHROMIUM = fs.existsSync(CHROMIUM)
/** How long requests the browser makes on its own after the load (a favicon) get to arrive. */
const SETTLE_MS = 500
const SUITE = HAS_CHROMIUM
  ? 'the home page in headless Chromium'
  : `the home page in headless Chromium (skipped: ${CHROMIUM} is missing; install it with \`sudo apt-get install -y chromium\`)`

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

describe.skipIf(!HAS_CHROMIUM)(SUITE, () => {
  const dev = useDevServer()
  let browser: Browser | undefined
  let page: Page
  let serverInfo: { name: string; version: string }
  let toolNames: string[]
  /** Every URL the page requested, in order. */
  const requested: string[] = []
  /**
   * Every request the server got from the browser: Chromium fetches a favicon on its own, and
   * playwright's `request` event never shows that one.
   */
  let served: string[]

  beforeAll(async () => {
    const { baseUrl } = dev()
    // What the server offers, asked over MCP first, so nothing below is hard-coded.
    const client = new Client({ name: 'e2e-home-page', version: '0.0.1' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`)))
    serverInfo = client.getServerVersion()!
    toolNames = (await client.listTools()).tools.map((tool) => tool.name)
    await client.close()

    // playwright's launch gives the browser a fresh temporary profile (--user-data-dir) itself.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    page = await (await browser.newContext()).newPage()
    page.on('request', (request) => requested.push(request.url()))
    const before = loggedRequests(dev().output()).length
    const response = await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' })
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-type']).toBe('text/html; charset=UTF-8')
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
      '/sse, /messages legacy HTTP+SSE (deprecated) 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05',
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
    expect(await page.locator('#inspector code').innerText()).toBe(
      `npx @modelcontextprotocol/inspector --transport http --server-url ${mcp}`,
    )
    expect(await page.locator('#inspector-cli code').innerText()).toBe(
      `npx @modelcontextprotocol/inspector --cli ${mcp} --method tools/list`,
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
})
