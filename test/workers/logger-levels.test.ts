/**
 * The logging plugin's HTTP lines and levels, on a bare Hono app: a line below the level is not
 * built at all, `silent` writes nothing, and each line is one JSON object that starts with its
 * level and time.
 */
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { mcpBearerAuth } from '../../src/plugins/bearer-auth'
import { type LogLevel, mcpLogger } from '../../src/plugins/logger'
import { server } from '../fixtures/app/server'
import { BASE } from '../helpers/requests'

function appLogging(level: LogLevel) {
  const lines: string[] = []
  const plugin = mcpLogger({ level, write: (line) => lines.push(line) })
  const app = new Hono()
  app.use(plugin.outerMiddleware!)
  app.post('/messages', (c) => c.body(null, 202))
  app.get('/health', (c) => c.json({ ok: true }))
  return { app, lines }
}

const SESSION = 'a'.repeat(64)

describe('mcpLogger levels and lines', () => {
  it('info: one line per request, the legacy session id read from the query', async () => {
    const { app, lines } = appLogging('info')
    await app.request(`/messages?sessionId=${SESSION}`, { method: 'POST' })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^\{"level":"info","time":"[^"]+","type":"http",/)
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      type: 'http',
      method: 'POST',
      path: '/messages',
      status: 202,
      durationMs: expect.any(Number),
      transport: 'sse',
      sessionId: SESSION,
    })
  })

  it('warn: a 200 writes nothing, a 404 writes a warn line', async () => {
    const { app, lines } = appLogging('warn')
    await app.request('/health')
    expect(lines).toEqual([])
    await app.request('/nowhere')
    expect(lines.map((line) => JSON.parse(line).level)).toEqual(['warn'])
  })

  it('silent: nothing at all', async () => {
    const { app, lines } = appLogging('silent')
    await app.request('/nowhere')
    await app.request('/health')
    expect(lines).toEqual([])
  })

  it('reads LOG_LEVEL from the env when no level is given', async () => {
    const lines: string[] = []
    const plugin = mcpLogger({ write: (line) => lines.push(line) })
    const app = new Hono()
    app.use(plugin.outerMiddleware!)
    app.get('/health', (c) => c.json({ ok: true }))
    const env = { LOG_LEVEL: 'error' }
    await app.request('/health', {}, env)
    await app.request('/nowhere', {}, env)
    expect(lines).toEqual([])
    await app.request('/health', {}, {})
    expect(lines).toHaveLength(1)
  })
})

/**
 * An app with the logger at `level` and bearer auth on: what a client probing for OAuth (RFC 9728
 * protected-resource metadata, RFC 8414 and OpenID Connect discovery, dynamic registration)
 * gets here is a 404, and that is ordinary traffic, not a warning.
 */
function appProbed(level: LogLevel) {
  const lines: string[] = []
  const app = createApp({
    server,
    plugins: [
      mcpLogger({ level, write: (line) => lines.push(line) }),
      mcpBearerAuth({ tokens: 'alice:tokA' }),
    ],
  })
  const request = (method: string, path: string) =>
    app.fetch(new Request(BASE + path, { method, headers: { 'x-request-id': 'probe' } }), env)
  return { request, lines }
}

const PROBES: Array<[string, string]> = [
  ['GET', '/.well-known/oauth-protected-resource'],
  ['GET', '/.well-known/oauth-protected-resource/mcp'],
  ['GET', '/.well-known/oauth-authorization-server'],
  ['GET', '/.well-known/oauth-authorization-server/mcp'],
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/openid-configuration/mcp'],
  ['GET', '/mcp/.well-known/openid-configuration'],
  ['POST', '/register'],
]

describe('mcpLogger and OAuth discovery probes', () => {
  it('logs the 404 of each probe at info, and any other 404 at warn', async () => {
    const { request, lines } = appProbed('info')
    for (const [method, path] of PROBES) {
      const res = await request(method, path)
      expect(res.status).toBe(404)
      await res.text()
    }
    const other = await request('GET', '/.well-known/security.txt')
    expect(other.status).toBe(404)
    await other.text()
    const line = (level: string, method: string, path: string) => ({
      level,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      type: 'http',
      requestId: 'probe',
      method,
      path,
      status: 404,
      durationMs: expect.any(Number),
      principal: 'anonymous',
    })
    expect(lines.map((text) => JSON.parse(text))).toEqual([
      ...PROBES.map(([method, path]) => line('info', method, path)),
      line('warn', 'GET', '/.well-known/security.txt'),
    ])
  })

  it('writes nothing for probes at warn', async () => {
    const { request, lines } = appProbed('warn')
    for (const [method, path] of PROBES) await (await request(method, path)).text()
    expect(lines).toEqual([])
  })
})
