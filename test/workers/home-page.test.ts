/**
 * The home page: `GET /` from a browser (an `Accept` that ranks `text/html` above JSON) gets a
 * self-contained HTML page about the server, built from its definition; every other client, and
 * every `GET /health`, gets the discovery JSON exactly as before. Nothing the definition says is
 * ever markup, and no token is ever printed.
 */
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { homePage } from '../../routes/home-page'
import { defineMcpServer, resourceTemplate } from '../../src/define-mcp-server'
import { serverEntries } from '../../src/server-entries'
import { readSessionConfig } from '../../src/session-config'
import worker from '../fixtures/app/index'
import { server } from '../fixtures/app/server'
import { HEALTH } from '../helpers/discovery'
import {
  BROWSER_ACCEPT,
  BROWSERS,
  CATALOG_SECTIONS,
  catalogNames,
  codeIn,
  expectPageHeaders,
  namesIn,
  rowNames,
  section,
  sectionIds,
  textOf,
  WITHHELD_SECTIONS,
} from '../helpers/home-page'
import { BASE, fetchApp } from '../helpers/requests'

const TOKENS = { AUTH_TOKENS: 'alice:tokA,bob:tokB' }

/** Calls the test app with extra vars (as test/workers/security.test.ts does). */
function call(url: string, init: RequestInit, vars: Record<string, string>): Promise<Response> {
  return Promise.resolve(worker.fetch(new Request(url, init), { ...env, ...vars }))
}

/** The page a browser gets at `url`, checked to be the HTML page. */
async function browse(url = `${BASE}/`, vars?: Record<string, string>): Promise<string> {
  const init = { headers: { accept: BROWSER_ACCEPT } }
  const res = await (vars ? call(url, init, vars) : exports.default.fetch(new Request(url, init)))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8')
  return res.text()
}

describe('GET / from a browser', () => {
  it.each(BROWSERS)('%s → the HTML page, with no-store and Vary: Accept', async (_name, accept) => {
    const res = await fetchApp('/', { headers: { accept } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('vary')).toBe('Accept')
    expect(await res.text()).toMatch(/^<!doctype html>\n<html lang="en">/)
  })

  it('a browser with an Origin gets CORS’s Vary: Origin beside Accept', async () => {
    const res = await fetchApp('/', {
      headers: { accept: BROWSER_ACCEPT, origin: 'http://localhost:6274' },
    })
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8')
    expect(res.headers.get('vary')).toBe('Accept, Origin')
  })

  it('names the server and its version', async () => {
    const page = await browse()
    expect(page).toContain(`<title>${server.name} ${server.version}</title>`)
    expect(page).toContain(`<h1>${server.name} <span class="version">${server.version}</span></h1>`)
  })

  it('lists every endpoint with the protocol versions it serves', async () => {
    const text = textOf(section(await browse(), 'endpoints'))
    expect(text).toContain(
      '/mcp Streamable HTTP (POST, GET, DELETE) 2026-07-28 (stateless, no session); ' +
        '2025-11-25, 2025-06-18, 2025-03-26 (sessions)',
    )
    expect(text).toContain(
      '/sse , /messages HTTP+SSE (deprecated) 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05',
    )
    expect(text).toContain('/health discovery JSON')
  })

  it('lists every tool, resource, template and prompt the definition registers, in order', async () => {
    const page = await browse()
    const entries = serverEntries(server)
    const uris = entries.resources.filter((entry) => 'uri' in entry)
    const templates = entries.resources.filter((entry) => 'template' in entry)
    expect(entries.tools.length).toBeGreaterThan(0)
    expect(rowNames(page, 'tools')).toEqual(entries.tools.map((tool) => tool.name))
    expect(rowNames(page, 'resources')).toEqual(uris.map((entry) => entry.name))
    expect(rowNames(page, 'resource-templates')).toEqual(templates.map((entry) => entry.name))
    expect(rowNames(page, 'prompts')).toEqual(entries.prompts.map((prompt) => prompt.name))
    expect(section(page, 'tools')).toContain(`(${entries.tools.length})`)
    for (const tool of entries.tools) {
      // Code spans (`…`) show as <code>: the text has the words without the backticks.
      const words = tool.config.description?.replace(/[`\s]/g, '')
      if (words) expect(textOf(page).replace(/\s/g, '')).toContain(words)
    }
  })

  it.each([
    [`${BASE}/`, BASE, {}],
    ['http://localhost:9999/', 'http://localhost:9999', {}],
    ['https://mcp.example.com/', 'https://mcp.example.com', { ALLOWED_HOSTS: 'mcp.example.com' }],
  ])('at %s, every config points at that origin’s /mcp', async (url, origin, vars) => {
    const page = await browse(url, vars)
    const mcp = `${origin}/mcp`
    expect(codeIn(page, 'inspector')).toBe(
      `npx @modelcontextprotocol/inspector@latest --transport http --server-url ${mcp}`,
    )
    expect(codeIn(page, 'inspector-cli')).toBe(
      `npx @modelcontextprotocol/inspector@latest --cli ${mcp} --method tools/list`,
    )
    expect(JSON.parse(codeIn(page, 'claude-desktop'))).toEqual({
      mcpServers: { [server.name]: { command: 'npx', args: ['-y', 'mcp-remote', mcp] } },
    })
    expect(codeIn(page, 'claude-code')).toBe(
      `claude mcp add --transport http ${server.name} ${mcp}`,
    )
    expect(codeIn(page, 'sdk')).toBe(
      [
        "import { Client } from '@modelcontextprotocol/sdk/client/index.js'",
        "import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'",
        '',
        `const transport = new StreamableHTTPClientTransport(new URL('${mcp}'))`,
        "const client = new Client({ name: 'my-client', version: '1.0.0' })",
        'await client.connect(transport)',
        'console.log(await client.listTools())',
        'await client.close()',
      ].join('\n'),
    )
    expect(codeIn(page, 'sdk-v2')).toBe(
      [
        "import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'",
        '',
        'const client = new Client(',
        "  { name: 'my-client', version: '1.0.0' },",
        "  { versionNegotiation: { mode: { pin: '2026-07-28' } } },",
        ')',
        `await client.connect(new StreamableHTTPClientTransport(new URL('${mcp}')))`,
        'console.log(await client.listTools())',
        'await client.close()',
      ].join('\n'),
    )
    expect(codeIn(page, 'sse-inspector')).toBe(
      `npx @modelcontextprotocol/inspector@latest --cli ${origin}/sse --transport sse --method tools/list`,
    )
    expect(JSON.parse(codeIn(page, 'sse-mcp-remote'))).toEqual({
      mcpServers: {
        [server.name]: {
          command: 'npx',
          args: ['-y', 'mcp-remote', `${origin}/sse`, '--transport', 'sse-only'],
        },
      },
    })
  })

  it('loads nothing else: no script, stylesheet, font or image URL, and a data: favicon', async () => {
    const page = await browse()
    expect(page).not.toMatch(/<script|<img|<iframe|@import|\burl\(/)
    expect([...page.matchAll(/<link [^>]*>/g)].map((link) => link[0])).toEqual([
      '<link rel="icon" href="data:,">',
    ])
    expect([...page.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((ref) => ref[1])).toEqual([
      'data:,',
      '/health',
    ])
  })
})

describe('the auth mode on the page', () => {
  it('none: says so, and no config mentions Authorization', async () => {
    const page = await browse(`${BASE}/`, {})
    expect(textOf(section(page, 'auth'))).toBe(
      ' Authentication: none No authentication: any client may connect. ',
    )
    expect(page).not.toContain('Authorization')
  })

  it('bearer: every config shows where Authorization: Bearer <token> goes, never a token', async () => {
    const page = await browse(`${BASE}/`, TOKENS)
    const mcp = `${BASE}/mcp`
    expect(textOf(section(page, 'auth'))).toContain(
      'Authentication: bearer Bearer tokens: every request to the MCP endpoints carries Authorization: Bearer <token> .',
    )
    expect(textOf(section(page, 'inspector'))).toContain(
      'Under Authentication , add the header Authorization with the value Bearer <token> , then connect.',
    )
    expect(codeIn(page, 'inspector-cli')).toBe(
      `npx @modelcontextprotocol/inspector@latest --cli ${mcp} --method tools/list --header "Authorization: Bearer <token>"`,
    )
    expect(JSON.parse(codeIn(page, 'claude-desktop'))).toEqual({
      mcpServers: {
        [server.name]: {
          command: 'npx',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote's syntax, not ours
          args: ['-y', 'mcp-remote', mcp, '--header', 'Authorization:${AUTH_HEADER}'],
          env: { AUTH_HEADER: 'Bearer <token>' },
        },
      },
    })
    expect(codeIn(page, 'claude-code')).toBe(
      `claude mcp add --transport http ${server.name} ${mcp} --header "Authorization: Bearer <token>"`,
    )
    expect(codeIn(page, 'sdk')).toContain(
      [
        `const transport = new StreamableHTTPClientTransport(new URL('${mcp}'), {`,
        "  requestInit: { headers: { Authorization: 'Bearer <token>' } },",
        '})',
      ].join('\n'),
    )
    expect(codeIn(page, 'sdk-v2')).toContain(
      [
        `await client.connect(new StreamableHTTPClientTransport(new URL('${mcp}'), {`,
        "  requestInit: { headers: { Authorization: 'Bearer <token>' } },",
        '}))',
      ].join('\n'),
    )
    expect(codeIn(page, 'sse-inspector')).toBe(
      `npx @modelcontextprotocol/inspector@latest --cli ${BASE}/sse --transport sse --method tools/list --header "Authorization: Bearer <token>"`,
    )
    const sseArgs = JSON.parse(codeIn(page, 'sse-mcp-remote')).mcpServers[server.name].args
    // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote's syntax, not ours
    const header = 'Authorization:${AUTH_HEADER}'
    expect(sseArgs).toEqual([
      '-y',
      'mcp-remote',
      `${BASE}/sse`,
      '--transport',
      'sse-only',
      '--header',
      header,
    ])
    for (const secret of ['tokA', 'tokB', 'alice:', 'bob:']) expect(page).not.toContain(secret)
  })
})

describe('every other client gets the discovery JSON, unchanged', () => {
  it.each([
    ['/', 'no Accept', undefined, 'Accept'],
    ['/', '*/*', '*/*', 'Accept'],
    ['/', 'application/json', 'application/json', 'Accept'],
    ['/', 'JSON ranked first', 'application/json, text/html', 'Accept'],
    ['/', 'HTML ranked lower', 'text/html;q=0.5, application/json', 'Accept'],
    ['/', 'an MCP client', 'application/json, text/event-stream', 'Accept'],
    ['/health', 'no Accept', undefined, null],
    ['/health', 'a browser', BROWSER_ACCEPT, null],
  ])('GET %s, %s → JSON', async (path, _what, accept, vary) => {
    const res = await fetchApp(path, accept === undefined ? {} : { headers: { accept } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('vary')).toBe(vary)
    expect(await res.json()).toEqual(HEALTH)
  })

  it('with AUTH_TOKENS, /health says bearer, to a browser or not', async () => {
    const accepts: Record<string, string>[] = [{}, { accept: BROWSER_ACCEPT }]
    for (const headers of accepts) {
      const res = await call(`${BASE}/health`, { headers }, TOKENS)
      expect(await res.json()).toEqual({ ...HEALTH, auth: 'bearer' })
    }
  })
})

/** A browser's `GET /` with `vars` and request `headers`: checks the HTML answer, returns its page. */
async function openPage(
  vars: Record<string, string>,
  headers: Record<string, string> = {},
  path = '/',
): Promise<string> {
  const res = await call(
    `${BASE}${path}`,
    { headers: { accept: BROWSER_ACCEPT, ...headers } },
    vars,
  )
  expect(res.status).toBe(200)
  const page = await res.text()
  expectPageHeaders(res, page)
  return page
}

/** The sections every page has after the catalogue (or the note in its place). */
const TAIL_SECTIONS = [
  'auth',
  'connect',
  'inspector',
  'inspector-cli',
  'claude-desktop',
  'claude-code',
  'sdk',
  'sdk-v2',
  'sse-inspector',
  'sse-mcp-remote',
]

describe('the page’s security headers', () => {
  it('a policy that allows its one style by nonce and nothing else, no framing, nosniff, no referrer', async () => {
    const res = await fetchApp('/', { headers: { accept: BROWSER_ACCEPT } })
    const page = await res.text()
    expectPageHeaders(res, page)
    expect(page.match(/<style/g)).toHaveLength(1)
    expect(page).not.toMatch(/\sstyle=|\son[a-z]+=/)
  })

  it('a fresh nonce on every response', async () => {
    const nonces = new Set<string>()
    for (let i = 0; i < 3; i++) {
      const res = await fetchApp('/', { headers: { accept: BROWSER_ACCEPT } })
      nonces.add(expectPageHeaders(res, await res.text()))
    }
    expect(nonces.size).toBe(3)
  })

  it.each([
    ['/', undefined],
    ['/', 'application/json'],
    ['/health', BROWSER_ACCEPT],
  ])('the discovery JSON (GET %s, Accept %s) carries none of them', async (path, accept) => {
    const res = await fetchApp(path, accept === undefined ? {} : { headers: { accept } })
    expect(res.headers.get('content-type')).toBe('application/json')
    for (const name of [
      'content-security-policy',
      'x-frame-options',
      'x-content-type-options',
      'referrer-policy',
    ]) {
      expect(res.headers.get(name)).toBeNull()
    }
  })
})

describe('the catalogue on the page, with bearer auth on', () => {
  const NAMES = catalogNames(server)

  it('without a token: the server, its endpoints and auth mode, and no tool, resource or prompt name', async () => {
    expect(NAMES.length).toBeGreaterThan(0)
    const res = await call(`${BASE}/`, { headers: { accept: BROWSER_ACCEPT } }, TOKENS)
    const page = await res.text()
    expect(namesIn(page, NAMES)).toEqual([])
    expect(sectionIds(page)).toEqual([...WITHHELD_SECTIONS, ...TAIL_SECTIONS])
    expectPageHeaders(res, page)
    expect(page).toContain(`<h1>${server.name} <span class="version">${server.version}</span></h1>`)
    expect(textOf(section(page, 'endpoints'))).toContain('/mcp Streamable HTTP')
    expect(textOf(section(page, 'auth'))).toContain('Authentication: bearer')
    expect(textOf(section(page, 'catalog-withheld'))).toBe(
      ' Tools, resources and prompts This server requires authentication ( bearer ): its tools, resources and prompts are listed to signed-in clients, over MCP ( tools/list , resources/list , prompts/list ) and here to a request that carries a valid token. A browser opening this page sends none. ',
    )
  })

  it.each([
    ['a wrong token', { authorization: 'Bearer tokC' }],
    ['a token of the wrong case', { authorization: 'Bearer TOKA' }],
    ['another scheme', { authorization: 'Basic YWxpY2U6dG9rQQ==' }],
    ['a malformed header', { authorization: 'Bearer' }],
    ['the token under another header', { 'x-authorization': 'Bearer tokA' }],
  ])('with %s: 200, the same page, no name and no challenge', async (_what, headers) => {
    const res = await call(`${BASE}/`, { headers: { accept: BROWSER_ACCEPT, ...headers } }, TOKENS)
    expect(res.status).toBe(200)
    const page = await res.text()
    expectPageHeaders(res, page)
    expect(sectionIds(page)).toEqual([...WITHHELD_SECTIONS, ...TAIL_SECTIONS])
    expect(namesIn(page, NAMES)).toEqual([])
  })

  it('with the token in the query string (never read): no name', async () => {
    const page = await openPage(TOKENS, {}, '/?access_token=tokA')
    expect(namesIn(page, NAMES)).toEqual([])
  })

  it.each(['tokA', 'tokB'])('with a valid token (%s): every name, in order', async (token) => {
    const page = await openPage(TOKENS, { authorization: `Bearer ${token}` })
    const entries = serverEntries(server)
    expect(sectionIds(page)).toEqual([...CATALOG_SECTIONS, ...TAIL_SECTIONS])
    expect(rowNames(page, 'tools')).toEqual(entries.tools.map((tool) => tool.name))
    expect(namesIn(page, NAMES)).toEqual(NAMES)
    expect(page).not.toContain(token)
  })

  it('HOME_PAGE_CATALOG=public: every name, without a token', async () => {
    const page = await openPage({ ...TOKENS, HOME_PAGE_CATALOG: 'public' })
    expect(sectionIds(page)).toEqual([...CATALOG_SECTIONS, ...TAIL_SECTIONS])
    expect(namesIn(page, NAMES)).toEqual(NAMES)
    expect(textOf(section(page, 'auth'))).toContain('Authentication: bearer')
  })

  it('auth off: every name, to a request with no token, whatever HOME_PAGE_CATALOG says', async () => {
    const cases: Record<string, string>[] = [
      {},
      { HOME_PAGE_CATALOG: 'auth' },
      { HOME_PAGE_CATALOG: 'public' },
    ]
    for (const vars of cases) {
      const page = await openPage(vars)
      expect(sectionIds(page)).toEqual([...CATALOG_SECTIONS, ...TAIL_SECTIONS])
      expect(namesIn(page, NAMES)).toEqual(NAMES)
    }
  })

  it('HOME_PAGE_CATALOG defaults to auth; any other value is refused with its name', () => {
    expect(readSessionConfig({}).homePageCatalog).toBe('auth')
    expect(readSessionConfig({ HOME_PAGE_CATALOG: 'public' }).homePageCatalog).toBe('public')
    expect(() => readSessionConfig({ HOME_PAGE_CATALOG: 'everyone' })).toThrow(
      /^Invalid HOME_PAGE_CATALOG: /,
    )
  })
})

describe('HEAD /', () => {
  // Hono answers HEAD with the GET route's headers and no body (there is no refuseHead on the
  // discovery routes: a HEAD here opens nothing).
  it.each([
    ['a client', '*/*', 'application/json'],
    ['a browser', BROWSER_ACCEPT, 'text/html; charset=UTF-8'],
  ])('from %s → 200, the GET’s headers, no body', async (_who, accept, type) => {
    const res = await fetchApp('/', { method: 'HEAD', headers: { accept } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(type)
    expect(res.headers.get('vary')).toBe('Accept')
    expect(await res.text()).toBe('')
  })
})

describe('homePage (the renderer)', () => {
  const SCRIPT = '<script>alert(1)</script>'
  const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;'
  let setups = 0
  const hostile = defineMcpServer({
    name: 'x<b>"&\'',
    version: '1.0.0',
    setup(s) {
      setups++
      s.registerTool('inject', { title: SCRIPT, description: `Says ${SCRIPT}` }, () => ({
        content: [],
      }))
      s.registerTool('plain', { annotations: { title: 'From annotations' } }, () => ({
        content: [],
      }))
      s.registerResource('doc', 'test://doc?a=1&b=2', { description: SCRIPT }, (uri) => ({
        contents: [{ uri: uri.href, text: '' }],
      }))
      s.registerResource('item', resourceTemplate('test://items/{id}'), { title: 'Item' }, () => ({
        contents: [],
      }))
      s.registerPrompt('greet', { title: 'Greet', description: SCRIPT }, () => ({ messages: [] }))
    },
  })
  const render = async (sse = true, authMode = 'none', origin = 'http://127.0.0.1:1') =>
    String(await homePage(hostile, { sse })({ origin, authMode, catalog: true }))

  it('runs the definition’s setup once, on the first render, not per request', async () => {
    const before = setups
    const page = homePage(defineMcpServer({ ...hostile }), { sse: true })
    expect(setups).toBe(before)
    await page({ origin: 'http://a', authMode: 'none', catalog: true })
    await page({ origin: 'http://b', authMode: 'bearer', catalog: true })
    expect(setups).toBe(before + 1)
  })

  it('without the catalogue: a note in its place, and the definition’s setup never run', async () => {
    const before = setups
    const page = homePage(defineMcpServer({ ...hostile }), { sse: true })
    const html = String(await page({ origin: 'http://a', authMode: 'oauth', catalog: false }))
    expect(setups).toBe(before)
    expect(sectionIds(html).slice(0, 2)).toEqual(WITHHELD_SECTIONS)
    expect(namesIn(html, ['inject', 'plain', 'doc', 'item', 'greet'])).toEqual([])
    expect(textOf(section(html, 'catalog-withheld'))).toContain(
      'This server requires authentication ( oauth ): its tools, resources and prompts are listed to signed-in clients',
    )
  })

  it('puts the nonce it is given on its one <style>, and none when given none', async () => {
    const page = homePage(hostile, { sse: true })
    const request = { origin: 'http://a', authMode: 'none', catalog: true }
    const nonced = String(await page({ ...request, styleNonce: 'abc+/=' }))
    expect([...nonced.matchAll(/<style[^>]*>/g)].map((tag) => tag[0])).toEqual([
      '<style nonce="abc+/=">',
    ])
    expect([...String(await page(request)).matchAll(/<style[^>]*>/g)].map((t) => t[0])).toEqual([
      '<style>',
    ])
  })

  it('shows a description containing <script> as text, escaped everywhere', async () => {
    const page = await render()
    expect(page).not.toMatch(/<script/i)
    expect(page).toContain(`<td>Says ${ESCAPED}</td>`)
    expect(page).toContain(`<td>${ESCAPED}</td>`)
    expect(page).toContain('<title>x&lt;b&gt;&quot;&amp;&#39; 1.0.0</title>')
    expect(page).toContain('<td><code>test://doc?a=1&amp;b=2</code></td>')
  })

  it('lists tools, resources, templates and prompts with their titles and descriptions', async () => {
    const page = await render()
    expect(rowNames(page, 'tools')).toEqual(['inject', 'plain'])
    expect(rowNames(page, 'resources')).toEqual(['doc'])
    expect(rowNames(page, 'resource-templates')).toEqual(['item'])
    expect(rowNames(page, 'prompts')).toEqual(['greet'])
    expect(textOf(section(page, 'tools'))).toContain('plain From annotations')
    expect(textOf(section(page, 'resource-templates'))).toContain('item test://items/{id} Item')
    expect(textOf(section(page, 'prompts'))).toContain(`greet Greet ${SCRIPT}`)
  })

  it('says None. for a kind the definition registers none of', async () => {
    const empty = defineMcpServer({ name: 'empty', version: '0', setup() {} })
    const page = String(
      await homePage(empty, { sse: true })({ origin: 'http://a', authMode: 'none', catalog: true }),
    )
    for (const id of ['tools', 'resources', 'resource-templates', 'prompts']) {
      expect(section(page, id)).toContain('<p class="none">None.</p>')
      expect(section(page, id)).toContain('<span class="count">(0)</span>')
    }
  })

  it('quotes a server name the shell would split, and escapes it in the JSON config', async () => {
    const page = await render()
    expect(codeIn(page, 'claude-code')).toBe(
      `claude mcp add --transport http 'x<b>"&'\\''' http://127.0.0.1:1/mcp`,
    )
    expect(Object.keys(JSON.parse(codeIn(page, 'claude-desktop')).mcpServers)).toEqual(['x<b>"&\''])
  })

  it('without legacy SSE, has no /sse row and no /sse config', async () => {
    expect(textOf(section(await render(true), 'endpoints'))).toContain('/sse')
    expect(textOf(section(await render(false), 'endpoints'))).not.toContain('/sse')
    expect(sectionIds(await render(true))).toContain('sse-mcp-remote')
    const withoutSse = await render(false)
    expect(sectionIds(withoutSse).filter((id) => id.startsWith('sse-'))).toEqual([])
    expect(withoutSse).not.toContain('/sse')
  })

  it('shows a description’s code spans as <code>, escaped, and an unpaired backtick as is', async () => {
    const coded = defineMcpServer({
      name: 'coded',
      version: '1',
      setup(s) {
        s.registerTool('t', { description: 'Call `echo` with `<b>x</b>`, or ` alone' }, () => ({
          content: [],
        }))
      },
    })
    const page = String(
      await homePage(coded, { sse: true })({ origin: 'http://a', authMode: 'none', catalog: true }),
    )
    expect(section(page, 'tools')).toContain(
      '<td>Call <code>echo</code> with <code>&lt;b&gt;x&lt;/b&gt;</code>, or ` alone</td>',
    )
  })

  it('oauth: tells clients where the authorization server is named, and the configs stay plain', async () => {
    const page = await render(true, 'oauth')
    expect(textOf(section(page, 'auth'))).toContain(
      'Authentication: oauth OAuth 2.1: clients find the authorization server in /.well-known/oauth-protected-resource and sign in there.',
    )
    expect(page).not.toContain('Authorization')
  })

  it('a plugin’s own auth mode is named as is, escaped', async () => {
    const page = await render(true, '<custom>')
    expect(section(page, 'auth')).toContain('Authentication: <code>&lt;custom&gt;</code>')
  })
})
