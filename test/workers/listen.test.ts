/**
 * `subscriptions/listen` on the default app: the acknowledgement comes first, with what is
 * honoured and the subscription id; every write to a subscribed shared resource, by a session or
 * a modern request, arrives as `notifications/resources/updated` tagged with that id; list
 * changes announced by a tool reach streams that asked for them; keep-alives flow while idle;
 * and a stream the client closes leaves no watch behind in the resource's hub.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { defineMcpServer } from '../../src/define-mcp-server'
import { hubFor } from '../../src/shared-resource'
import { LEADERBOARD_URI } from '../fixtures/app/tools/leaderboard'
import { LegacyStream } from '../helpers/legacy-sse'
import { modern, postModern, standardHeaders } from '../helpers/modern'
import { ACCEPT_BOTH, BASE, MSG, openSession, postMcp } from '../helpers/requests'

const SUBSCRIPTION = 'io.modelcontextprotocol/subscriptionId'

async function listen(notifications: Record<string, unknown>, id: number | string = 'l1') {
  const res = await postModern(modern('subscriptions/listen', { notifications }, id))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/event-stream')
  return new LegacyStream(res)
}

async function score(player: string, points: number) {
  await (
    await postModern(modern('tools/call', { name: 'score', arguments: { player, points } }, 'm'))
  ).text()
}

describe('subscriptions/listen', () => {
  it('acknowledges first, then tells of every write to the resource, from either era', async () => {
    const stream = await listen({ resourceSubscriptions: [LEADERBOARD_URI] }, 'l1')
    expect(await stream.nextMessage()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: {
        notifications: { resourceSubscriptions: [LEADERBOARD_URI] },
        _meta: { [SUBSCRIPTION]: 'l1' },
      },
    })
    const updated = {
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: LEADERBOARD_URI, _meta: { [SUBSCRIPTION]: 'l1' } },
    }
    // A session's score (SDK v1, in its own object) …
    const sessionId = await openSession()
    await (
      await postMcp(MSG.call('score', { player: 'listener', points: 1 }), {
        'mcp-session-id': sessionId,
      })
    ).text()
    expect(await stream.nextMessage()).toEqual(updated)
    // … and a modern request's.
    await score('listener', 2)
    expect(await stream.nextMessage()).toEqual(updated)
    await stream.cancel()
  })

  it('keeps the stream alive while nothing happens, and lets the watch go when it closes', async () => {
    const hub = hubFor(env, LEADERBOARD_URI)
    const before = await hub.watching()
    const stream = await listen({ resourceSubscriptions: [LEADERBOARD_URI] })
    await stream.nextMessage()
    expect(await hub.watching()).toBe(before + 1)
    expect(await stream.drain(400)).toMatch(/^(: keepalive\n\n)+$/)
    await stream.cancel()
    // The hub drops the watch when its next line can't be written (or at once when it sees the
    // reader go); a write makes sure there is a next line.
    await score('closer', 1)
    let watching = before + 1
    for (let i = 0; i < 20 && watching > before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      watching = await hub.watching()
    }
    // (Watches of earlier tests' closed streams may go in the same sweep.)
    expect(watching).toBeLessThanOrEqual(before)
  })

  it('watches only resources the server serves', async () => {
    const stream = await listen({ resourceSubscriptions: ['nope://elsewhere', LEADERBOARD_URI] })
    expect(await stream.nextMessage()).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
    })
    expect(await hubFor(env, 'nope://elsewhere').watching()).toBe(0)
    await stream.cancel()
  })

  it('tells streams that asked for list changes when a tool announces one, and no others', async () => {
    const definition = defineMcpServer({
      name: 'lists',
      version: '1',
      setup(server) {
        server.registerTool('grow', {}, async (_args, tool) => {
          await tool.listChanged('tools')
          return { content: [] }
        })
      },
    })
    const app = createApp({ server: definition })
    const send = (body: { method: string; params?: Record<string, unknown> }) =>
      app.fetch(
        new Request(`${BASE}/mcp`, {
          method: 'POST',
          headers: {
            accept: ACCEPT_BOTH,
            'content-type': 'application/json',
            ...standardHeaders(body),
          },
          body: JSON.stringify(body),
        }),
        env,
      )
    const tools = new LegacyStream(
      await send(
        modern('subscriptions/listen', { notifications: { toolsListChanged: true } }, 't'),
      ),
    )
    const prompts = new LegacyStream(
      await send(
        modern('subscriptions/listen', { notifications: { promptsListChanged: true } }, 'p'),
      ),
    )
    expect(await tools.nextMessage()).toMatchObject({
      params: { notifications: { toolsListChanged: true } },
    })
    await prompts.nextMessage()
    await (await send(modern('tools/call', { name: 'grow', arguments: {} }))).text()
    expect(await tools.nextMessage()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { [SUBSCRIPTION]: 't' } },
    })
    expect(await prompts.drain(300)).not.toContain('list_changed')
    await tools.cancel()
    await prompts.cancel()
  })
})
