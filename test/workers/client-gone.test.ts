/**
 * A client that goes away in the middle of its upload. Invariant: reading the cut body is the
 * client's doing, not a server error: a 400 "request body incomplete" (which no one reads), one
 * `warn` line from the logger marked `clientGone`, and nothing on `console.error`.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../routes/app'
import { mcpLogger } from '../../src/plugins/logger'
import { server } from '../fixtures/app/server'
import { BASE, JSON_HEADERS, MSG } from '../helpers/requests'

/** A body that sends half of `text`, then fails as a dropped connection does. */
function cutBody(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text.slice(0, text.length / 2)))
      controller.error(new Error('Network connection lost.'))
    },
  })
}

function appLogging() {
  const lines: string[] = []
  const app = createApp({
    server,
    plugins: [mcpLogger({ level: 'info', write: (line) => lines.push(line) })],
  })
  return { app, lines }
}

const SESSION = '0'.repeat(64)
const BODY = JSON.stringify(MSG.initialize())

afterEach(() => {
  vi.restoreAllMocks()
})

describe('an upload cut short', () => {
  it.each([
    ['/mcp', 'streamable-http', {}],
    ['/mcp', 'streamable-http', { 'content-length': String(BODY.length) }],
    [`/messages?sessionId=${SESSION}`, 'sse', {}],
    [`/messages?sessionId=${SESSION}`, 'sse', { 'content-length': String(BODY.length) }],
  ])('POST %s (%s, %o) → 400, one warn line, no console.error', async (path, transport, extra) => {
    const errors = vi.spyOn(console, 'error')
    const { app, lines } = appLogging()
    const request = new Request(BASE + path, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-request-id': 'cut-1', ...extra },
      body: cutBody(BODY),
      duplex: 'half',
    } as RequestInit)
    const res = await app.fetch(request, env)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: 'Bad Request: request body incomplete' },
    })
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        level: 'warn',
        time: expect.any(String),
        type: 'http',
        requestId: 'cut-1',
        method: 'POST',
        path: path.split('?')[0],
        status: 400,
        clientGone: true,
        durationMs: expect.any(Number),
        transport,
        principal: 'anonymous',
        ...(transport === 'sse' ? { sessionId: SESSION } : {}),
      },
    ])
    expect(errors).not.toHaveBeenCalled()
  })
})
