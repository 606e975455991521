/**
 * `resources/subscribe` on a session of the everything example, whose template serves any
 * number of URIs. Invariant: a session holds at most `SESSION_MAX_SUBSCRIPTIONS` subscriptions
 * (3 in these tests); one more is refused as the SDK refuses a listen past its table
 * (`-32603` "Subscription limit reached"), subscribing again to a held URI is no new one, and
 * unsubscribing frees a place.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { openSession, postMcp } from '../helpers/requests'

const item = (id: number) => `test://template/${id}/data`

/** `method` of `uri` on the session: the JSON-RPC answer (always HTTP 200 here). */
async function send(sessionId: string, uri: string, id: number, method = 'resources/subscribe') {
  const res = await postMcp(
    { jsonrpc: '2.0', id, method, params: { uri } },
    { 'mcp-session-id': sessionId },
  )
  expect(res.status).toBe(200)
  return res.json()
}

const ok = (id: number) => ({ jsonrpc: '2.0', id, result: {} })

// The pool loads the app's modules on the first request; give that its own time.
beforeAll(async () => {
  await openSession()
}, 30_000)

describe('subscriptions per session', () => {
  it('takes SESSION_MAX_SUBSCRIPTIONS of them, then refuses more until one goes', async () => {
    const sessionId = await openSession()
    for (const id of [1, 2, 3]) expect(await send(sessionId, item(id), id)).toEqual(ok(id))
    expect(await send(sessionId, item(4), 4)).toEqual({
      jsonrpc: '2.0',
      id: 4,
      error: { code: -32603, message: 'Subscription limit reached' },
    })
    // Subscribing again to one it holds takes no new place.
    expect(await send(sessionId, item(2), 5)).toEqual(ok(5))
    expect(await send(sessionId, item(2), 6, 'resources/unsubscribe')).toEqual(ok(6))
    expect(await send(sessionId, item(4), 7)).toEqual(ok(7))
    // Another session has places of its own.
    expect(await send(await openSession(), item(9), 8)).toEqual(ok(8))
  })

  it('refuses a URI neither a resource nor a template serves', async () => {
    const sessionId = await openSession()
    expect(await send(sessionId, 'test://nope', 1)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32602,
        message: 'Resource not found: test://nope',
        data: { uri: 'test://nope' },
      },
    })
  })
})
