/**
 * The stateless 2026-07-28 leg of `/mcp`, on the default app inside workerd: a modern request is
 * answered by SDK v2 in the Worker from the same server definition the sessions use, wakes and
 * creates no session object, streams its progress, reaches shared resources, and still gets the
 * plugins (auth) and CORS.
 */
import { listDurableObjectIds } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createApp } from '../../routes/app'
import { defineMcpServer } from '../../src/define-mcp-server'
import worker from '../../src/index'
import { server } from '../fixtures/app/server'
import { ENVELOPE, expectModernError, modern, postModern, standardHeaders } from '../helpers/modern'
import { ACCEPT_BOTH, BASE, fetchApp, MSG, openSession, postMcp } from '../helpers/requests'
import { parseSSE } from '../helpers/sse'

const SERVER_INFO = {
  'io.modelcontextprotocol/serverInfo': { name: server.name, version: server.version },
}

/** A modern POST /mcp of `body`, with its standard headers and `headers`. */
function modernRequest(
  body: { method: string; params?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Request {
  return new Request(`${BASE}/mcp`, {
    method: 'POST',
    headers: {
      accept: ACCEPT_BOTH,
      'content-type': 'application/json',
      ...standardHeaders(body),
      ...headers,
    },
    body: JSON.stringify(body),
  })
}

async function resultOf(res: Response, id: number | string = 1): Promise<Record<string, unknown>> {
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  expect(res.headers.has('mcp-session-id')).toBe(false)
  const body = (await res.json()) as {
    jsonrpc: string
    id: unknown
    result: Record<string, unknown>
  }
  expect(body).toMatchObject({ jsonrpc: '2.0', id })
  return body.result
}

describe('a 2026-07-28 request', () => {
  it('server/discover: the identity of initialize, the modern revision, what the leg serves', async () => {
    const result = await resultOf(await postModern(modern('server/discover')))
    expect(result).toMatchObject({
      supportedVersions: ['2026-07-28'],
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: SERVER_INFO,
    })
    expect(result.instructions).toEqual(server.instructions)
    // subscriptions/listen streams hear of list changes and of every write to a shared resource.
    expect(result.capabilities).toMatchObject({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
    })
  })

  it('wakes and creates no session object', async () => {
    const before = (await listDurableObjectIds(env.SESSION_DO)).length
    await (await postModern(modern('server/discover'))).text()
    await (await postModern(modern('tools/list', {}, 2))).text()
    await (
      await postModern(modern('tools/call', { name: 'echo', arguments: { text: 'x' } }, 3))
    ).text()
    await (
      await postModern(
        modern('tools/call', { name: 'score', arguments: { player: 'p', points: 1 } }, 4),
      )
    ).text()
    expect(await listDurableObjectIds(env.SESSION_DO)).toHaveLength(before)
  })

  it('tools/call: a JSON result with resultType and the server identity', async () => {
    const res = await postModern(
      modern('tools/call', { name: 'echo', arguments: { text: 'hi' } }, 7),
    )
    expect(await resultOf(res, 7)).toEqual({
      content: [{ type: 'text', text: 'hi' }],
      resultType: 'complete',
      _meta: SERVER_INFO,
    })
  })

  it('carries the request id back, the client’s when it is sane, on JSON and SSE replies', async () => {
    const json = await postModern(modern('server/discover'), { 'x-request-id': 'modern-req-1' })
    expect(json.headers.get('x-request-id')).toBe('modern-req-1')
    const sse = await postModern(
      modern('tools/call', { name: 'countdown', arguments: { from: 1, intervalMs: 0 } }, 2, {
        progressToken: 1,
      }),
      { 'x-request-id': 'modern-req-2' },
    )
    expect(sse.headers.get('content-type')).toBe('text/event-stream')
    expect(sse.headers.get('x-request-id')).toBe('modern-req-2')
    await sse.text()
    const refused = await postModern(modern('ping'), { 'x-request-id': 'bad id!' })
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('tools/list: every tool of the definition, schemas in JSON Schema 2020-12, cache hints', async () => {
    const result = await resultOf(await postModern(modern('tools/list')))
    const tools = result.tools as { name: string; inputSchema: Record<string, unknown> }[]
    expect(tools.map((tool) => tool.name)).toEqual([
      'echo',
      'remember',
      'recall',
      'countdown',
      'score',
    ])
    expect(tools[0]!.inputSchema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { text: { type: 'string' } },
    })
    expect(result).toMatchObject({ ttlMs: 0, cacheScope: 'private', resultType: 'complete' })
  })

  it('with a progressToken: an SSE stream of each progress notification, then the result', async () => {
    const res = await postModern(
      modern('tools/call', { name: 'countdown', arguments: { from: 3, intervalMs: 0 } }, 9, {
        progressToken: 'tok',
      }),
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    expect(res.headers.has('mcp-session-id')).toBe(false)
    const { events } = parseSSE(await res.text())
    expect(events.map((event) => [event.event, event.id])).toEqual([
      ['message', undefined],
      ['message', undefined],
      ['message', undefined],
      ['message', undefined],
    ])
    expect(events.map((event) => JSON.parse(event.data))).toEqual([
      ...[1, 2, 3].map((progress) => ({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 'tok', progress, total: 3, message: `${3 - progress} left` },
      })),
      {
        jsonrpc: '2.0',
        id: 9,
        result: {
          content: [{ type: 'text', text: 'Liftoff!' }],
          resultType: 'complete',
          _meta: SERVER_INFO,
        },
      },
    ])
  })

  it('without a progressToken: just the JSON result', async () => {
    const res = await postModern(
      modern('tools/call', { name: 'countdown', arguments: { from: 2, intervalMs: 0 } }),
    )
    expect(await resultOf(res)).toMatchObject({ content: [{ type: 'text', text: 'Liftoff!' }] })
  })

  it('shares resources with the sessions: a modern score is what a session reads, and back', async () => {
    const player = `modern-${crypto.randomUUID()}`
    await (
      await postModern(modern('tools/call', { name: 'score', arguments: { player, points: 5 } }))
    ).text()
    const sessionId = await openSession()
    const legacyScore = await postMcp(MSG.call('score', { player, points: 2 }), {
      'mcp-session-id': sessionId,
    })
    expect(await legacyScore.json()).toMatchObject({
      result: { content: [{ type: 'text', text: `${player} now has 7 points.` }] },
    })
    const read = await resultOf(
      await postModern(modern('resources/read', { uri: 'leaderboard://scores' })),
    )
    const [contents] = read.contents as { text: string }[]
    expect(JSON.parse(contents!.text)).toContainEqual({ player, points: 7 })
    expect(read).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' })
  })

  it('a notification: 202 with an empty body', async () => {
    const body = {
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 1, _meta: ENVELOPE },
    }
    const res = await postModern(body)
    expect(res.status).toBe(202)
    expect(await res.text()).toBe('')
  })
})

describe('one definition, both eras', () => {
  const definition = defineMcpServer({
    name: 'instructed',
    version: '2.0.0',
    instructions: 'Use echo.',
    setup(server) {
      server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }, tool) => ({
        content: [{ type: 'text', text: `${tool.era}:${tool.sessionId ?? '-'}:${text}` }],
      }))
      server.registerTool('stash', {}, (_args, tool) => {
        tool.storage.put('k', 'v')
        return { content: [] }
      })
    },
  })
  const app = createApp({ server: definition })
  const send = (body: { method: string; params?: Record<string, unknown> }) =>
    app.fetch(modernRequest(body), env)

  it('server/discover gives the identity and instructions initialize gives', async () => {
    const result = await resultOf(await send(modern('server/discover')))
    expect(result).toMatchObject({
      instructions: 'Use echo.',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'instructed', version: '2.0.0' } },
    })
  })

  it('reading session storage on a modern request: an error result that says what to do', async () => {
    const result = await resultOf(
      await send(modern('tools/call', { name: 'stash', arguments: {} })),
    )
    expect(result).toMatchObject({
      isError: true,
      content: [
        {
          type: 'text',
          text: 'This tool keeps state in its session, and a 2026-07-28 request has none: connect with a session (initialize) to use it',
        },
      ],
    })
  })

  it('a handler knows its era, and that a modern request has no session', async () => {
    const result = await resultOf(
      await send(modern('tools/call', { name: 'echo', arguments: { text: 'hi' } })),
    )
    expect(result.content).toEqual([{ type: 'text', text: 'modern:-:hi' }])
  })
})

describe('plugins and CORS on modern requests', () => {
  const TOKENS = { AUTH_TOKENS: 'alice:tokA' }
  const call = (
    headers: Record<string, string>,
    body = modern('tools/call', { name: 'echo', arguments: { text: 'a' } }),
  ) => worker.fetch(modernRequest(body, headers), { ...env, ...TOKENS })

  it('bearer auth: no token → 401 with the challenge; a valid one → served', async () => {
    const refused = await call({})
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="mcp"/)
    const served = await call({ authorization: 'Bearer tokA' })
    expect(await resultOf(served)).toMatchObject({ content: [{ type: 'text', text: 'a' }] })
  })

  it('a foreign Origin → 403 before anything else', async () => {
    const res = await call({ origin: 'https://evil.example', authorization: 'Bearer tokA' })
    await expectModernError(res, 403, -32000, null)
  })

  it('a preflight may ask for Mcp-Method, Mcp-Name and any Mcp-Param-* header', async () => {
    const res = await fetchApp('/mcp', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'mcp-method, mcp-name, mcp-param-region, x-other',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'Content-Type,Authorization,Mcp-Session-Id,MCP-Protocol-Version,Last-Event-ID,Mcp-Method,Mcp-Name,mcp-param-region',
    )
  })
})
