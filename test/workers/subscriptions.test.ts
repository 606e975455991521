/**
 * Subscriptions and shared resources. Invariant: a change to a shared resource, made in any
 * session, reaches every session subscribed to it (exactly once, on its standalone stream or in
 * its log), through the resource's own object, and a subscription survives eviction.
 */

import { evictDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { LEADERBOARD_URI } from '../fixtures/app/tools/leaderboard'
import { appFetch, BASE, fetchApp, MSG, openSession, postMcp } from '../helpers/requests'
import { sessionObject, storedEntries } from '../helpers/session-storage'
import { parseSSE } from '../helpers/sse'
import { postMessage, startLegacy } from '../helpers/sse-transport'

const clients: Client[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
})

/** An SDK client that records the resource-updated notifications it gets. */
async function subscriber(): Promise<{ client: Client; updates: string[]; sessionId: string }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), { fetch: appFetch })
  const client = new Client({ name: 'sub', version: '1' })
  const updates: string[] = []
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updates.push(n.params.uri)
  })
  await client.connect(transport)
  clients.push(client)
  return { client, updates, sessionId: transport.sessionId! }
}

const hub = () =>
  env.RESOURCE_HUB!.getByName(LEADERBOARD_URI) as unknown as {
    subscribers(): Promise<string[]>
  }

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
}

describe('shared resources', () => {
  it('a score in one session reaches a subscriber in another, once', async () => {
    const a = await subscriber()
    await a.client.subscribeResource({ uri: LEADERBOARD_URI })
    const b = await subscriber()
    expect(
      await b.client.callTool({ name: 'score', arguments: { player: 'ada', points: 3 } }),
    ).toEqual({
      content: [{ type: 'text', text: 'ada now has 3 points.' }],
    })
    await until(() => a.updates.length > 0)
    expect(a.updates).toEqual([LEADERBOARD_URI])
    expect(b.updates).toEqual([])
    const [content] = (await a.client.readResource({ uri: LEADERBOARD_URI })).contents
    expect(content && 'text' in content ? JSON.parse(content.text) : undefined).toEqual(
      expect.arrayContaining([{ player: 'ada', points: expect.any(Number) }]),
    )
  })

  it('unsubscribing stops the updates, in the session and at the hub', async () => {
    const a = await subscriber()
    await a.client.subscribeResource({ uri: LEADERBOARD_URI })
    expect(await hub().subscribers()).toContain(a.sessionId)
    await a.client.unsubscribeResource({ uri: LEADERBOARD_URI })
    expect(await hub().subscribers()).not.toContain(a.sessionId)
    await a.client.callTool({ name: 'score', arguments: { player: 'bo', points: 1 } })
    await new Promise((r) => setTimeout(r, 200))
    expect(a.updates).toEqual([])
  })

  it('a legacy session subscribes the same way and gets the update on its stream', async () => {
    const { stream, sessionId } = await startLegacy()
    await postMessage(sessionId, MSG.initialize('2024-11-05'))
    await stream.next()
    await postMessage(sessionId, MSG.initialized)
    await postMessage(sessionId, {
      jsonrpc: '2.0',
      id: 2,
      method: 'resources/subscribe',
      params: { uri: LEADERBOARD_URI },
    })
    expect(JSON.parse((await stream.next()).data)).toEqual({ jsonrpc: '2.0', id: 2, result: {} })
    const other = await openSession()
    await (
      await postMcp(MSG.call('score', { player: 'cy', points: 2 }), { 'mcp-session-id': other })
    ).text()
    expect(JSON.parse((await stream.next()).data)).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: LEADERBOARD_URI },
    })
    await stream.cancel()
  })

  it('a subscription survives eviction; the update waits in the log for a stream', async () => {
    const sessionId = await openSession()
    const sub = await postMcp(
      { jsonrpc: '2.0', id: 3, method: 'resources/subscribe', params: { uri: LEADERBOARD_URI } },
      { 'mcp-session-id': sessionId },
    )
    expect(await sub.json()).toEqual({ jsonrpc: '2.0', id: 3, result: {} })
    expect((await storedEntries(sessionId)).map(([k]) => k)).toContain(`sub:${LEADERBOARD_URI}`)
    await evictDurableObject(sessionObject(sessionId))

    const other = await openSession()
    await (
      await postMcp(MSG.call('score', { player: 'di', points: 5 }), { 'mcp-session-id': other })
    ).text()
    const res = await fetchApp('/mcp', {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'last-event-id': 'get_0',
      },
    })
    const reader = res.body!.getReader()
    let text = ''
    while (!text.includes('resources/updated')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    await reader.cancel()
    const messages = parseSSE(text)
      .events.filter((e) => e.event === 'message')
      .map((e) => JSON.parse(e.data))
    expect(messages).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: LEADERBOARD_URI },
      },
    ])
  })

  it('an ended session leaves its hubs', async () => {
    const a = await subscriber()
    await a.client.subscribeResource({ uri: LEADERBOARD_URI })
    expect(await hub().subscribers()).toContain(a.sessionId)
    await fetchApp('/mcp', { method: 'DELETE', headers: { 'mcp-session-id': a.sessionId } })
    expect(await hub().subscribers()).not.toContain(a.sessionId)
  })
})
