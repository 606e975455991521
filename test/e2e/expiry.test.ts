/**
 * Idle expiry with a real alarm: `npm start` with a one-second TTL. Invariant: an idle session of
 * either transport is ended by its own alarm (its id answers 404), and a client can start anew.
 */
import { describe, expect, it } from 'vitest'
import { INITIALIZE, MCP_POST_HEADERS, useDevServer } from './dev-server'

const TTL_MS = 1_000

// A short keepalive too: a dropped stream counts as activity until the keepalive notices it.
const dev = useDevServer({
  args: ['--var', `SESSION_TTL_MS:${TTL_MS}`, '--var', 'SSE_KEEPALIVE_MS:200'],
})

async function startMcpSession(): Promise<string> {
  const res = await fetch(`${dev().baseUrl}/mcp`, {
    method: 'POST',
    headers: MCP_POST_HEADERS,
    body: JSON.stringify(INITIALIZE),
  })
  expect(res.status).toBe(200)
  await res.text()
  return res.headers.get('mcp-session-id')!
}

function ping(sessionId: string): Promise<Response> {
  return fetch(`${dev().baseUrl}/mcp`, {
    method: 'POST',
    headers: { ...MCP_POST_HEADERS, 'mcp-session-id': sessionId },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  })
}

/** Starts a legacy session, reads its endpoint, and drops the stream. */
async function startLegacySession(): Promise<string> {
  const controller = new AbortController()
  const res = await fetch(`${dev().baseUrl}/sse`, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  })
  const reader = res.body!.getReader()
  let text = ''
  while (!/sessionId=[0-9a-f]{64}/.test(text)) {
    const { value, done } = await reader.read()
    if (done) break
    text += new TextDecoder().decode(value)
  }
  controller.abort()
  return /sessionId=([0-9a-f]{64})/.exec(text)![1]!
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('idle expiry with a real alarm', () => {
  it('ends idle sessions of both transports; their ids answer 404; a new session works', async () => {
    const mcp = await startMcpSession()
    const legacy = await startLegacySession()
    const alive = await ping(mcp)
    expect(alive.status).toBe(200)
    await alive.text()

    await wait(4 * TTL_MS)

    const gone = await ping(mcp)
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32001, message: 'Session not found' },
    })
    const legacyGone = await fetch(`${dev().baseUrl}/messages?sessionId=${legacy}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }),
    })
    expect(legacyGone.status).toBe(404)
    await legacyGone.text()

    const fresh = await ping(await startMcpSession())
    expect(fresh.status).toBe(200)
    await fresh.text()
  })
})

describe('a session no client used, with a real alarm', () => {
  // A one-second TTL for unused sessions; the full TTL stays at its default (24 h).
  const probe = useDevServer({ args: ['--var', `SESSION_UNUSED_TTL_MS:${TTL_MS}`] })

  const post = (body: unknown, sessionId?: string) =>
    fetch(`${probe().baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, ...(sessionId && { 'mcp-session-id': sessionId }) },
      body: JSON.stringify(body),
    })

  it('ends a session whose client only initialized (a probe); a used session lives on', async () => {
    const open = async () => {
      const res = await post(INITIALIZE)
      await res.text()
      const sessionId = res.headers.get('mcp-session-id')!
      const ack = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)
      expect(ack.status).toBe(202)
      return sessionId
    }
    const probed = await open()
    const used = await open()
    const list = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, used)
    expect(list.status).toBe(200)
    await list.text()

    await wait(4 * TTL_MS)

    const gone = await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, probed)
    expect(gone.status).toBe(404)
    expect(await gone.json()).toMatchObject({ error: { code: -32001 } })
    const alive = await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, used)
    expect(alive.status).toBe(200)
    expect(await alive.json()).toEqual({ jsonrpc: '2.0', id: 3, result: {} })
  })
})
