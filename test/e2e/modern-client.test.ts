/**
 * The 2026-07-28 era against `npm start`, driven by the official SDK v2 client: pinned to the
 * revision and in `auto` mode (which must negotiate it), the demo's stateless tools work with
 * no session; the same client in its default (legacy) mode still gets a durable session; and a
 * shared resource written by a modern request is what a legacy SDK v1 session reads.
 */
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { useDevServer } from './dev-server'

// Bearer tokens on, so the tests also see that a handle belongs to the principal that minted it.
const dev = useDevServer({ args: ['--var', 'AUTH_TOKENS:alice:tokA,bob:tokB'] })
const AS = { alice: 'tokA', bob: 'tokB' } as const
const headersOf = (who: keyof typeof AS) => ({ authorization: `Bearer ${AS[who]}` })
const open: { close(): Promise<void> }[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()))
})

type Mode = 'pin' | 'auto' | 'legacy'

async function connect(mode: Mode, who: keyof typeof AS = 'alice') {
  const client = new ModernClient(
    { name: `e2e-v2-${mode}`, version: '0.0.1' },
    mode === 'legacy'
      ? {}
      : { versionNegotiation: { mode: mode === 'pin' ? { pin: '2026-07-28' } : 'auto' } },
  )
  const transport = new ModernTransport(new URL(`${dev().baseUrl}/mcp`), {
    requestInit: { headers: headersOf(who) },
  })
  await client.connect(transport)
  open.push(client)
  return { client, transport }
}

function textOf(result: { content?: unknown }): string {
  const [first] = (result.content ?? []) as { type: string; text?: string }[]
  return first?.type === 'text' ? (first.text ?? '') : JSON.stringify(result.content)
}

describe.each<Mode>(['pin', 'auto'])('the SDK v2 client in %s mode', (mode) => {
  it('speaks 2026-07-28, with no session', async () => {
    const { client, transport } = await connect(mode)
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28')
    expect(transport.sessionId).toBeUndefined()
    expect(client.getServerVersion()).toEqual({ name: 'mcp-workers-demo', version: '0.1.0' })
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['echo', 'countdown', 'score']),
    )
  })

  it('calls echo', async () => {
    const { client } = await connect(mode)
    const result = await client.callTool({ name: 'echo', arguments: { text: `hi from ${mode}` } })
    expect(result.content).toEqual([{ type: 'text', text: `hi from ${mode}` }])
    expect(result.isError).toBeUndefined()
  })

  it('gets every progress notification of countdown, in order, before its result', async () => {
    const { client } = await connect(mode)
    const progress: number[] = []
    const result = await client.callTool(
      { name: 'countdown', arguments: { from: 4, intervalMs: 20 } },
      { onprogress: ({ progress: value }) => progress.push(value) },
    )
    expect(progress).toEqual([1, 2, 3, 4])
    expect(textOf(result)).toBe('Liftoff!')
  })

  it('scores on the leaderboard that every session shares', async () => {
    const { client } = await connect(mode)
    const player = `modern-${mode}-${Date.now()}`
    const scored = await client.callTool({ name: 'score', arguments: { player, points: 7 } })
    expect(textOf(scored)).toBe(`${player} now has 7 points.`)

    const legacy = new Client({ name: 'e2e-v1', version: '0.0.1' })
    await legacy.connect(
      new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`), {
        requestInit: { headers: headersOf('bob') },
      }),
    )
    open.push(legacy)
    const read = await legacy.readResource({ uri: 'leaderboard://scores' })
    const [contents] = read.contents as { text: string }[]
    expect(JSON.parse(contents!.text)).toContainEqual({ player, points: 7 })
  })

  it('keeps notes in a notebook handle across separate requests', async () => {
    const { client } = await connect(mode)
    const remembered = await client.callTool({
      name: 'remember',
      arguments: { key: 'k', note: `kept by ${mode}` },
    })
    const notebook = /in notebook ([0-9a-f]{64})\./.exec(textOf(remembered))?.[1]
    expect(notebook).toBeDefined()
    const { client: again } = await connect(mode)
    const recalled = await again.callTool({ name: 'recall', arguments: { key: 'k', notebook } })
    expect(textOf(recalled)).toBe(`kept by ${mode}`)
    // Bob's request with Alice's notebook: exactly what an unknown id gets.
    const { client: bob } = await connect(mode, 'bob')
    const refused = await bob.callTool({ name: 'recall', arguments: { key: 'k', notebook } })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toBe(`No notebook "${notebook}".`)
    const without = await again.callTool({ name: 'recall', arguments: {} })
    expect(without.isError).toBe(true)
    expect(textOf(without)).toBe('Without a session, pass the notebook id that remember returned.')
  })
})

describe('a listen stream of the SDK v2 client', () => {
  it('hears of a score made by an SDK v1 session, through the leaderboard’s hub', async () => {
    const { client } = await connect('pin')
    const heard: string[] = []
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      heard.push(notification.params.uri)
    })
    const subscription = await client.listen({ resourceSubscriptions: ['leaderboard://scores'] })
    expect(subscription.honoredFilter).toEqual({ resourceSubscriptions: ['leaderboard://scores'] })

    const legacy = new Client({ name: 'e2e-v1', version: '0.0.1' })
    await legacy.connect(
      new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`), {
        requestInit: { headers: headersOf('bob') },
      }),
    )
    open.push(legacy)
    await legacy.callTool({ name: 'score', arguments: { player: 'listened', points: 3 } })
    for (let i = 0; i < 50 && heard.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(heard).toEqual(['leaderboard://scores'])
    await subscription.close()
    expect(await subscription.closed).toBe('local')
  })
})

describe('the SDK v2 client in its default (legacy) mode', () => {
  it('gets a durable session, whose storage works', async () => {
    const { client, transport } = await connect('legacy')
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25')
    expect(transport.sessionId).toMatch(/^[0-9a-f]{64}$/)
    await client.callTool({ name: 'remember', arguments: { key: 'k', note: 'kept' } })
    const recalled = await client.callTool({ name: 'recall', arguments: { key: 'k' } })
    expect(textOf(recalled)).toBe('kept')
  })
})
