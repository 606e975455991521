/**
 * Cancellation on the wire (checklist I.67): `notifications/cancelled` gets 202, the call stops,
 * and its stream ends with no result; unknown or finished ids are ignored.
 */
import { describe, expect, it } from 'vitest'
import { LegacyStream } from '../helpers/legacy-sse'
import { MSG, openSession, postMcp } from '../helpers/requests'
import { parseSSE } from '../helpers/sse'

const cancel = (requestId: number) => ({
  jsonrpc: '2.0' as const,
  method: 'notifications/cancelled',
  params: { requestId, reason: 'user' },
})

describe('notifications/cancelled', () => {
  it('→ 202; the stream ends without a result', async () => {
    const sessionId = await openSession()
    const res = await postMcp(MSG.call('test_tool_with_progress', {}, 9, { progressToken: 'c' }), {
      'mcp-session-id': sessionId,
    })
    const stream = new LegacyStream(res)
    await stream.next()
    expect(JSON.parse((await stream.next()).data)).toMatchObject({
      method: 'notifications/progress',
    })
    const ack = await postMcp(cancel(9), { 'mcp-session-id': sessionId })
    expect(ack.status).toBe(202)
    const rest = await stream.drain(400)
    const messages = parseSSE(rest)
      .events.filter((e) => e.event === 'message')
      .map((e) => JSON.parse(e.data))
    expect(messages.some((m) => m.id === 9)).toBe(false)
    await expect(stream.next(200)).rejects.toThrow(/stream ended/)
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
