/**
 * The logging plugin's HTTP lines and levels, on a bare Hono app: a line below the level is not
 * built at all, `silent` writes nothing, and each line is one JSON object that starts with its
 * level and time.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { type LogLevel, mcpLogger } from '../../src/plugins/logger'

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
