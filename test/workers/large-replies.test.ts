/**
 * Large replies. Invariants: every request gets its own response, under its own id, whatever
 * the size of the others; a response larger than `RESPONSE_MAX_BYTES` (1 MiB here, the default)
 * is answered by an error of its own, on every path (a JSON reply, a batch, an SSE reply, /sse,
 * a replay from the log); the responses to one batch hold at most `BATCH_REPLY_MAX_BYTES` (4 MiB
 * here, the default) in all, the rest each an error of its own; and a reply of normal size
 * crosses RPC as plain data, as before.
 */
import { runInDurableObject } from 'cloudflare:test'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { readSessionConfig } from '../../src/session-config'
import { openLegacy, postMessage, startLegacy } from '../helpers/legacy-sse'
import { MSG, openSession, postMcp } from '../helpers/requests'
import { sessionObject } from '../helpers/session-storage'
import { parseSSE } from '../helpers/sse'

/** The default `RESPONSE_MAX_BYTES`. */
const MAX = 1_048_576

/** The default `BATCH_REPLY_MAX_BYTES`. */
const REPLY_MAX = 4 * 1_048_576

/** The error that stands in for a response of `bytes` bytes past the batch's budget. */
const overBudget = (id: number, bytes: number) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32603,
    message: `Response too large: ${bytes} bytes; the responses to one batch may hold ${REPLY_MAX} bytes in all (BATCH_REPLY_MAX_BYTES)`,
  },
})

/** The text of a JSON-RPC response, in the key order the SDK sends. */
const echoed = (text: string, id: number) =>
  JSON.stringify({ result: { content: [{ type: 'text', text }] }, jsonrpc: '2.0', id })

/** The error that stands in for a response of `bytes` bytes. */
const tooLarge = (id: number, bytes: number) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32603,
    message: `Response too large: ${bytes} bytes; the largest response is ${MAX} bytes (RESPONSE_MAX_BYTES)`,
  },
})

const NOTE = 'x'.repeat(64 * 1024)

/** Fills the session's notebook with `count` notes of 64 KiB (`n00`, `n01`, …) in one batch. */
async function fillNotebook(sessionId: string, count: number): Promise<void> {
  const batch = Array.from({ length: count }, (_, i) =>
    MSG.call('remember', { key: `n${String(i).padStart(2, '0')}`, note: NOTE }, 100 + i),
  )
  const res = await postMcp(batch, { 'mcp-session-id': sessionId })
  expect(res.status).toBe(200)
  expect(((await res.json()) as unknown[]).length).toBe(count)
}

/** A recall page of the first seven 64 KiB notes (the page's byte budget), and where it ended. */
const FIRST_PAGE = {
  content: [
    {
      type: 'text',
      text: Array.from({ length: 7 }, (_, i) => `n0${i}: ${NOTE}`).join('\n'),
    },
    { type: 'text', text: 'More notes follow: call recall with cursor "n06" for the next page.' },
  ],
}

type Response = { id: number; result?: unknown; error?: unknown }

describe('large replies to POST /mcp', () => {
  it('a 2025-03-26 batch of remember and eight recalls answers each by its id, and the remember holds', async () => {
    const sessionId = await openSession('2025-03-26')
    await fillNotebook(sessionId, 52)
    const batch = [
      MSG.call('remember', { key: 'zz', note: 'visible' }, 2),
      // Eight pages of 7 × 64 KiB: as many as BATCH_REPLY_MAX_BYTES holds.
      ...Array.from({ length: 8 }, (_, i) => MSG.call('recall', {}, 10 + i)),
    ]
    const res = await postMcp(batch, { 'mcp-session-id': sessionId, 'x-request-id': 'req-big' })
    expect(res.status).toBe(200)
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/json',
      'mcp-session-id': sessionId,
      'x-request-id': 'req-big',
    })
    const responses = (await res.json()) as Response[]
    expect(responses.map((r) => r.id).sort((a, b) => a - b)).toEqual([
      2, 10, 11, 12, 13, 14, 15, 16, 17,
    ])
    for (const response of responses) {
      expect(response).toEqual({
        jsonrpc: '2.0',
        id: response.id,
        result:
          response.id === 2
            ? { content: [{ type: 'text', text: 'Remembered "zz".' }] }
            : FIRST_PAGE,
      })
    }
    const recalled = await postMcp(MSG.call('recall', { key: 'zz' }, 3), {
      'mcp-session-id': sessionId,
    })
    expect(await recalled.text()).toBe(echoed('visible', 3))
  })

  it('a batch’s reply holds at most BATCH_REPLY_MAX_BYTES of responses; the rest are errors under their ids', async () => {
    const sessionId = await openSession('2025-03-26')
    await fillNotebook(sessionId, 8)
    const batch = Array.from({ length: 100 }, (_, i) => MSG.call('recall', {}, 1_000 + i))
    const res = await postMcp(batch, { 'mcp-session-id': sessionId, 'x-request-id': 'req-huge' })
    expect(res.status).toBe(200)
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/json',
      'mcp-session-id': sessionId,
      'x-request-id': 'req-huge',
    })
    const text = await res.text()
    const responses = JSON.parse(text) as Response[]
    expect(responses.map((r) => r.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => 1_000 + i),
    )
    // Every page is the same size (ids of four digits): as many fit as the budget holds.
    const page = JSON.stringify({ result: FIRST_PAGE, jsonrpc: '2.0', id: 1_000 }).length
    const fits = Math.floor(REPLY_MAX / page)
    const sent = responses.filter((r) => r.result !== undefined)
    expect(sent.length).toBe(fits)
    for (const response of sent) {
      expect(response).toEqual({ jsonrpc: '2.0', id: response.id, result: FIRST_PAGE })
    }
    for (const response of responses.filter((r) => r.result === undefined)) {
      expect(response).toEqual(overBudget(response.id, page))
    }
    expect(text.length).toBeLessThan(REPLY_MAX + 100 * 300)
  })

  it('a response over RESPONSE_MAX_BYTES is its own error; one just under it is sent', async () => {
    const sessionId = await openSession()
    const headers = { 'mcp-session-id': sessionId }
    const over = 'x'.repeat(MAX)
    const res = await postMcp(MSG.call('echo', { text: over }, 4), headers)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual(tooLarge(4, echoed(over, 4).length))

    const under = 'x'.repeat(MAX - echoed('', 5).length)
    const fits = await postMcp(MSG.call('echo', { text: under }, 5), headers)
    expect(fits.status).toBe(200)
    expect(await fits.text()).toBe(echoed(under, 5))
  })

  it('measures a response in UTF-8 bytes, not characters', async () => {
    const sessionId = await openSession()
    const text = 'é'.repeat(MAX / 2)
    const res = await postMcp(MSG.call('echo', { text }, 6), { 'mcp-session-id': sessionId })
    expect(res.status).toBe(200)
    const bytes = new TextEncoder().encode(echoed(text, 6)).byteLength
    expect(echoed(text, 6).length).toBeLessThan(MAX)
    expect(await res.json()).toEqual(tooLarge(6, bytes))
  })

  it('in a batch, only the response too large is an error; the others are sent as they are', async () => {
    const sessionId = await openSession('2025-03-26')
    const over = 'y'.repeat(MAX + 1)
    const res = await postMcp(
      [MSG.call('echo', { text: over }, 7), MSG.call('echo', { text: 'small' }, 8)],
      { 'mcp-session-id': sessionId },
    )
    expect(res.status).toBe(200)
    const responses = (await res.json()) as Response[]
    expect(responses.sort((a, b) => a.id - b.id)).toEqual([
      tooLarge(7, echoed(over, 7).length),
      JSON.parse(echoed('small', 8)),
    ])
  })

  it('on an SSE reply, the response too large is an error event, and the log keeps no more', async () => {
    const sessionId = await openSession('2025-03-26')
    const over = 'z'.repeat(MAX + 1)
    // The countdown's progress turns the reply into a stream.
    const res = await postMcp(
      [
        MSG.call('countdown', { from: 1, intervalMs: 1 }, 9, { progressToken: 'p' }),
        MSG.call('echo', { text: over }, 10),
      ],
      { 'mcp-session-id': sessionId },
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const { events } = parseSSE(await res.text())
    const responses = events
      .map((event) => JSON.parse(event.data) as JSONRPCMessage)
      .filter((message) => 'id' in message)
    expect(responses).toContainEqual(tooLarge(10, echoed(over, 10).length))
    expect(responses).toContainEqual({
      jsonrpc: '2.0',
      id: 9,
      result: { content: [{ type: 'text', text: 'Liftoff!' }] },
    })
    expect(await largestLogged(sessionId)).toBeLessThan(1_000)
  })

  it('on an SSE reply too, responses past BATCH_REPLY_MAX_BYTES are error events under their ids', async () => {
    const sessionId = await openSession('2025-03-26')
    await fillNotebook(sessionId, 8)
    // The countdown's progress turns the reply into a stream.
    const res = await postMcp(
      [
        MSG.call('countdown', { from: 1, intervalMs: 1 }, 9, { progressToken: 'p' }),
        ...Array.from({ length: 12 }, (_, i) => MSG.call('recall', {}, 1_000 + i)),
      ],
      { 'mcp-session-id': sessionId },
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const { events } = parseSSE(await res.text())
    const responses = events
      .map((event) => JSON.parse(event.data) as Response)
      .filter((message) => 'id' in message)
    expect(responses.map((r) => r.id).sort((a, b) => a - b)).toEqual([
      9,
      ...Array.from({ length: 12 }, (_, i) => 1_000 + i),
    ])
    const page = JSON.stringify({ result: FIRST_PAGE, jsonrpc: '2.0', id: 1_000 }).length
    const pages = responses.filter((r) => r.id >= 1_000)
    const fits = Math.floor(REPLY_MAX / page)
    // Room to spare for the countdown's small result, whenever it comes.
    expect(REPLY_MAX - fits * page).toBeGreaterThan(1_000)
    expect(pages.filter((r) => r.result !== undefined).length).toBe(fits)
    for (const response of pages.filter((r) => r.result === undefined)) {
      expect(response).toEqual(overBudget(response.id, page))
    }
  })
})

/** The size of the largest event in the session's log. */
function largestLogged(sessionId: string): Promise<number> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => {
    return state.storage.sql
      .exec<{ bytes: number }>('SELECT MAX(bytes) AS bytes FROM mcp_events')
      .one().bytes
  })
}

describe('large replies on /sse', () => {
  it('the response too large is an error event, and so is its replay from the log', async () => {
    const { stream, sessionId } = await startLegacy()
    expect((await postMessage(sessionId, MSG.initialize('2024-11-05'))).status).toBe(202)
    const init = await stream.next()
    expect((await postMessage(sessionId, MSG.initialized)).status).toBe(202)
    const over = 'w'.repeat(MAX + 1)
    expect((await postMessage(sessionId, MSG.call('echo', { text: over }, 11))).status).toBe(202)
    const error = await stream.next()
    expect(error).toEqual({
      event: 'message',
      id: expect.stringMatching(/^sse_\d+$/),
      data: JSON.stringify(tooLarge(11, echoed(over, 11).length)),
    })
    await stream.cancel()

    const again = await openLegacy(sessionId, '/sse', init.id)
    expect(again.response.status).toBe(200)
    expect((await again.next()).event).toBe('endpoint')
    expect(await again.next()).toEqual(error)
    await again.cancel()
    expect(await largestLogged(sessionId)).toBeLessThan(1_000)
  })
})

describe('the JSON reply across RPC', () => {
  const caller = {
    principal: { name: 'anonymous' },
    requestId: 'req-rpc',
    kind: 'streamable-http',
  } as const

  it('is plain data up to a third of RESPONSE_MAX_BYTES in characters, and a stream past it', async () => {
    const sessionId = await openSession()
    const stub = sessionObject(sessionId)
    const limit = Math.floor(MAX / 3)
    const post = (text: string, id: number) =>
      stub.post({ ...caller, messages: [MSG.call('echo', { text }, id)], batch: false })
    const atLimit = 'a'.repeat(limit - echoed('', 12).length)
    const plain = await post(atLimit, 12)
    expect(plain).not.toBeInstanceOf(Response)
    expect(plain).toMatchObject({ status: 200, body: echoed(atLimit, 12) })

    const pastLimit = `${atLimit}a`
    const streamed = await post(pastLimit, 13)
    expect(streamed).toBeInstanceOf(Response)
    const res = streamed as globalThis.Response
    expect(res.status).toBe(200)
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/json',
      'mcp-session-id': sessionId,
      'x-request-id': 'req-rpc',
    })
    expect(await res.text()).toBe(echoed(pastLimit, 13))
  })
})

describe('BATCH_REPLY_MAX_BYTES', () => {
  it('is 4 MiB by default, never under RESPONSE_MAX_BYTES, and at most 64 MiB', () => {
    expect(readSessionConfig({}).maxReplyBytes).toBe(REPLY_MAX)
    expect(readSessionConfig({ BATCH_REPLY_MAX_BYTES: '2048' }).maxReplyBytes).toBe(MAX)
    const small = { BATCH_REPLY_MAX_BYTES: '4096', RESPONSE_MAX_BYTES: '2048' }
    expect(readSessionConfig(small).maxReplyBytes).toBe(4_096)
    expect(() => readSessionConfig({ BATCH_REPLY_MAX_BYTES: String(64 * 1_048_576 + 1) })).toThrow(
      'Invalid BATCH_REPLY_MAX_BYTES: Too big: expected number to be <=67108864',
    )
  })
})

describe('RESPONSE_MAX_BYTES', () => {
  it('is 1 MiB by default, never over the event log’s byte cap, and at most 1900000', () => {
    expect(readSessionConfig({}).maxResponseBytes).toBe(MAX)
    expect(readSessionConfig({ RESPONSE_MAX_BYTES: '2048' }).maxResponseBytes).toBe(2_048)
    const capped = { RESPONSE_MAX_BYTES: '1900000', EVENT_LOG_MAX_BYTES: '500000' }
    expect(readSessionConfig(capped).maxResponseBytes).toBe(500_000)
    expect(() => readSessionConfig({ RESPONSE_MAX_BYTES: '1900001' })).toThrow(
      'Invalid RESPONSE_MAX_BYTES: Too big: expected number to be <=1900000',
    )
  })
})
