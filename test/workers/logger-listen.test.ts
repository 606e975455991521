/**
 * The logging plugin and 2026-07-28 `subscriptions/listen`, whose answer is a stream that may
 * never carry a response. Invariant: a listen is logged once, when its stream ends: `ok` when
 * the server ended it with its closing result, `cancelled` when the client closed it (on HTTP,
 * closing the stream is how a client cancels); nothing is kept for it after that.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { mcpLogger } from '../../src/plugins/logger'
import { server } from '../fixtures/app/server'
import { LEADERBOARD_URI } from '../fixtures/app/tools/leaderboard'
import { LegacyStream } from '../helpers/legacy-sse'
import { modern, standardHeaders } from '../helpers/modern'
import { ACCEPT_BOTH, BASE } from '../helpers/requests'

/** The app's log lines, parsed, and a listen on it. */
function logged() {
  const lines: string[] = []
  const app = createApp({
    server,
    plugins: [mcpLogger({ level: 'info', write: (line) => lines.push(line) })],
  })
  const listen = (notifications: Record<string, unknown>, id: string) => {
    const body = modern('subscriptions/listen', { notifications }, id)
    return app.fetch(
      new Request(`${BASE}/mcp`, {
        method: 'POST',
        headers: {
          accept: ACCEPT_BOTH,
          'content-type': 'application/json',
          'x-request-id': `req-${id}`,
          ...standardHeaders(body),
        },
        body: JSON.stringify(body),
      }),
      env,
    )
  }
  const rpc = () =>
    lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.type === 'rpc')
  return { listen, rpc }
}

/** The line of listen `id`, ended with `outcome`. */
const listenLine = (id: string, outcome: string) => ({
  level: 'info',
  time: expect.any(String),
  type: 'rpc',
  era: 'modern',
  requestId: `req-${id}`,
  principal: 'anonymous',
  method: 'subscriptions/listen',
  id,
  durationMs: expect.any(Number),
  outcome,
})

/** Waits until `rpc()` has `count` lines (or a few seconds passed), and returns them. */
async function linesSoon(rpc: () => unknown[], count: number): Promise<unknown[]> {
  const deadline = Date.now() + 5_000
  while (rpc().length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return rpc()
}

describe('mcpLogger and subscriptions/listen', () => {
  it('a listen the client closes: one line when it closes, cancelled, and none before', async () => {
    const { listen, rpc } = logged()
    const res = await listen({ resourceSubscriptions: [LEADERBOARD_URI] }, 'l1')
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const stream = new LegacyStream(res)
    await stream.nextMessage()
    expect(rpc()).toEqual([])
    await stream.cancel()
    expect(await linesSoon(rpc, 1)).toEqual([listenLine('l1', 'cancelled')])
  })

  it('a listen the server ends: one line with its closing result, ok', async () => {
    const { listen, rpc } = logged()
    // Nothing it asks for is served: acknowledged empty, and ended at once.
    const stream = new LegacyStream(await listen({ resourceSubscriptions: ['nosuch://x'] }, 'l2'))
    expect(await stream.ended()).toBe(true)
    expect(await linesSoon(rpc, 1)).toEqual([listenLine('l2', 'ok')])
  })
})
