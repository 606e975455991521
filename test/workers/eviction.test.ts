/**
 * Eviction: a session's object can be torn down between any two requests. Invariant: the next
 * request is answered exactly as if the object had stayed up, notes included.
 */

import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { describe, expect, it } from 'vitest'
import { appFetch, BASE, MSG, openSession, postMcp } from '../helpers/requests'
import { sessionObject, storedEntries } from '../helpers/session-storage'

const MARKER = Symbol.for('mcp-workers/test-instance-marker')

/** Marks the session's current object instance, so a test can tell a fresh one from it. */
async function mark(sessionId: string): Promise<void> {
  await runInDurableObject(sessionObject(sessionId), (instance) => {
    Reflect.set(instance, MARKER, true)
  })
}

async function expectFreshInstance(sessionId: string): Promise<void> {
  const marked = await runInDurableObject(sessionObject(sessionId), (instance) =>
    Reflect.get(instance, MARKER),
  )
  expect(marked).toBeUndefined()
}

/** Evicts the session's object gracefully (storage kept, memory gone). */
async function evict(sessionId: string): Promise<void> {
  await mark(sessionId)
  await evictDurableObject(sessionObject(sessionId))
  await expectFreshInstance(sessionId)
}

describe('eviction', () => {
  // Torn down hard, as a crash or restart would: the SDK client's standalone stream is bridged
  // by the Worker, which reconnects it (graceful eviction: bridged-streams.test.ts). Storage
  // survives either way.
  it('a session keeps working, with its notes, after its object is torn down', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), { fetch: appFetch })
    const client = new Client({ name: 'evict-test', version: '1.0.0' })
    await client.connect(transport)
    await client.callTool({ name: 'remember', arguments: { key: 'plan', note: 'ship it' } })

    await mark(transport.sessionId!)
    await abortAllDurableObjects()
    await expectFreshInstance(transport.sessionId!)

    expect(await client.callTool({ name: 'recall', arguments: { key: 'plan' } })).toEqual({
      content: [{ type: 'text', text: 'ship it' }],
    })
    expect((await client.listTools()).tools).toHaveLength(5)
    expect(await client.callTool({ name: 'echo', arguments: { text: 'still here' } })).toEqual({
      content: [{ type: 'text', text: 'still here' }],
    })
    await client.close()
  })

  it('answers the same bytes before and after eviction', async () => {
    const sessionId = await openSession('2025-06-18')
    const ask = async () => {
      const res = await postMcp(MSG.toolsList(9), { 'mcp-session-id': sessionId })
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() }
    }
    const before = await ask()
    await evict(sessionId)
    expect(await ask()).toEqual(before)
  })

  it('keeps the negotiated version, so batch rules still apply after eviction', async () => {
    const sessionId = await openSession('2025-03-26')
    await evict(sessionId)
    const res = await postMcp([MSG.ping(1), MSG.ping(2)], { 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    expect(((await res.json()) as unknown[]).length).toBe(2)

    const strict = await openSession('2025-11-25')
    await evict(strict)
    const rejected = await postMcp([MSG.ping(1)], { 'mcp-session-id': strict })
    expect(rejected.status).toBe(400)
    await rejected.text()
  })

  it('streams progress after eviction as before', async () => {
    const sessionId = await openSession()
    await evict(sessionId)
    const res = await postMcp(
      MSG.call('countdown', { from: 2, intervalMs: 0 }, 3, { progressToken: 'after' }),
      { 'mcp-session-id': sessionId },
    )
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(await res.text()).toContain('"Liftoff!"')
  })

  it('a request after eviction writes nothing but what it would have written anyway', async () => {
    const sessionId = await openSession()
    // The first request after initialize marks the session used (one write); later ones don't.
    await (await postMcp(MSG.ping(), { 'mcp-session-id': sessionId })).text()
    const before = await storedEntries(sessionId)
    await evict(sessionId)
    const res = await postMcp(MSG.ping(), { 'mcp-session-id': sessionId })
    await res.text()
    expect(await storedEntries(sessionId)).toEqual(before)
  })
})
