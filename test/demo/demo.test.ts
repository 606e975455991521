/**
 * The demo server in `src/mcp/`, as `npm start` serves it: these are the tests to change with
 * the demo (every other test runs against the frozen copy in `test/fixtures/app/` and does not
 * notice). Adding a tool breaks none of them; changing or removing a demo tool breaks the test
 * named after it, and only that one.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { server } from '../../src/mcp/server'
import { serverEntries } from '../../src/server-entries'
import { modern, postModern } from '../helpers/modern'
import { appFetch, BASE } from '../helpers/requests'

const clients: Client[] = []

async function connect(): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), { fetch: appFetch })
  const client = new Client({ name: 'demo-test', version: '1.0.0' })
  await client.connect(transport)
  clients.push(client)
  return client
}

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
})

/** The text of a tool result's first content block. */
const textOf = (result: unknown) =>
  (result as { content: Array<{ type: string; text: string }> }).content[0]?.text

describe('demo: the server in src/mcp/', () => {
  it('demo: lists exactly the tools its definition registers, each with a schema', async () => {
    const client = await connect()
    const { tools } = await client.listTools()
    const registered = serverEntries(server).tools.map((tool) => tool.name)
    expect(tools.map((t) => t.name)).toEqual(registered)
    for (const tool of tools) expect(tool.inputSchema.type).toBe('object')
  })

  it('demo: echo returns its text', async () => {
    const client = await connect()
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
    expect(result).toEqual({ content: [{ type: 'text', text: 'hi' }] })
  })

  it('demo: remember and recall keep a note on the session', async () => {
    const client = await connect()
    await client.callTool({ name: 'remember', arguments: { key: 'k', note: 'kept' } })
    expect(textOf(await client.callTool({ name: 'recall', arguments: { key: 'k' } }))).toBe('kept')
  })

  it('demo: recall returns a notebook a page at a time, within a byte budget', async () => {
    const client = await connect()
    const note = 'x'.repeat(64 * 1024)
    for (let i = 0; i < 9; i++) {
      await client.callTool({ name: 'remember', arguments: { key: `n${i}`, note } })
    }
    const lines = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `n${from + i}: ${note}`).join('\n')
    const more = (cursor: string) => ({
      type: 'text',
      text: `More notes follow: call recall with cursor "${cursor}" for the next page.`,
    })
    // 512 KiB a page: seven notes of 64 KiB, whatever the limit.
    expect(await client.callTool({ name: 'recall', arguments: {} })).toEqual({
      content: [{ type: 'text', text: lines(0, 7) }, more('n6')],
    })
    expect(
      await client.callTool({ name: 'recall', arguments: { limit: 1, cursor: 'n6' } }),
    ).toEqual({ content: [{ type: 'text', text: lines(7, 8) }, more('n7')] })
    expect(await client.callTool({ name: 'recall', arguments: { cursor: 'n7' } })).toEqual({
      content: [{ type: 'text', text: lines(8, 9) }],
    })
    expect(await client.callTool({ name: 'recall', arguments: { cursor: 'n8' } })).toEqual({
      content: [{ type: 'text', text: 'No more notes after "n8".' }],
    })
  })

  it('demo: without a session, remember mints a notebook that recall reads', async () => {
    const minted = await postModern(
      modern('tools/call', { name: 'remember', arguments: { key: 'k', note: 'in a notebook' } }),
    )
    expect(minted.status).toBe(200)
    const said = textOf(((await minted.json()) as { result: unknown }).result)
    const id = /notebook (\S+)\.$/.exec(said ?? '')?.[1]
    expect(id).toBeDefined()
    const read = await postModern(
      modern('tools/call', { name: 'recall', arguments: { key: 'k', notebook: id } }),
    )
    expect(textOf(((await read.json()) as { result: unknown }).result)).toBe('in a notebook')
  })

  it('demo: countdown reports each step as progress, then lifts off', async () => {
    const client = await connect()
    const steps: number[] = []
    const result = await client.callTool(
      { name: 'countdown', arguments: { from: 3, intervalMs: 0 } },
      undefined,
      { onprogress: (p) => steps.push(p.progress) },
    )
    expect(steps).toEqual([1, 2, 3])
    expect(textOf(result)).toBe('Liftoff!')
  })

  it('demo: score adds points and the leaderboard resource ranks them', async () => {
    const client = await connect()
    const player = `p-${crypto.randomUUID()}`
    expect(textOf(await client.callTool({ name: 'score', arguments: { player, points: 7 } }))).toBe(
      `${player} now has 7 points.`,
    )
    const { contents } = await client.readResource({ uri: 'leaderboard://scores' })
    const ranked = JSON.parse((contents[0] as { text: string }).text) as Array<{
      player: string
      points: number
    }>
    expect(ranked).toContainEqual({ player, points: 7 })
  })

  it('demo: the leaderboard keeps the 100 highest players; one below them is told so', async () => {
    const score = async (player: string, points: number, id: number) => {
      const res = await postModern(
        modern('tools/call', { name: 'score', arguments: { player, points } }, id),
      )
      return textOf(((await res.json()) as { result: unknown }).result)
    }
    const players = Array.from({ length: 100 }, (_, i) => `top-${i}`)
    for (const [i, player] of players.entries()) {
      expect(await score(player, 100 + i, i)).toBe(`${player} now has ${100 + i} points.`)
    }
    expect(await score('late', 5, 200)).toBe(
      'late did not make the top 100: the leaderboard keeps only the 100 highest scores.',
    )
    const res = await postModern(modern('resources/read', { uri: 'leaderboard://scores' }, 201))
    const body = (await res.json()) as { result: { contents: Array<{ text: string }> } }
    expect(JSON.parse(body.result.contents[0]!.text)).toEqual(
      players.map((player, i) => ({ player, points: 100 + i })).reverse(),
    )
  }, 60_000)
})
