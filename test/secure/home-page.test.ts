/**
 * The home page behind the OAuth resource-server plugin: `tools/list` needs a valid access token,
 * and so does the page's catalogue. Without one (a browser sends none) the page shows the
 * server, its endpoints and its auth mode only; with one, every tool, resource and prompt. The
 * token is checked by the plugin's own middleware (signature, issuer, audience, expiry).
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { server } from '../fixtures/app/server'
import worker from '../fixtures/secure/worker'
import {
  BROWSER_ACCEPT,
  CATALOG_SECTIONS,
  catalogNames,
  expectPageHeaders,
  namesIn,
  rowNames,
  section,
  sectionIds,
  textOf,
  WITHHELD_SECTIONS,
} from '../helpers/home-page'
import { BASE, fetchApp, MSG, postMcp } from '../helpers/requests'
import { auth, type TokenOptions } from '../helpers/tokens'

const NAMES = catalogNames(server)

/** A browser's `GET /`, with `headers` added: the answer and its page, headers checked. */
async function openPage(headers: Record<string, string> = {}): Promise<string> {
  const res = await fetchApp('/', { headers: { accept: BROWSER_ACCEPT, ...headers } })
  expect(res.status).toBe(200)
  expect(res.headers.get('www-authenticate')).toBeNull()
  const page = await res.text()
  expectPageHeaders(res, page)
  return page
}

describe('the home page with OAuth on', () => {
  it('without a token: the server, its endpoints and auth mode, and no tool, resource or prompt name', async () => {
    expect(NAMES.length).toBeGreaterThan(0)
    const page = await openPage()
    expect(namesIn(page, NAMES)).toEqual([])
    expect(sectionIds(page).slice(0, 2)).toEqual(WITHHELD_SECTIONS)
    expect(page).toContain(`<title>${server.name} ${server.version}</title>`)
    expect(textOf(section(page, 'endpoints'))).toContain('/mcp Streamable HTTP')
    expect(textOf(section(page, 'auth'))).toContain('Authentication: oauth OAuth 2.1')
    expect(textOf(section(page, 'catalog-withheld'))).toContain(
      'This server requires authentication ( oauth ): its tools, resources and prompts are listed to signed-in clients',
    )
  })

  it('and tools/list without a token is refused, as the page says', async () => {
    const res = await postMcp(MSG.initialize())
    expect(res.status).toBe(401)
    await res.body?.cancel()
  })

  it.each<[string, TokenOptions]>([
    ['expired', { expiresIn: -120 }],
    ['not yet valid', { notBefore: 600 }],
    ['for another resource', { audience: 'https://other.example' }],
    ['from another issuer', { issuer: 'https://evil.example' }],
    ['signed by an unknown key', { untrusted: true }],
  ])('a token %s: the same page, no name', async (_what, options) => {
    const page = await openPage(await auth('alice', options))
    expect(sectionIds(page).slice(0, 2)).toEqual(WITHHELD_SECTIONS)
    expect(namesIn(page, NAMES)).toEqual([])
  })

  it('a valid token: every tool, resource and prompt, as tools/list gives them', async () => {
    const page = await openPage(await auth('alice'))
    expect(sectionIds(page).slice(0, CATALOG_SECTIONS.length)).toEqual(CATALOG_SECTIONS)
    expect(namesIn(page, NAMES)).toEqual(NAMES)
    const init = await postMcp(MSG.initialize(), await auth('alice'))
    const sessionId = init.headers.get('mcp-session-id')!
    await init.text()
    const headers = { ...(await auth('alice')), 'mcp-session-id': sessionId }
    await (await postMcp(MSG.initialized, headers)).text()
    const list = await postMcp(MSG.toolsList(), headers)
    const { result } = (await list.json()) as { result: { tools: { name: string }[] } }
    expect(rowNames(page, 'tools')).toEqual(result.tools.map((tool) => tool.name))
  })

  it('HOME_PAGE_CATALOG=public: every name, without a token', async () => {
    const request = new Request(`${BASE}/`, { headers: { accept: BROWSER_ACCEPT } })
    const res = await worker.fetch(request, { ...env, HOME_PAGE_CATALOG: 'public' })
    const page = await res.text()
    expectPageHeaders(res, page)
    expect(sectionIds(page).slice(0, CATALOG_SECTIONS.length)).toEqual(CATALOG_SECTIONS)
    expect(namesIn(page, NAMES)).toEqual(NAMES)
  })
})
