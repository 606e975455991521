/**
 * The logging plugin: one line per HTTP request in the Worker and one per JSON-RPC request in
 * the object, tied by the request id; no bodies, no tokens, secrets redacted.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { logLines } from '../fixtures/secure/worker'
import { LegacyStream } from '../helpers/legacy-sse'
import { fetchApp, MSG, postMcp } from '../helpers/requests'
import { auth, token } from '../helpers/tokens'

type Line = Record<string, unknown>
const lines = (): Line[] => logLines.map((line) => JSON.parse(line) as Line)

beforeEach(() => {
  logLines.length = 0
})

describe('mcpLogger', () => {
  it('logs each HTTP request and each JSON-RPC request, tied by the request id', async () => {
    const headers = await auth('alice', { scope: 'notes:write' })
    const init = await postMcp(MSG.initialize(), headers)
    await init.text()
    const sessionId = init.headers.get('mcp-session-id')!
    const res = await postMcp(
      MSG.call('remember', { key: 'k', note: 'n', password: 'hunter2' }, 9),
      {
        ...headers,
        'mcp-session-id': sessionId,
        'x-request-id': 'req-42',
      },
    )
    await res.text()
    await new Promise((resolve) => setTimeout(resolve, 10))

    const http = lines().filter((l) => l.type === 'http' && l.requestId === 'req-42')
    expect(http).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        type: 'http',
        requestId: 'req-42',
        method: 'POST',
        path: '/mcp',
        status: 200,
        durationMs: expect.any(Number),
        transport: 'streamable-http',
        era: 'legacy',
        sessionId,
        principal: 'oauth:alice',
      },
    ])
    const rpc = lines().filter((l) => l.type === 'rpc' && l.requestId === 'req-42')
    expect(rpc).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        type: 'rpc',
        era: 'legacy',
        requestId: 'req-42',
        sessionId,
        principal: 'oauth:alice',
        method: 'tools/call',
        name: 'remember',
        id: 9,
        durationMs: expect.any(Number),
        outcome: 'ok',
        arguments: { key: 'k', note: 'n', password: '[REDACTED]' },
      },
    ])
  })

  it('logs errors with their code, at warn', async () => {
    const headers = await auth('bob')
    const init = await postMcp(MSG.initialize(), headers)
    await init.text()
    const res = await postMcp(
      { jsonrpc: '2.0', id: 3, method: 'nope/nope' },
      {
        ...headers,
        'mcp-session-id': init.headers.get('mcp-session-id')!,
      },
    )
    await res.text()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(lines().find((l) => l.type === 'rpc' && l.method === 'nope/nope')).toMatchObject({
      level: 'warn',
      outcome: 'error',
      errorCode: -32601,
    })
  })

  it('logs a request the client cancelled once, as cancelled, under its own request id', async () => {
    const headers = await auth('carol')
    const init = await postMcp(MSG.initialize(), headers)
    await init.text()
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! }
    const res = await postMcp(
      MSG.call('countdown', { from: 5, intervalMs: 200 }, 11, { progressToken: 'c' }),
      { ...session, 'x-request-id': 'req-call' },
    )
    const stream = new LegacyStream(res)
    await stream.next() // the priming event
    expect(await stream.nextMessage()).toMatchObject({ method: 'notifications/progress' })
    const cancel = {
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 11, reason: 'user' },
    }
    const ack = await postMcp(cancel, { ...session, 'x-request-id': 'req-cancel' })
    expect(ack.status).toBe(202)
    expect(await stream.ended()).toBe(true)
    const rpc = lines().filter((l) => l.type === 'rpc' && l.method === 'tools/call')
    expect(rpc).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        type: 'rpc',
        era: 'legacy',
        requestId: 'req-call',
        sessionId: session['mcp-session-id'],
        principal: 'oauth:carol',
        method: 'tools/call',
        name: 'countdown',
        id: 11,
        durationMs: expect.any(Number),
        outcome: 'cancelled',
        arguments: { from: 5, intervalMs: 200 },
      },
    ])
  })

  it('logs refused requests (401, 403) without the token', async () => {
    const secret = await token('alice')
    await (await postMcp(MSG.initialize(), { authorization: `Bearer ${secret}x` })).text()
    await (
      await fetchApp('/mcp', { method: 'POST', headers: { origin: 'https://evil.example' } })
    ).text()
    const http = lines().filter((l) => l.type === 'http')
    expect(http.map((l) => [l.status, l.level])).toEqual([
      [401, 'warn'],
      [403, 'warn'],
    ])
    expect(logLines.join('\n')).not.toContain(secret.slice(0, 20))
  })
})

describe('mcpLogger and what clients control', () => {
  /** What a line holds of a client's string longer than 256 characters. */
  const cut = (value: string) => `${value.slice(0, 256)}…(${value.length} chars)`

  it('copies at most 256 characters of a session id from the header or the query, unauthenticated', async () => {
    const header = 'h'.repeat(256 * 1024)
    await (await postMcp(MSG.ping(), { 'mcp-session-id': header, 'x-request-id': 'long-1' })).text()
    const query = `q${'%22'.repeat(3_000)}`
    await (await fetchApp(`/messages?sessionId=${query}`, { method: 'POST' })).text()
    await (await fetchApp(`/sse?sessionId=${'s'.repeat(5_000)}`)).text()
    const http = lines().filter((l) => l.type === 'http')
    expect(http.map((l) => [l.status, l.path, l.sessionId])).toEqual([
      [401, '/mcp', cut(header)],
      [401, '/messages', cut(`q${'"'.repeat(3_000)}`)],
      [401, '/sse', cut('s'.repeat(5_000))],
    ])
    for (const line of logLines) expect(line.length).toBeLessThan(1_000)
  })

  it('copies at most 256 characters of a path, a method or a tool name', async () => {
    const headers = await auth('alice')
    const init = await postMcp(MSG.initialize(), headers)
    await init.text()
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! }
    const name = 'n'.repeat(3 * 1024 * 1024)
    await (await postMcp(MSG.call(name, {}, 21), { ...session, 'x-request-id': 'long-2' })).text()
    const method = `m/${'m'.repeat(100_000)}`
    await (
      await postMcp({ jsonrpc: '2.0', id: 22, method }, { ...session, 'x-request-id': 'long-3' })
    ).text()
    const path = `/${'p'.repeat(10_000)}`
    await (await fetchApp(path, { headers: { 'x-request-id': 'long-4' } })).text()
    await new Promise((resolve) => setTimeout(resolve, 10))
    const rpc = lines().filter((l) => l.type === 'rpc')
    expect(rpc.find((l) => l.requestId === 'long-2')).toMatchObject({
      method: 'tools/call',
      name: cut(name),
    })
    expect(rpc.find((l) => l.requestId === 'long-3')).toMatchObject({ method: cut(method) })
    expect(lines().find((l) => l.requestId === 'long-4')).toMatchObject({
      type: 'http',
      status: 404,
      path: cut(path),
    })
    for (const line of logLines) expect(line.length).toBeLessThan(1_000)
  })
})
