/**
 * Cancellation on the wire (checklist I.67): `notifications/cancelled` gets 202, and the
 * cancelled request's stream ends at once with nothing more on it (no result, ever); unknown or
 * finished ids are ignored. The call cancelled waits for the client's answer to an elicitation,
 * so nothing it would send races the cancellation.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { LegacyStream } from '../helpers/legacy-sse'
import { MSG, openSession, postMcp } from '../helpers/requests'
import { parseSSE } from '../helpers/sse'

const cancel = (requestId: number) => ({
  jsonrpc: '2.0' as const,
  method: 'notifications/cancelled',
  params: { requestId, reason: 'user' },
})

/** Opens a session whose client can answer elicitation. */
async function openEliciting(): Promise<string> {
  const init = MSG.initialize('2025-11-25')
  const res = await postMcp({
    ...init,
    params: { ...init.params, capabilities: { elicitation: { form: {} } } },
  })
  await res.text()
  const sessionId = res.headers.get('mcp-session-id')!
  expect((await postMcp(MSG.initialized, { 'mcp-session-id': sessionId })).status).toBe(202)
  return sessionId
}

// The pool loads the app's modules on the first request (many seconds on a busy machine); give
// that its own time.
beforeAll(async () => {
  await openSession()
}, 60_000)

describe('notifications/cancelled', () => {
  it('→ 202; the stream ends at once, with nothing after what was sent before', async () => {
    const sessionId = await openEliciting()
    const res = await postMcp(MSG.call('test_elicitation', { message: 'Who?' }, 9), {
      'mcp-session-id': sessionId,
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const stream = new LegacyStream(res)
    const asked = {
      jsonrpc: '2.0',
      id: 1,
      method: 'elicitation/create',
      params: {
        message: 'Who?',
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
      },
    }
    expect(await stream.next()).toEqual({ id: 'p1_0', data: '', retry: 1000 })
    expect(await stream.nextMessage()).toEqual(asked)

    const ack = await postMcp(cancel(9), { 'mcp-session-id': sessionId })
    expect(ack.status).toBe(202)
    expect(await ack.text()).toBe('')
    // The server ends the stream; everything it carried is the two events read before.
    expect(await stream.ended(10_000)).toBe(true)
    const events = parseSSE(stream.raw).events.map((event) =>
      event.event === 'message' ? { ...event, data: JSON.parse(event.data) } : event,
    )
    expect(events).toEqual([
      { id: 'p1_0', data: '', retry: 1000 },
      { event: 'message', id: 'p1_1', data: asked },
    ])
  })

  it('for an unknown or finished request is ignored (202)', async () => {
    const sessionId = await openSession()
    const done = await postMcp(MSG.call('test_simple_text', {}, 3), { 'mcp-session-id': sessionId })
    await done.text()
    expect((await postMcp(cancel(3), { 'mcp-session-id': sessionId })).status).toBe(202)
    expect((await postMcp(cancel(999), { 'mcp-session-id': sessionId })).status).toBe(202)
    const ping = await postMcp(MSG.ping(4), { 'mcp-session-id': sessionId })
    expect(await ping.json()).toEqual({ jsonrpc: '2.0', id: 4, result: {} })
  })
})
