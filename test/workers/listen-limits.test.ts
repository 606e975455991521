/**
 * What a `subscriptions/listen` may hold. Invariant: the acknowledgement lists exactly the
 * resources the stream will hear of (served ones, at most `LISTEN_MAX_RESOURCES` fixed URIs and
 * `LISTEN_MAX_TEMPLATED` templated ones per request, in the order asked), and a listen that
 * would take a principal or the isolate past its open streams or hub watches is refused with
 * the SDK's answer for a full subscription table (HTTP 200, `-32603` "Subscription limit
 * reached"), by the SDK after its own checks (so a malformed listen gets the same answer either
 * way), before any watch opens; a stream that ends gives its share back.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { defineMcpServer, resourceTemplate } from '../../src/define-mcp-server'
import { mcpBearerAuth } from '../../src/plugins/bearer-auth'
import type { McpPlugin } from '../../src/plugins/plugin'
import { hubFor } from '../../src/shared-resource'
import { LegacyStream } from '../helpers/legacy-sse'
import { modern, standardHeaders } from '../helpers/modern'
import { ACCEPT_BOTH, BASE } from '../helpers/requests'

const SUBSCRIPTION = 'io.modelcontextprotocol/subscriptionId'

/** 101 fixed URIs, one past the default per-request cap. */
const FIXED = Array.from({ length: 101 }, (_, i) => `fixed://r/${i}`)
const item = (id: number) => `item://${id}`

const definition = defineMcpServer({
  name: 'many',
  version: '1',
  capabilities: { resources: { subscribe: true } },
  setup(server) {
    FIXED.forEach((uri, i) => {
      server.registerResource(`r${i}`, uri, {}, (url) => ({
        contents: [{ uri: url.href, text: 'fixed' }],
      }))
    })
    server.registerResource('item', resourceTemplate('item://{id}'), {}, (url) => ({
      contents: [{ uri: url.href, text: 'item' }],
    }))
    server.registerTool('noop', {}, () => ({ content: [] }))
  },
})

const TOKENS = { AUTH_TOKENS: 'alice:tokA,bob:tokB,carol:tokC' }

/** The messages the hooks were told went out (of every app {@link appWith} builds). */
const outgoing: unknown[] = []
const recorder: McpPlugin = {
  name: 'recorder',
  hooks: {
    onOutgoing(message) {
      outgoing.push(message)
    },
  },
}

/** An app of its own (a fresh listen table), serving `definition` with `vars` over the env. */
function appWith(vars: Record<string, string> = {}) {
  const app = createApp({
    server: definition,
    plugins: [mcpBearerAuth({ tokens: (e) => e.AUTH_TOKENS }), recorder],
  })
  const appEnv = { ...env, ...vars }
  return (
    notifications: unknown,
    id: string,
    token?: string,
    signal?: AbortSignal,
    headers: Record<string, string> = {},
  ) => {
    const body = modern('subscriptions/listen', { notifications }, id)
    return app.fetch(
      new Request(`${BASE}/mcp`, {
        method: 'POST',
        signal,
        headers: {
          accept: ACCEPT_BOTH,
          'content-type': 'application/json',
          ...standardHeaders(body),
          ...(token !== undefined && { authorization: `Bearer ${token}` }),
          ...headers,
        },
        body: JSON.stringify(body),
      }),
      appEnv,
    )
  }
}

type Listen = ReturnType<typeof appWith>

/** A listen that must be accepted: its stream, past the acknowledgement (returned too). */
async function accepted(
  listen: Listen,
  notifications: Record<string, unknown>,
  id: string,
  token?: string,
  signal?: AbortSignal,
) {
  const res = await listen(notifications, id, token, signal)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/event-stream')
  const stream = new LegacyStream(res)
  const ack = await stream.nextMessage()
  return { stream, ack }
}

/** Asserts the SDK's full-table answer, exactly. */
async function expectLimitReached(res: Response, id: string): Promise<void> {
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  expect(await res.json()).toEqual({
    jsonrpc: '2.0',
    id,
    error: { code: -32603, message: 'Subscription limit reached' },
  })
}

const resources = (count: number, from = 0) => FIXED.slice(from, from + count)

describe('subscriptions/listen acknowledgement', () => {
  it('lists exactly the watched resources: served ones, the first 100 fixed URIs', async () => {
    const listen = appWith()
    const { stream, ack } = await accepted(
      listen,
      { resourceSubscriptions: ['nosuch://x', ...FIXED, FIXED[0]] },
      'ack',
    )
    expect(ack).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: {
        notifications: { resourceSubscriptions: FIXED.slice(0, 100) },
        _meta: { [SUBSCRIPTION]: 'ack' },
      },
    })
    // The 101st is not watched, and not told: the next event is the 100th's, written after.
    await hubFor(env, FIXED[100]!).write(FIXED[100]!, 1)
    await hubFor(env, FIXED[99]!).write(FIXED[99]!, 1)
    expect(await stream.nextMessage()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: FIXED[99], _meta: { [SUBSCRIPTION]: 'ack' } },
    })
    expect(await stream.drain(300)).not.toContain(FIXED[100])
    await stream.cancel()
  })

  it('takes at most 10 templated URIs by default, beside fixed ones', async () => {
    const listen = appWith()
    const items = Array.from({ length: 12 }, (_, i) => item(i))
    const { stream, ack } = await accepted(
      listen,
      { resourceSubscriptions: [...items, FIXED[0]] },
      'tpl',
    )
    expect(ack).toMatchObject({
      params: { notifications: { resourceSubscriptions: [...items.slice(0, 10), FIXED[0]] } },
    })
    await stream.cancel()
  })

  it('follows LISTEN_MAX_RESOURCES and LISTEN_MAX_TEMPLATED', async () => {
    const listen = appWith({ LISTEN_MAX_RESOURCES: '3', LISTEN_MAX_TEMPLATED: '2' })
    const { stream, ack } = await accepted(
      listen,
      { resourceSubscriptions: [item(1), ...resources(4), item(2), item(3)] },
      'set',
    )
    expect(ack).toMatchObject({
      params: { notifications: { resourceSubscriptions: [item(1), ...resources(3), item(2)] } },
    })
    await stream.cancel()
  })

  it('acknowledges nothing of an unserved list, and ends the stream at once', async () => {
    const listen = appWith()
    const { stream, ack } = await accepted(
      listen,
      { resourceSubscriptions: ['nosuch://x'] },
      'none',
    )
    expect(ack).toMatchObject({ params: { notifications: {} } })
    expect(await stream.nextMessage()).toMatchObject({ id: 'none', result: {} })
    expect(await stream.ended()).toBe(true)
  })
})

describe('subscriptions/listen limits', () => {
  it('refuses a principal its stream past LISTEN_MAX_STREAMS_PER_PRINCIPAL, not others', async () => {
    const listen = appWith({ ...TOKENS, LISTEN_MAX_STREAMS_PER_PRINCIPAL: '2' })
    const lists = { resourceSubscriptions: resources(1) }
    const a1 = await accepted(listen, lists, 'a1', 'tokA')
    const a2 = await accepted(listen, lists, 'a2', 'tokA')
    await expectLimitReached(await listen(lists, 'a3', 'tokA'), 'a3')
    const b1 = await accepted(listen, lists, 'b1', 'tokB')
    // A stream that ends gives its place back.
    await a1.stream.cancel()
    const a4 = await accepted(listen, lists, 'a4', 'tokA')
    for (const { stream } of [a2, b1, a4]) await stream.cancel()
  })

  it('gives the place back as soon as the client goes away, before any write could fail', async () => {
    const listen = appWith({ ...TOKENS, LISTEN_MAX_STREAMS_PER_PRINCIPAL: '1' })
    const lists = { resourceSubscriptions: resources(1, 50) }
    const hub = hubFor(env, FIXED[50]!)
    const client = new AbortController()
    // The body is left unread and never cancelled: only the request's signal says it is over.
    await accepted(listen, lists, 'g1', 'tokA', client.signal)
    expect(await hub.watching()).toBe(1)
    await expectLimitReached(await listen(lists, 'g2', 'tokA'), 'g2')
    client.abort()
    const again = await accepted(listen, lists, 'g3', 'tokA')
    // The gone client's watch closed with its stream; the new one has its own.
    for (let i = 0; i < 50 && (await hub.watching()) > 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(await hub.watching()).toBe(1)
    await again.stream.cancel()

    // Gone before its acknowledgement: nothing is held either.
    const early = new AbortController()
    const pending = listen(lists, 'g4', 'tokA', early.signal)
    early.abort()
    await (await pending).body?.cancel()
    const last = await accepted(listen, lists, 'g5', 'tokA')
    await last.stream.cancel()
  })

  it('with auth off, counts each client address as a principal of its own', async () => {
    const listen = appWith({ LISTEN_MAX_STREAMS_PER_PRINCIPAL: '1' })
    const lists = { resourceSubscriptions: resources(1, 60) }
    const from = (address: string) => ({ 'cf-connecting-ip': address })
    const first = await listen(lists, 'c1', undefined, undefined, from('203.0.113.20'))
    expect(first.headers.get('content-type')).toBe('text/event-stream')
    const again = await listen(lists, 'c2', undefined, undefined, from('203.0.113.20'))
    await expectLimitReached(again, 'c2')
    const other = await listen(lists, 'c3', undefined, undefined, from('203.0.113.21'))
    expect(other.headers.get('content-type')).toBe('text/event-stream')
    for (const res of [first, other]) await res.body?.cancel()
  })

  it('tells the hooks of a refusal, as of any answer', async () => {
    const listen = appWith({ LISTEN_MAX_STREAMS: '1' })
    const open = await accepted(listen, { resourceSubscriptions: resources(1) }, 'h1')
    outgoing.length = 0
    await expectLimitReached(await listen({ resourceSubscriptions: resources(1) }, 'h2'), 'h2')
    expect(outgoing).toEqual([
      {
        jsonrpc: '2.0',
        id: 'h2',
        error: { code: -32603, message: 'Subscription limit reached' },
      },
    ])
    await open.stream.cancel()
  })

  it('gives back the place of a listen the SDK refuses', async () => {
    const listen = appWith({ LISTEN_MAX_STREAMS: '1' })
    const res = await listen({ resourceSubscriptions: 'fixed://r/0' }, 'bad')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 'bad',
      error: {
        code: -32602,
        message:
          "Invalid params: 'notifications' is required and must be a valid SubscriptionFilter",
      },
    })
    await (await accepted(listen, { resourceSubscriptions: resources(1) }, 'good')).stream.cancel()
  })

  it('answers a malformed listen as the SDK does, whether the table is full or not', async () => {
    const malformed = { 'mcp-method': 'tools/list' }
    const lists = { resourceSubscriptions: resources(1) }
    const answer = async (res: Response) => ({
      status: res.status,
      type: res.headers.get('content-type'),
      body: await res.json(),
    })
    const room = await answer(await appWith()(lists, 'm1', undefined, undefined, malformed))
    expect(room.status).toBe(400)
    const listen = appWith({ LISTEN_MAX_STREAMS: '1' })
    const open = await accepted(listen, lists, 'm0')
    outgoing.length = 0
    expect(await answer(await listen(lists, 'm1', undefined, undefined, malformed))).toEqual(room)
    // The hooks hear it, as of any answer.
    expect(outgoing).toEqual([room.body])
    await open.stream.cancel()
  })

  it('refuses anyone past LISTEN_MAX_STREAMS in the isolate', async () => {
    const listen = appWith({ ...TOKENS, LISTEN_MAX_STREAMS: '3' })
    const lists = { resourceSubscriptions: resources(1) }
    const open = [
      await accepted(listen, lists, 'a1', 'tokA'),
      await accepted(listen, lists, 'a2', 'tokA'),
      await accepted(listen, lists, 'b1', 'tokB'),
    ]
    await expectLimitReached(await listen(lists, 'b2', 'tokB'), 'b2')
    await expectLimitReached(await listen(lists, 'c1', 'tokC'), 'c1')
    for (const { stream } of open) await stream.cancel()
    await (await accepted(listen, lists, 'b3', 'tokB')).stream.cancel()
  })

  it('refuses a listen whose hubs would take its principal past LISTEN_MAX_HUB_WATCHES_PER_PRINCIPAL', async () => {
    const listen = appWith({ ...TOKENS, LISTEN_MAX_HUB_WATCHES_PER_PRINCIPAL: '5' })
    const three = await accepted(listen, { resourceSubscriptions: resources(3) }, 'a1', 'tokA')
    await expectLimitReached(
      await listen({ resourceSubscriptions: resources(3, 3) }, 'a2', 'tokA'),
      'a2',
    )
    // Unserved URIs cost nothing; the list-changes hub is a watch like any other.
    await expectLimitReached(
      await listen(
        { resourceSubscriptions: [...resources(2, 3), 'nosuch://x'], toolsListChanged: true },
        'a3',
        'tokA',
      ),
      'a3',
    )
    const two = await accepted(
      listen,
      { resourceSubscriptions: [...resources(2, 3), 'nosuch://x'] },
      'a4',
      'tokA',
    )
    const other = await accepted(listen, { resourceSubscriptions: resources(5) }, 'b1', 'tokB')
    for (const { stream } of [three, two, other]) await stream.cancel()
  })

  it('refuses a listen whose hubs would take the isolate past LISTEN_MAX_HUB_WATCHES', async () => {
    const listen = appWith({ ...TOKENS, LISTEN_MAX_HUB_WATCHES: '4' })
    const alice = await accepted(listen, { resourceSubscriptions: resources(3) }, 'a1', 'tokA')
    await expectLimitReached(
      await listen({ resourceSubscriptions: resources(2, 3) }, 'b1', 'tokB'),
      'b1',
    )
    const bob = await accepted(listen, { toolsListChanged: true }, 'b2', 'tokB')
    await alice.stream.cancel()
    const again = await accepted(listen, { resourceSubscriptions: resources(3) }, 'b3', 'tokB')
    for (const { stream } of [bob, again]) await stream.cancel()
  })
})
