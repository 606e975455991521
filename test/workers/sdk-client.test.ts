/**
 * The official SDK client over Streamable HTTP, against the app: what a real MCP client sees.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Progress } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { appFetch, BASE } from '../helpers/requests'

const clients: Client[] = []

async function connect(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), { fetch: appFetch })
  const client = new Client({ name: 'sdk-test', version: '1.0.0' })
  await client.connect(transport)
  clients.push(client)
  return { client, transport }
}

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
})

describe('SDK client over Streamable HTTP', () => {
  it('connects and negotiates the latest revision', async () => {
    const { client, transport } = await connect()
    expect(transport.sessionId).toMatch(/^[0-9a-f]{64}$/)
    expect(transport.protocolVersion).toBe('2025-11-25')
    expect(client.getServerVersion()).toEqual({ name: 'mcp-workers-demo', version: '0.1.0' })
    expect(client.getServerCapabilities()).toEqual({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
    })
  })

  it('lists the demo tools with their schemas', async () => {
    const { client } = await connect()
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(['echo', 'remember', 'recall', 'countdown', 'score'])
    const echo = tools.find((t) => t.name === 'echo')!
    expect(echo.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    })
  })

  it('calls echo', async () => {
    const { client } = await connect()
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hi there' } })
    expect(result).toEqual({ content: [{ type: 'text', text: 'hi there' }] })
  })

  it('remembers and recalls notes within a session, and not across sessions', async () => {
    const { client } = await connect()
    await client.callTool({ name: 'remember', arguments: { key: 'color', note: 'blue' } })
    await client.callTool({ name: 'remember', arguments: { key: 'size', note: 'large' } })
    expect(await client.callTool({ name: 'recall', arguments: { key: 'color' } })).toEqual({
      content: [{ type: 'text', text: 'blue' }],
    })
    expect(await client.callTool({ name: 'recall', arguments: {} })).toEqual({
      content: [{ type: 'text', text: 'color: blue\nsize: large' }],
    })
    const { client: other } = await connect()
    expect(await other.callTool({ name: 'recall', arguments: { key: 'color' } })).toEqual({
      content: [{ type: 'text', text: 'No note named "color".' }],
      isError: true,
    })
  })

  it('recalls a notebook a page at a time: at most `limit` notes, then a cursor to go on', async () => {
    const { client } = await connect()
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      await client.callTool({ name: 'remember', arguments: { key, note: key.toUpperCase() } })
    }
    const more = (cursor: string) => ({
      type: 'text',
      text: `More notes follow: call recall with cursor "${cursor}" for the next page.`,
    })
    expect(await client.callTool({ name: 'recall', arguments: { limit: 2 } })).toEqual({
      content: [{ type: 'text', text: 'a: A\nb: B' }, more('b')],
    })
    expect(await client.callTool({ name: 'recall', arguments: { limit: 2, cursor: 'b' } })).toEqual(
      { content: [{ type: 'text', text: 'c: C\nd: D' }, more('d')] },
    )
    expect(await client.callTool({ name: 'recall', arguments: { cursor: 'd' } })).toEqual({
      content: [{ type: 'text', text: 'e: E' }],
    })
    expect(await client.callTool({ name: 'recall', arguments: { cursor: 'e' } })).toEqual({
      content: [{ type: 'text', text: 'No more notes after "e".' }],
    })
    for (const limit of [0, 101]) {
      const refused = await client.callTool({ name: 'recall', arguments: { limit } })
      expect(refused).toMatchObject({ isError: true })
    }
  })

  it('recalls at most 512 KiB of notes a page, however many the limit allows', async () => {
    const { client } = await connect()
    const note = 'é'.repeat(32 * 1024)
    for (let i = 0; i < 9; i++) {
      await client.callTool({ name: 'remember', arguments: { key: `n${i}`, note } })
    }
    // Each note is 64 KiB of UTF-8: seven fill a page.
    const page = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `n${from + i}: ${note}`).join('\n')
    expect(await client.callTool({ name: 'recall', arguments: {} })).toEqual({
      content: [
        { type: 'text', text: page(0, 7) },
        {
          type: 'text',
          text: 'More notes follow: call recall with cursor "n6" for the next page.',
        },
      ],
    })
    expect(await client.callTool({ name: 'recall', arguments: { cursor: 'n6' } })).toEqual({
      content: [{ type: 'text', text: page(7, 9) }],
    })
  })

  it('receives countdown progress in order, before the result', async () => {
    const { client } = await connect()
    const seen: Array<Progress | 'result'> = []
    const result = await client.callTool(
      { name: 'countdown', arguments: { from: 4, intervalMs: 5 } },
      undefined,
      {
        onprogress: (progress) => seen.push(progress),
      },
    )
    seen.push('result')
    expect(result).toEqual({ content: [{ type: 'text', text: 'Liftoff!' }] })
    expect(seen).toEqual([
      { progress: 1, total: 4, message: '3 left' },
      { progress: 2, total: 4, message: '2 left' },
      { progress: 3, total: 4, message: '1 left' },
      { progress: 4, total: 4, message: '0 left' },
      'result',
    ])
  })

  it('terminates its session with DELETE', async () => {
    const { client, transport } = await connect()
    await transport.terminateSession()
    expect(transport.sessionId).toBeUndefined()
    await expect(client.listTools()).rejects.toThrow()
  })
})
