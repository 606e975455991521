/**
 * `subscriptions/listen` on the default app: the acknowledgement comes first, with what is
 * honoured and the subscription id; every write to a subscribed shared resource, by a session or
 * a modern request, arrives as `notifications/resources/updated` tagged with that id; list
 * changes announced by a tool reach streams that asked for them; keep-alives flow while idle;
 * a hub may hibernate (or go away) under an open stream, which still hears every later write;
 * and a stream the client closes leaves no watch behind in the resource's hub.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { ResourceHub } from '../../durable/hub/resource-hub'
import { createApp } from '../../routes/app'
import { defineMcpServer } from '../../src/define-mcp-server'
import { hubFor } from '../../src/shared-resource'
import { LEADERBOARD_URI } from '../fixtures/app/tools/leaderboard'
import { modern, postModern, standardHeaders } from '../helpers/modern'
import { ACCEPT_BOTH, BASE, MSG, openSession, postMcp } from '../helpers/requests'
import { LegacyStream } from '../helpers/sse-transport'

const SUBSCRIPTION = 'io.modelcontextprotocol/subscriptionId'

async function listen(notifications: Record<string, unknown>, id: number | string = 'l1') {
  const res = await postModern(modern('subscriptions/listen', { notifications }, id))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/event-stream')
  return new LegacyStream(res)
}

const UPDATED = {
  jsonrpc: '2.0',
  method: 'notifications/resources/updated',
  params: { uri: LEADERBOARD_URI, _meta: { [SUBSCRIPTION]: 'l1' } },
}

const MARKER = Symbol.for('mcp-workers/test-instance-marker')

/** Marks the hub's current instance, so a test can tell a fresh one from it. */
async function mark(hub: DurableObjectStub<ResourceHub>): Promise<void> {
  await runInDurableObject(hub, (instance) => {
    Reflect.set(instance, MARKER, true)
  })
}

/** The leaderboard hub's watch count, once it is `expected` (or after a second). */
async function watchingSoon(expected: number): Promise<number> {
  const hub = hubFor(env, LEADERBOARD_URI)
  let watching = await hub.watching()
  for (let i = 0; i < 20 && watching !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    watching = await hub.watching()
  }
  return watching
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
    // A session's score (SDK v1, in its own object) …
    const sessionId = await openSession()
    await (
      await postMcp(MSG.call('score', { player: 'listener', points: 1 }), {
        'mcp-session-id': sessionId,
      })
    ).text()
    expect(await stream.nextMessage()).toEqual(UPDATED)
    // … and a modern request's.
    await score('listener', 2)
    expect(await stream.nextMessage()).toEqual(UPDATED)
    await stream.cancel()
  })

  it('keeps the stream alive while nothing happens, and lets the watch go when it closes', async () => {
    const hub = hubFor(env, LEADERBOARD_URI)
    expect(await watchingSoon(0)).toBe(0)
    const stream = await listen({ resourceSubscriptions: [LEADERBOARD_URI] })
    await stream.nextMessage()
    expect(await hub.watching()).toBe(1)
    expect(await stream.drain(400)).toMatch(/^(: keepalive\n\n)+$/)
    await stream.cancel()
    // The Worker closes its socket with the stream; the hub forgets it when the close arrives.
    expect(await watchingSoon(0)).toBe(0)
  })

  it('lets the hub hibernate under an open stream, which still hears the next write', async () => {
    const hub = hubFor(env, LEADERBOARD_URI)
    const stream = await listen({ resourceSubscriptions: [LEADERBOARD_URI] })
    await stream.nextMessage()
    await mark(hub)
    const evictedAt = Date.now()
    await evictDurableObject(hub)
    // The Worker's pings, meanwhile, are answered by the runtime for the sleeping hub.
    await new Promise((resolve) => setTimeout(resolve, 400))
    await score('sleeper', 1)
    expect(await stream.nextMessage()).toEqual(UPDATED)
    // Told once: the socket slept with the hub, nothing had to reconnect.
    expect(await stream.drain(300)).not.toContain('resources/updated')
    await runInDurableObject(hub, (instance, state) => {
      expect(Reflect.get(instance, MARKER)).toBeUndefined()
      const [socket] = state.getWebSockets('watch')
      expect(socket).toBeDefined()
      const ponged = state.getWebSocketAutoResponseTimestamp(socket!)
      expect(ponged?.getTime() ?? 0).toBeGreaterThanOrEqual(evictedAt)
    })
    expect(await hub.watching()).toBe(1)
    await stream.cancel()
    expect(await watchingSoon(0)).toBe(0)
  })

  it('watches again when the hub goes away with its sockets, telling of what it may have missed', async () => {
    const hub = hubFor(env, LEADERBOARD_URI)
    const stream = await listen({ resourceSubscriptions: [LEADERBOARD_URI] })
    await stream.nextMessage()
    await mark(hub)
    await evictDurableObject(hub, { webSockets: 'close' })
    // A change may have come while the watch was down, so the stream is told of one.
    expect(await stream.nextMessage(5_000)).toEqual(UPDATED)
    expect(await watchingSoon(1)).toBe(1)
    await score('returner', 1)
    expect(await stream.nextMessage()).toEqual(UPDATED)
    expect(
      await runInDurableObject(hub, (instance) => Reflect.get(instance, MARKER)),
    ).toBeUndefined()
    await stream.cancel()
    expect(await watchingSoon(0)).toBe(0)
  })

  it('watches, and acknowledges, only resources the server serves', async () => {
    const stream = await listen({ resourceSubscriptions: ['nope://elsewhere', LEADERBOARD_URI] })
    expect(await stream.nextMessage()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: {
        notifications: { resourceSubscriptions: [LEADERBOARD_URI] },
        _meta: { [SUBSCRIPTION]: 'l1' },
      },
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
