/**
 * Messages a session sends that are not responses, over `RESPONSE_MAX_BYTES` (1 MiB, the
 * default). Invariant: nothing over the limit reaches the event log or the wire, on either
 * transport: a notification (a tool's log message) is dropped with one warning in the Worker's
 * log, and the call goes on; a server→client request (elicitation, sampling) fails the tool's
 * await with a clear error, and nothing is sent or recorded for it. One of exactly the limit is
 * sent. The 2026-07-28 leg keeps no event log and crosses no RPC: there the limit doesn't apply.
 */
import { runInDurableObject } from 'cloudflare:test'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { postMessage, startLegacy } from '../helpers/legacy-sse'
import { modern, postModern } from '../helpers/modern'
import { MSG, openSession, postMcp } from '../helpers/requests'
import { sessionObject } from '../helpers/session-storage'
import { parseSSE } from '../helpers/sse'

/** The default `RESPONSE_MAX_BYTES`. */
const MAX = 1_048_576

/** Over the limit, under the 4 MiB request body a client may send. */
const CHARS = 1_500_000

/** The log message `test_large_log` sends, as the session sends it. */
const logMessage = (chars: number) => ({
  method: 'notifications/message',
  params: { level: 'info', data: 'x'.repeat(chars) },
  jsonrpc: '2.0',
})

/** The size of `message`'s JSON in bytes (every text here is ASCII). */
const bytes = (message: unknown) => JSON.stringify(message).length

/** The characters a log message of exactly `MAX` bytes holds. */
const FITS = MAX - bytes(logMessage(0))

const dropped = (sessionId: string, message: unknown) =>
  `Session ${sessionId}: dropped notifications/message of ${bytes(message)} bytes; the largest message a session sends is ${MAX} bytes (RESPONSE_MAX_BYTES)`

const tooLarge = (method: string, request: unknown) =>
  `Request too large: ${method} of ${bytes(request)} bytes; the largest message a session sends is ${MAX} bytes (RESPONSE_MAX_BYTES)`

const text = (id: number, value: string, isError?: true) => ({
  jsonrpc: '2.0',
  id,
  result: { content: [{ type: 'text', text: value }], ...(isError && { isError }) },
})

/** The messages in a session's event log, in order, and its pending server→client requests. */
function storedOf(sessionId: string) {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => {
    const sql = state.storage.sql
    const has = (table: string) =>
      sql.exec('SELECT 1 FROM sqlite_master WHERE name = ?', table).toArray().length > 0
    return {
      events: has('mcp_events')
        ? sql
            .exec<{ message: string }>('SELECT message FROM mcp_events ORDER BY seq')
            .toArray()
            .map((row) => JSON.parse(row.message) as Record<string, unknown>)
        : [],
      pending: has('mcp_requests') ? sql.exec('SELECT id FROM mcp_requests').toArray() : [],
    }
  })
}

/** A 2025-06-18 session (no priming, so a reply stays JSON while it can) of a capable client. */
async function openCapable(): Promise<string> {
  const init = MSG.initialize('2025-06-18')
  const res = await postMcp({
    ...init,
    params: { ...init.params, capabilities: { elicitation: {}, sampling: {} } },
  })
  await res.text()
  const sessionId = res.headers.get('mcp-session-id')!
  expect((await postMcp(MSG.initialized, { 'mcp-session-id': sessionId })).status).toBe(202)
  return sessionId
}

/** A legacy session of a capable client, past its handshake. */
async function openCapableLegacy() {
  const session = await startLegacy()
  const init = MSG.initialize('2024-11-05')
  const capable = { ...init, params: { ...init.params, capabilities: { sampling: {} } } }
  expect((await postMessage(session.sessionId, capable)).status).toBe(202)
  await session.stream.nextMessage()
  expect((await postMessage(session.sessionId, MSG.initialized)).status).toBe(202)
  return session
}

/** Waits until the legacy session's group commit has logged the response to `id`. */
async function loggedResponse(sessionId: string, id: number) {
  const deadline = Date.now() + 10_000
  for (;;) {
    const stored = await storedOf(sessionId)
    if (stored.events.some((event) => event.id === id) || Date.now() > deadline) return stored
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

let warn: ReturnType<typeof vi.spyOn>

// The pool loads the app's modules on the first request; give that its own time.
beforeAll(async () => {
  await openSession()
}, 60_000)

afterEach(() => {
  warn?.mockRestore()
})

const spyOnWarn = () => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  return warn
}

describe('a notification over RESPONSE_MAX_BYTES', () => {
  it('/mcp: is dropped with one warning; the reply is the result alone, and nothing is logged', async () => {
    const sessionId = await openCapable()
    const warned = spyOnWarn()
    const res = await postMcp(MSG.call('test_large_log', { chars: CHARS }, 5), {
      'mcp-session-id': sessionId,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual(text(5, `Logged ${CHARS} characters`))
    expect(warned.mock.calls).toEqual([[dropped(sessionId, logMessage(CHARS))]])
    expect(await storedOf(sessionId)).toEqual({ events: [], pending: [] })
  })

  it('/mcp: one of exactly the limit is sent, and logged', async () => {
    const sessionId = await openCapable()
    const warned = spyOnWarn()
    const res = await postMcp(MSG.call('test_large_log', { chars: FITS }, 6), {
      'mcp-session-id': sessionId,
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const messages = parseSSE(await res.text()).events.map((event) => JSON.parse(event.data))
    const result = text(6, `Logged ${FITS} characters`)
    expect(bytes(logMessage(FITS))).toBe(MAX)
    expect(messages).toEqual([logMessage(FITS), result])
    expect(warned).not.toHaveBeenCalled()
    expect(await storedOf(sessionId)).toEqual({ events: [logMessage(FITS), result], pending: [] })
  })

  it('/sse: is dropped with one warning; the stream and the log get the result alone', async () => {
    const { stream, sessionId } = await openCapableLegacy()
    const warned = spyOnWarn()
    const call = MSG.call('test_large_log', { chars: CHARS }, 7)
    expect((await postMessage(sessionId, call)).status).toBe(202)
    expect(await stream.nextMessage(10_000)).toEqual(text(7, `Logged ${CHARS} characters`))
    expect(warned.mock.calls).toEqual([[dropped(sessionId, logMessage(CHARS))]])
    const { events, pending } = await loggedResponse(sessionId, 7)
    expect(events.map((event) => event.id)).toEqual([1, 7])
    expect(events[1]).toEqual(text(7, `Logged ${CHARS} characters`))
    expect(pending).toEqual([])
    await stream.cancel()
  })
})

describe('a server→client request over RESPONSE_MAX_BYTES', () => {
  it('/mcp elicitation: the tool gets the error, nothing is sent, logged or left pending', async () => {
    const sessionId = await openCapable()
    const warned = spyOnWarn()
    const message = 'x'.repeat(CHARS)
    const res = await postMcp(MSG.call('test_elicitation', { message }, 8), {
      'mcp-session-id': sessionId,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const request = {
      method: 'elicitation/create',
      params: {
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
      },
      jsonrpc: '2.0',
      id: 1,
    }
    expect(await res.json()).toEqual(text(8, tooLarge('elicitation/create', request), true))
    expect(warned).not.toHaveBeenCalled()
    expect(await storedOf(sessionId)).toEqual({ events: [], pending: [] })
  })

  it('/sse sampling: the tool gets the error; the stream and the log get its result alone', async () => {
    const { stream, sessionId } = await openCapableLegacy()
    const prompt = 'x'.repeat(CHARS)
    expect((await postMessage(sessionId, MSG.call('test_sampling', { prompt }, 9))).status).toBe(
      202,
    )
    const request = {
      method: 'sampling/createMessage',
      params: {
        messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
        maxTokens: 100,
      },
      jsonrpc: '2.0',
      id: 1,
    }
    const result = text(9, tooLarge('sampling/createMessage', request), true)
    expect(await stream.nextMessage(10_000)).toEqual(result)
    const { events, pending } = await loggedResponse(sessionId, 9)
    expect(events.map((event) => event.id)).toEqual([1, 9])
    expect(pending).toEqual([])
    await stream.cancel()
  })
})

describe('the 2026-07-28 leg', () => {
  it('sends a log message over RESPONSE_MAX_BYTES as it is: no event log, no RPC to fit', async () => {
    const res = await postModern(
      modern('tools/call', { name: 'test_large_log', arguments: { chars: CHARS } }, 10, {
        'io.modelcontextprotocol/logLevel': 'info',
      }),
    )
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const messages = parseSSE(await res.text()).events.map((event) => JSON.parse(event.data))
    expect(messages).toEqual([
      logMessage(CHARS),
      {
        jsonrpc: '2.0',
        id: 10,
        result: {
          content: [{ type: 'text', text: `Logged ${CHARS} characters` }],
          resultType: 'complete',
          _meta: {
            'io.modelcontextprotocol/serverInfo': {
              name: 'mcp-workers-everything',
              version: '0.1.0',
            },
          },
        },
      },
    ])
  })
})
