/**
 * A plugin's middleware around the MCP routes: a header it sets after `await next()` reaches
 * every kind of answer (a session's JSON reply, a session's SSE stream, a 2026-07-28 reply, a
 * legacy stream, a refusal), as the README says; one set before `next()` does not.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../routes/app'
import { server } from '../fixtures/app/server'
import { modern, standardHeaders } from '../helpers/modern'
import { BASE, JSON_HEADERS, MSG } from '../helpers/requests'

const app = createApp({
  server,
  plugins: [
    {
      name: 'stamps',
      middleware: async (c, next) => {
        c.header('x-before', 'lost')
        await next()
        c.header('x-served-by', 'plugin')
      },
    },
  ],
})

const call = (path: string, init: RequestInit) =>
  Promise.resolve(app.fetch(new Request(BASE + path, init), env))
const post = (body: unknown, headers: Record<string, string> = {}) =>
  call('/mcp', {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  })

async function expectStamped(res: Response, status: number, contentType: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(contentType)
  expect(res.headers.get('x-served-by')).toBe('plugin')
  expect(res.headers.get('x-before')).toBeNull()
  await res.body?.cancel()
}

describe('a plugin middleware’s response headers', () => {
  it('reach a session’s JSON reply and its SSE stream', async () => {
    const init = await post(MSG.initialize())
    const sessionId = init.headers.get('mcp-session-id')!
    await expectStamped(init, 200, 'application/json')
    await expectStamped(
      await post(MSG.ping(), { 'mcp-session-id': sessionId }),
      200,
      'application/json',
    )
    const stream = await call('/mcp', {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
    })
    await expectStamped(stream, 200, 'text/event-stream')
  })

  it('reach a 2026-07-28 reply, which no session object made', async () => {
    const body = modern('server/discover')
    await expectStamped(await post(body, standardHeaders(body)), 200, 'application/json')
  })

  it('reach a legacy /sse stream', async () => {
    await expectStamped(
      await call('/sse', { headers: { accept: 'text/event-stream' } }),
      200,
      'text/event-stream',
    )
  })

  it('reach a refusal', async () => {
    await expectStamped(await post(MSG.ping()), 400, 'application/json')
  })
})
