/**
 * The home page: `GET /` from a browser (an `Accept` that ranks `text/html` above JSON) gets a
 * self-contained HTML page about the server, built from its definition; every other client, and
 * every `GET /health`, gets the discovery JSON exactly as before. Nothing the definition says is
 * ever markup, and no token is ever printed.
 */
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { defineMcpServer, resourceTemplate } from '../../src/define-mcp-server'
import { homePage } from '../../src/home-page'
import { serverEntries } from '../../src/server-entries'
import worker from '../fixtures/app/index'
import { server } from '../fixtures/app/server'
import { HEALTH } from '../helpers/discovery'
import { BASE, fetchApp } from '../helpers/requests'

/** What Chromium and Firefox send when they navigate. */
const BROWSERS = [
  [
    'Chromium',
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
  ],
  ['Firefox', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
] as const
const BROWSER_ACCEPT = BROWSERS[0][1]

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

const ENTITIES: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
}

/** `text` with the entities Hono's escaping produces decoded. */
const decode = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!)

/** The inner HTML of the `<section id="…">` (one without nested sections). */
function section(page: string, id: string): string {
  const match = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(page)
  if (!match) throw new Error(`no section #${id}`)
  return match[1]!
}

/** The text of a section's `<pre><code>` block. */
function codeIn(page: string, id: string): string {
  const match = /<pre><code>([\s\S]*?)<\/code><\/pre>/.exec(section(page, id))
  if (!match) throw new Error(`no code in #${id}`)
  return decode(match[1]!)
}

/** The names in a catalog section's rows, in order. */
function rowNames(page: string, id: string): string[] {
  const rows = section(page, id).matchAll(/<tr>\s*<td><code>([\s\S]*?)<\/code><\/td>/g)
  return [...rows].map((row) => decode(row[1]!))
}

/** A page's text, roughly as a browser shows it: tags dropped, whitespace collapsed. */
const textOf = (page: string) => decode(page.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ')

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
      '/sse , /messages legacy HTTP+SSE (deprecated) 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05',
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
      if (tool.config.description) expect(textOf(page)).toContain(tool.config.description)
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
      `npx @modelcontextprotocol/inspector --transport http --server-url ${mcp}`,
    )
    expect(codeIn(page, 'inspector-cli')).toBe(
      `npx @modelcontextprotocol/inspector --cli ${mcp} --method tools/list`,
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
      `npx @modelcontextprotocol/inspector --cli ${mcp} --method tools/list --header "Authorization: Bearer <token>"`,
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
    String(await homePage(hostile, { sse })({ origin, authMode }))

  it('runs the definition’s setup once, on the first render, not per request', async () => {
    const before = setups
    const page = homePage(defineMcpServer({ ...hostile }), { sse: true })
    expect(setups).toBe(before)
    await page({ origin: 'http://a', authMode: 'none' })
    await page({ origin: 'http://b', authMode: 'bearer' })
    expect(setups).toBe(before + 1)
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
      await homePage(empty, { sse: true })({ origin: 'http://a', authMode: 'none' }),
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

  it('without legacy SSE, has no /sse row', async () => {
    expect(textOf(section(await render(true), 'endpoints'))).toContain('/sse')
    expect(textOf(section(await render(false), 'endpoints'))).not.toContain('/sse')
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
