/**
 * Server→client requests across failures. Invariant: a tool waiting for the client's answer
 * never hangs: a lost object ends the call with a clear error, a late answer is accepted and
 * dropped, an answer that never comes times out, and ids are never reused in a session.
 */
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { MSG, postMcp, resumeMcp } from '../helpers/requests'
import { sessionObject } from '../helpers/session-storage'
import { parseSSE } from '../helpers/sse'
import { LegacyStream } from '../helpers/sse-transport'

/** Opens a session whose client can answer elicitation and sampling. */
async function openCapable(): Promise<string> {
  const init = MSG.initialize('2025-11-25')
  const res = await postMcp({
    ...init,
    params: { ...init.params, capabilities: { elicitation: { form: {} }, sampling: {} } },
  })
  await res.text()
  const sessionId = res.headers.get('mcp-session-id')!
  await (await postMcp(MSG.initialized, { 'mcp-session-id': sessionId })).text()
  return sessionId
}

/** Starts `test_elicitation` and reads until the server's elicitation request arrives. */
async function startElicitation(sessionId: string, id = 10) {
  const res = await postMcp(MSG.call('test_elicitation', { message: 'Who?' }, id), {
    'mcp-session-id': sessionId,
  })
  const stream = new LegacyStream(res)
  await stream.next()
  const event = await stream.next()
  const request = JSON.parse(event.data) as { id: number; method: string }
  expect(request.method).toBe('elicitation/create')
  return { stream, request, eventId: event.id! }
}

/** The pending-request rows of a session (none when the table was never created). */
const pendingRows = (sessionId: string) =>
  runInDurableObject(sessionObject(sessionId), (_i, state) => {
    const sql = state.storage.sql
    const exists = sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'mcp_requests'").toArray()
    if (exists.length === 0) return []
    return sql.exec<{ id: number; method: string }>('SELECT id, method FROM mcp_requests').toArray()
  })

describe('pending server→client requests', () => {
  it('are recorded with their deadline while they wait, and forgotten once answered', async () => {
    const sessionId = await openCapable()
    const { stream, request } = await startElicitation(sessionId)
    expect(await pendingRows(sessionId)).toEqual([{ id: request.id, method: 'elicitation/create' }])
    const reply = await postMcp(
      { jsonrpc: '2.0', id: request.id, result: { action: 'decline' } },
      { 'mcp-session-id': sessionId },
    )
    expect(reply.status).toBe(202)
    const result = JSON.parse((await stream.next()).data)
    expect(result).toEqual({
      jsonrpc: '2.0',
      id: 10,
      result: { content: [{ type: 'text', text: 'User action: decline, content: {}' }] },
    })
    expect(await pendingRows(sessionId)).toEqual([])
  })

  it('the object is lost before the answer: the answer gets 202, the call a clear error', async () => {
    const sessionId = await openCapable()
    const { request, eventId } = await startElicitation(sessionId)
    await abortAllDurableObjects()

    const late = await postMcp(
      {
        jsonrpc: '2.0',
        id: request.id,
        result: { action: 'accept', content: { username: 'x', email: 'y' } },
      },
      { 'mcp-session-id': sessionId },
    )
    expect(late.status).toBe(202)
    expect(await pendingRows(sessionId)).toEqual([])
    const { events } = parseSSE(await (await resumeMcp(sessionId, eventId)).text())
    expect(JSON.parse(events.at(-1)!.data)).toEqual({
      jsonrpc: '2.0',
      id: 10,
      error: {
        code: -32603,
        message: 'Request interrupted: the server restarted before it finished; please retry',
      },
    })
  })

  it('an answer that never comes times out: the client hears it, the call gets an error result', async () => {
    const sessionId = await openCapable()
    const { stream, request } = await startElicitation(sessionId)
    // The cancellation names the request as the client knows it (the session-wide id).
    expect(JSON.parse((await stream.next(5_000)).data)).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: request.id, reason: 'SdkError: Request timed out' },
    })
    expect(await pendingRows(sessionId)).toEqual([])
    const result = JSON.parse((await stream.next()).data) as {
      result: { isError: boolean; content: Array<{ text: string }> }
    }
    expect(result.result.isError).toBe(true)
    expect(result.result.content[0]!.text).toMatch(/timed out/i)
  })

  it('never reuses an id, even across a restart', async () => {
    const sessionId = await openCapable()
    const first = await startElicitation(sessionId, 21)
    await abortAllDurableObjects()
    const second = await startElicitation(sessionId, 22)
    expect(second.request.id).toBeGreaterThan(first.request.id)
    await second.stream.cancel()
  })

  it('goes out after the object was torn down between notifications/initialized and the first request', async () => {
    // The notification is stored with the first request; a request other than ping stands for it.
    const sessionId = await openCapable()
    await abortAllDurableObjects()
    const { stream, request } = await startElicitation(sessionId, 23)
    expect(request.method).toBe('elicitation/create')
    await stream.cancel()
  })

  it('goes out after such a teardown even when a ping came first', async () => {
    const sessionId = await openCapable()
    await abortAllDurableObjects()
    const ping = await postMcp(MSG.ping(24), { 'mcp-session-id': sessionId })
    expect(await ping.json()).toEqual({ jsonrpc: '2.0', id: 24, result: {} })
    await abortAllDurableObjects()
    const { stream, request } = await startElicitation(sessionId, 25)
    expect(request.method).toBe('elicitation/create')
    await stream.cancel()
  })

  it('is refused for a client that did not declare the capability', async () => {
    const res = await postMcp(MSG.initialize('2025-11-25'))
    await res.text()
    const sessionId = res.headers.get('mcp-session-id')!
    await (await postMcp(MSG.initialized, { 'mcp-session-id': sessionId })).text()
    const call = await postMcp(MSG.call('test_sampling', { prompt: 'x' }, 5), {
      'mcp-session-id': sessionId,
    })
    const body = (await call.json()) as {
      result: { isError: boolean; content: Array<{ text: string }> }
    }
    expect(body.result.isError).toBe(true)
    expect(body.result.content[0]!.text).toMatch(/did not declare that capability/)
  })

  it('is held back until notifications/initialized', async () => {
    const init = MSG.initialize('2025-11-25')
    const res = await postMcp({
      ...init,
      params: { ...init.params, capabilities: { sampling: {} } },
    })
    await res.text()
    const sessionId = res.headers.get('mcp-session-id')!
    const call = await postMcp(MSG.call('test_sampling', { prompt: 'x' }, 6), {
      'mcp-session-id': sessionId,
    })
    // A plain JSON reply: no stream was opened, so no request went out before it.
    expect(call.headers.get('content-type')).toBe('application/json')
    const body = (await call.json()) as {
      result: { isError: boolean; content: Array<{ text: string }> }
    }
    expect(body.result.isError).toBe(true)
    expect(body.result.content[0]!.text).toMatch(/not finished initialization/)
    expect(await pendingRows(sessionId)).toEqual([])
  })
})
