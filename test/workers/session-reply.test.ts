/**
 * Session replies: what a session object answers its RPC calls with. A reply known in full (a
 * JSON reply, a 202) crosses as plain data and becomes a Response in the Worker; a stream stays a
 * Response. Either way the client gets the same status, headers and body.
 */

import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { ReplyBudget } from '../../src/transports/reply-budget'
import { ResponseLimit, utf8Length } from '../../src/transports/response-limit'
import { emptyReply, messagesReply, toResponse } from '../../src/transports/session-reply'
import { fetchApp, MSG, openSession, postMcp } from '../helpers/requests'
import { sessionObject } from '../helpers/session-storage'

const caller = {
  principal: { name: 'anonymous' },
  requestId: 'req-test',
  kind: 'streamable-http',
} as const

/** `messages` as a reply budget of `limit` bytes per response (and `total` in all) sends them. */
function budgeted(messages: readonly JSONRPCMessage[], limit: number, total?: number) {
  const budget = new ReplyBudget(new ResponseLimit(limit), total)
  return messages.map((message) => budget.take(message))
}

describe('session replies as plain data', () => {
  it('builds a JSON reply as Response.json would', async () => {
    const reply = messagesReply(
      budgeted([{ jsonrpc: '2.0', id: 1, result: {} }], 1024),
      false,
      { 'X-Request-Id': 'r1' },
      341,
    )
    expect(reply).toEqual({
      status: 200,
      headers: { 'X-Request-Id': 'r1', 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"result":{}}',
    })
    const res = toResponse(reply)
    expect(res.status).toBe(200)
    expect([...res.headers]).toEqual([
      ['content-type', 'application/json'],
      ['x-request-id', 'r1'],
    ])
    expect(await res.text()).toBe('{"jsonrpc":"2.0","id":1,"result":{}}')
  })

  it('builds a batch reply as an array: plain while short, streamed past quickChars', async () => {
    const small = [
      { jsonrpc: '2.0' as const, id: 1, result: {} },
      { jsonrpc: '2.0' as const, id: 2, result: {} },
    ]
    expect(messagesReply(budgeted(small, 1024, 4096), true, {}, 341)).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(small),
    })
    const big = { jsonrpc: '2.0' as const, id: 3, result: { text: 'x'.repeat(2_000) } }
    const fits = { jsonrpc: '2.0' as const, id: 4, result: { text: 'y'.repeat(900) } }
    const sent = budgeted([big, fits, ...small], 1024, 4096)
    const reply = messagesReply(sent, true, { 'X-Request-Id': 'r3' }, 341)
    expect(reply).toBeInstanceOf(Response)
    const res = reply as Response
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/json',
      'x-request-id': 'r3',
    })
    expect(await res.json()).toEqual([
      {
        jsonrpc: '2.0',
        id: 3,
        error: {
          code: -32603,
          message: `Response too large: ${JSON.stringify(big).length} bytes; the largest response is 1024 bytes (RESPONSE_MAX_BYTES)`,
        },
      },
      fits,
      ...small,
    ])
  })
  it('measures text in UTF-8 bytes as TextEncoder does', () => {
    const texts = ['', 'abc', 'é', '€', '😀', 'a😀é€\u07ff\u0800\uffff', '\ud800x', 'x\udc00']
    for (const text of texts) {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).byteLength)
    }
  })

  it('builds an empty reply with no body', async () => {
    const res = toResponse(emptyReply(202, { 'X-Request-Id': 'r2' }))
    expect(res.status).toBe(202)
    expect([...res.headers]).toEqual([['x-request-id', 'r2']])
    expect(res.body).toBeNull()
  })

  it('passes a Response through untouched', () => {
    const response = new Response('streamed', { status: 200 })
    expect(toResponse(response)).toBe(response)
  })
})

describe('a reply budget', () => {
  const page = (id: number, text: string) => ({ jsonrpc: '2.0' as const, id, result: { text } })
  const sizeOf = (message: JSONRPCMessage) => utf8Length(JSON.stringify(message))

  it('sends responses until the total is spent; then each that does not fit is its error', () => {
    const [a, b, c, d] = [
      page(1, 'a'.repeat(900)),
      page(2, 'é'.repeat(450)),
      page(3, 'c'),
      page(4, 'd'.repeat(200)),
    ]
    const total = sizeOf(a) + sizeOf(b) + sizeOf(c) + 50
    const sent = budgeted([a, b, page(5, 'e'.repeat(900)), c, d], 1024, total)
    expect(sent.map(({ message }) => message)).toEqual([
      a,
      b,
      {
        jsonrpc: '2.0',
        id: 5,
        error: {
          code: -32603,
          message: `Response too large: ${sizeOf(page(5, 'e'.repeat(900)))} bytes; the responses to one batch may hold ${total} bytes in all (BATCH_REPLY_MAX_BYTES)`,
        },
      },
      // A small one that still fits is sent; the next that doesn't is not.
      c,
      {
        jsonrpc: '2.0',
        id: 4,
        error: {
          code: -32603,
          message: `Response too large: ${sizeOf(d)} bytes; the responses to one batch may hold ${total} bytes in all (BATCH_REPLY_MAX_BYTES)`,
        },
      },
    ])
    for (const { message, text } of sent) expect(text).toBe(JSON.stringify(message))
  })

  it('counts neither notifications nor requests, and without a total bounds each response alone', () => {
    const note = {
      jsonrpc: '2.0' as const,
      method: 'notifications/message',
      params: { data: 'x'.repeat(2_000) },
    }
    const sent = budgeted([note, page(1, 'y'.repeat(900)), page(2, 'y'.repeat(900))], 1024)
    expect(sent.map(({ message }) => message)).toEqual([
      note,
      page(1, 'y'.repeat(900)),
      page(2, 'y'.repeat(900)),
    ])
    expect(budgeted([note, page(1, 'z'.repeat(900))], 1024, 1024)[1]!.message).toEqual(
      page(1, 'z'.repeat(900)),
    )
  })
})

describe("the session object's answers", () => {
  it('answers a tool call with plain JSON data and a notification with a plain 202', async () => {
    const sessionId = await openSession()
    const stub = sessionObject(sessionId)
    const call = await stub.post({
      ...caller,
      messages: [MSG.call('echo', { text: 'plain' }, 7)],
      batch: false,
    })
    expect(call).not.toBeInstanceOf(Response)
    expect(call).toEqual({
      status: 200,
      headers: {
        'Mcp-Session-Id': sessionId,
        'X-Request-Id': 'req-test',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        result: { content: [{ type: 'text', text: 'plain' }] },
        jsonrpc: '2.0',
        id: 7,
      }),
    })
    const note = await stub.post({
      ...caller,
      messages: [{ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } }],
      batch: false,
    })
    expect(note).toEqual({
      status: 202,
      headers: { 'Mcp-Session-Id': sessionId, 'X-Request-Id': 'req-test' },
    })
  })

  it('answers a reply that streams with a Response', async () => {
    const sessionId = await openSession()
    const reply = await sessionObject(sessionId).post({
      ...caller,
      messages: [MSG.call('countdown', { from: 1, intervalMs: 1 }, 8, { progressToken: 't' })],
      batch: false,
    })
    expect(reply).toBeInstanceOf(Response)
    const res = reply as Response
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(await res.text()).toContain('"id":8')
  })
})

describe('through the Worker', () => {
  it("a tool call's JSON reply keeps its status, headers and body", async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.call('echo', { text: 'through' }, 9), {
      'mcp-session-id': sessionId,
      'x-request-id': 'req-through',
    })
    const body = JSON.stringify({
      result: { content: [{ type: 'text', text: 'through' }] },
      jsonrpc: '2.0',
      id: 9,
    })
    expect(res.status).toBe(200)
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/json',
      'mcp-session-id': sessionId,
      'x-request-id': 'req-through',
    })
    expect(await res.text()).toBe(body)
  })

  it("a notification's 202 has no body and names the session", async () => {
    const sessionId = await openSession()
    const res = await postMcp(
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
      { 'mcp-session-id': sessionId, 'x-request-id': 'req-202' },
    )
    expect(res.status).toBe(202)
    expect(Object.fromEntries(res.headers)).toEqual({
      'mcp-session-id': sessionId,
      'x-request-id': 'req-202',
    })
    expect(await res.text()).toBe('')
  })

  it('a legacy POST is answered 202 with no body', async () => {
    const stream = await fetchApp('/sse', { headers: { accept: 'text/event-stream' } })
    const reader = stream.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    const endpoint = /data: (\S+)/.exec(first)![1]!
    const res = await fetchApp(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-legacy' },
      body: JSON.stringify(MSG.initialize('2024-11-05')),
    })
    expect(res.status).toBe(202)
    expect(Object.fromEntries(res.headers)).toEqual({ 'x-request-id': 'req-legacy' })
    expect(await res.text()).toBe('')
    await reader.cancel()
  })
})
