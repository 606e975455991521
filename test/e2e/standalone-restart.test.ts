/**
 * A connected client's standalone stream across a kill and restart of `npm start` on the same
 * persisted state. The Worker that held the stream dies with the process, so the client's SDK
 * reconnects by itself with `Last-Event-ID`; after that, updates reach it as before, and
 * nothing reaches it twice.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevServer, getFreePort, startDevServer } from './dev-server'

/** The test app's shared leaderboard. */
const LEADERBOARD_URI = 'leaderboard://scores'

/** Polls `ready` every 50 ms for up to `ms`. */
async function waitFor(ready: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('a standalone stream across a restart of npm start', () => {
  let dir = ''
  let port = 0
  let server: DevServer | undefined
  const clients: Client[] = []
  /** The `Last-Event-ID` of every GET of the subscriber's transport that the server took. */
  const resumes: Array<string | null> = []
  const updates: string[] = []

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-e2e-standalone-'))
    port = await getFreePort()
    server = await startDevServer({ persistTo: dir, port })
  })

  afterAll(async () => {
    try {
      for (const client of clients.splice(0)) await client.close().catch(() => undefined)
      await server?.stop()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  async function connect(track = false): Promise<Client> {
    const url = new URL(`http://127.0.0.1:${port}/mcp`)
    const transport = new StreamableHTTPClientTransport(url, {
      // The restart takes seconds; the SDK's default gives up after two tries.
      reconnectionOptions: {
        initialReconnectionDelay: 500,
        maxReconnectionDelay: 1_000,
        reconnectionDelayGrowFactor: 1,
        maxRetries: 60,
      },
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        if (track && (init?.method ?? 'GET') === 'GET' && res.ok) {
          resumes.push(new Headers(init?.headers).get('last-event-id'))
        }
        return res
      },
    })
    const client = new Client({ name: 'standalone-restart', version: '1.0.0' })
    await client.connect(transport)
    clients.push(client)
    return client
  }

  async function score(player: string): Promise<void> {
    const scorer = await connect()
    await scorer.callTool({ name: 'score', arguments: { player, points: 1 } })
    await scorer.close()
  }

  it('gets updates on its stream, then keeps getting them after a kill and restart', async () => {
    const subscriber = await connect(true)
    subscriber.setNotificationHandler(ResourceUpdatedNotificationSchema, ({ params }) => {
      updates.push(params.uri)
    })
    await subscriber.subscribeResource({ uri: LEADERBOARD_URI })
    await waitFor(() => resumes.length === 1, 'the standalone stream to open')
    expect(resumes).toEqual([null])
    await score('before')
    await waitFor(() => updates.length === 1, 'the first update')

    await server?.stop()
    server = await startDevServer({ persistTo: dir, port })
    // The SDK reconnects by itself, with the id of the last event it got from the stream.
    await waitFor(() => resumes.length >= 2, 'the client to reconnect')
    expect(resumes.slice(1).every((id) => id !== null && /^get_\d+$/.test(id))).toBe(true)

    await score('after')
    await waitFor(() => updates.length === 2, 'the update after the restart')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(updates).toEqual([LEADERBOARD_URI, LEADERBOARD_URI])
  })
})
