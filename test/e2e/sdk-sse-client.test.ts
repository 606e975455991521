/**
 * Legacy HTTP+SSE against a real `npm start`, over real sockets: the official SDK client
 * (`SSEClientTransport`), and a client that vanishes without closing its connection.
 *
 * These run in Node rather than workerd on purpose: inside workerd, `EventTarget` also calls an
 * `on<type>` property on dispatch, so the `eventsource` package the SDK client uses delivers
 * every message twice there.
 */
import http from 'node:http'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { Progress } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type DevServer, startDevServer } from './dev-server'

/** A short keepalive, so a vanished client is noticed quickly. */
const KEEPALIVE_MS = 250
/** Reply connections are closed this early, so long calls go through resumption. */
const STREAM_MAX_MS = 300

let server: DevServer | undefined
const clients: Client[] = []

function dev(): DevServer {
  if (!server) throw new Error('the dev server did not start')
  return server
}

beforeAll(async () => {
  server = await startDevServer({
    args: [
      '--var',
      `SSE_KEEPALIVE_MS:${KEEPALIVE_MS}`,
      '--var',
      `SSE_STREAM_MAX_MS:${STREAM_MAX_MS}`,
    ],
  })
})

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
})

afterAll(async () => {
  await server?.stop()
})

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'sdk-sse-e2e', version: '1.0.0' })
  await client.connect(transport)
  clients.push(client)
  return client
}

const sse = () => new SSEClientTransport(new URL(`${dev().baseUrl}/sse`))
const streamable = () => new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`))

const COUNTDOWN_PROGRESS = [
  { progress: 1, total: 3, message: '2 left' },
  { progress: 2, total: 3, message: '1 left' },
  { progress: 3, total: 3, message: '0 left' },
]

/**
 * Checks the progress the SDK client delivered: in order, all before the result. The client may
 * drop the last one when it arrives in the same chunk as the result: it runs notification
 * handlers a microtask later but settles responses at once, and then finds the token retired
 * (modelcontextprotocol/typescript-sdk#2580). The wire order is checked exactly below.
 */
function expectProgressBeforeResult(seen: unknown[]): void {
  expect(seen.at(-1)).toBe('result')
  const delivered = seen.slice(0, -1)
  expect(delivered.length).toBeGreaterThanOrEqual(COUNTDOWN_PROGRESS.length - 1)
  expect(delivered).toEqual(COUNTDOWN_PROGRESS.slice(0, delivered.length))
}

/** Runs every demo tool; returns the results in order and, separately, the countdown's progress. */
async function exercise(client: Client): Promise<{ results: unknown[]; progress: unknown[] }> {
  const seen: unknown[] = []
  seen.push((await client.listTools()).tools.map((t) => t.name))
  seen.push(await client.callTool({ name: 'echo', arguments: { text: 'same on both' } }))
  seen.push(await client.callTool({ name: 'remember', arguments: { key: 'k', note: 'v' } }))
  seen.push(await client.callTool({ name: 'recall', arguments: { key: 'k' } }))
  seen.push(await client.callTool({ name: 'recall', arguments: { key: 'missing' } }))
  const progress: Array<Progress | 'result'> = []
  // 50 ms apart, each notification is a read of its own for the client even on a busy machine
  // (5 ms apart, a stalled client read all three with the result, and kept none of them).
  const result = await client.callTool(
    { name: 'countdown', arguments: { from: 3, intervalMs: 50 } },
    undefined,
    { onprogress: (p) => progress.push(p) },
  )
  progress.push('result')
  seen.push(result)
  return { results: seen, progress }
}

describe('SDK client over legacy HTTP+SSE', () => {
  it('connects through the endpoint event', async () => {
    const client = await connect(sse())
    expect(client.getServerVersion()).toEqual({ name: 'mcp-workers-demo', version: '0.1.0' })
    expect(await client.ping()).toEqual({})
  })

  it('calls every demo tool, with progress in order before the result', async () => {
    const { results, progress } = await exercise(await connect(sse()))
    expectProgressBeforeResult(progress)
    expect(results).toEqual([
      ['echo', 'remember', 'recall', 'countdown', 'score'],
      { content: [{ type: 'text', text: 'same on both' }] },
      { content: [{ type: 'text', text: 'Remembered "k".' }] },
      { content: [{ type: 'text', text: 'v' }] },
      { content: [{ type: 'text', text: 'No note named "missing".' }], isError: true },
      { content: [{ type: 'text', text: 'Liftoff!' }] },
    ])
  })

  it('puts every progress notification on the wire, in order, before the result', async () => {
    const { baseUrl } = dev()
    const stream = await openRawSse(baseUrl)
    const post = (body: object) =>
      fetch(`${baseUrl}/messages?sessionId=${stream.sessionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const init = {
      protocolVersion: '2024-11-05',
      capabilities: {},
      clientInfo: { name: 'raw', version: '0' },
    }
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: init })).status).toBe(
      202,
    )
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' })
    const call = {
      name: 'countdown',
      arguments: { from: 3, intervalMs: 0 },
      _meta: { progressToken: 'w' },
    }
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: call })).status).toBe(
      202,
    )
    const messages = await stream.messages(4)
    stream.request.destroy()
    expect(messages).toEqual([
      ...COUNTDOWN_PROGRESS.map((p) => ({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 'w', ...p },
      })),
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'Liftoff!' }] } },
    ])
  })

  it('behaves identically to Streamable HTTP', async () => {
    const overSse = await exercise(await connect(sse()))
    const overMcp = await exercise(await connect(streamable()))
    expect(overSse.results).toEqual(overMcp.results)
    expectProgressBeforeResult(overSse.progress)
    expectProgressBeforeResult(overMcp.progress)
  })

  it('a Streamable HTTP call that outlives its connection is resumed by the client', async () => {
    const resumes: string[] = []
    const countingFetch = (url: string | URL, init?: RequestInit) => {
      const lastEventId = new Headers(init?.headers).get('last-event-id')
      if (lastEventId !== null) resumes.push(lastEventId)
      return fetch(url, init)
    }
    const client = await connect(
      new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`), { fetch: countingFetch }),
    )
    const progress: Array<Progress | 'result'> = []
    const result = await client.callTool(
      { name: 'countdown', arguments: { from: 8, intervalMs: 100 } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    )
    progress.push('result')
    expect(result).toEqual({ content: [{ type: 'text', text: 'Liftoff!' }] })
    // The server cut the connection and the client resumed it from where it was.
    expect(resumes.length).toBeGreaterThanOrEqual(1)
    for (const id of resumes) expect(id).toMatch(/^p\d+_\d+$/)
    // Every progress still arrived once, in order.
    const delivered = progress.slice(0, -1) as Progress[]
    expect(delivered.length).toBeGreaterThanOrEqual(7)
    expect(delivered.map((p) => p.progress)).toEqual(
      Array.from({ length: delivered.length }, (_, i) => i + 1),
    )
  })

  it('keeps concurrent calls apart on one stream', async () => {
    const client = await connect(sse())
    const texts = Array.from({ length: 20 }, (_, i) => `call ${i}`)
    const results = await Promise.all(
      texts.map((text) => client.callTool({ name: 'echo', arguments: { text } })),
    )
    expect(results).toEqual(texts.map((text) => ({ content: [{ type: 'text', text }] })))
  })
})

/** A `GET /sse` held on a raw socket. */
interface RawSse {
  readonly sessionId: string
  readonly request: http.ClientRequest
  /** Waits for `count` `event: message` frames after the initialize result; returns them parsed. */
  messages(count: number): Promise<unknown[]>
}

/** Opens `GET /sse` on a raw socket and resolves once the endpoint event has arrived. */
function openRawSse(baseUrl: string): Promise<RawSse> {
  let text = ''
  const waiters: Array<() => void> = []
  const frames = () =>
    text
      .slice(0, text.lastIndexOf('\n\n') + 1)
      .split('\n\n')
      .filter((block) => block.startsWith('event: message\ndata: '))
      .map((block) => JSON.parse(block.split('\n')[1]!.slice('data: '.length)) as unknown)
  const messages = async (count: number) => {
    // The first message on the stream is the initialize result.
    while (frames().length < count + 1) await new Promise<void>((wake) => waiters.push(wake))
    return frames().slice(1, count + 1)
  }
  return new Promise((resolve, reject) => {
    const headers = { accept: 'text/event-stream' }
    const request = http.get(`${baseUrl}/sse`, { headers }, (res) => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        for (const wake of waiters.splice(0)) wake()
        const sessionId = /sessionId=([0-9a-f]{64})/.exec(text)?.[1]
        if (sessionId) resolve({ sessionId, request, messages })
      })
      res.on('error', () => undefined)
    })
    request.on('error', reject)
  })
}

describe('a client that vanishes', () => {
  it('can reconnect at once: the new connection takes the stream over', async () => {
    const { baseUrl } = dev()
    const { sessionId, request } = await openRawSse(baseUrl)
    // Drop the socket without any goodbye; the server has not noticed yet.
    request.destroy()
    const droppedAt = Date.now()
    const res = await fetch(`${baseUrl}/sse?sessionId=${sessionId}`, {
      headers: { accept: 'text/event-stream' },
    })
    expect(res.status).toBe(200)
    // No waiting for keepalives to find the old connection dead (it took ~3 intervals).
    expect(Date.now() - droppedAt).toBeLessThan(KEEPALIVE_MS)
    // The first event may arrive in more than one chunk.
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let first = ''
    while (!first.includes('\n\n')) {
      const { value, done } = await reader.read()
      if (done) break
      first += decoder.decode(value, { stream: true })
    }
    expect(first.slice(0, first.indexOf('\n\n') + 2)).toBe(
      `event: endpoint\ndata: /messages?sessionId=${sessionId}\n\n`,
    )
    await reader.cancel()
  })
})
