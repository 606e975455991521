/**
 * A session that ends while its `resources/subscribe` requests are still in flight, on the
 * everything example, whose template serves any number of URIs (hubs nothing ever writes).
 * Invariant: once `DELETE /mcp` has answered, no hub lists the session; a subscribe either
 * finished before the session ended (and its hub was left with the session) or is answered as
 * for an unknown or ended session (404); and a hub that holds no value keeps no storage.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { hubFor } from '../../src/shared-resource'
import { fetchApp, openSession, postMcp } from '../helpers/requests'

/** Every key the hub of `uri` stores. */
function hubKeys(uri: string): Promise<string[]> {
  return runInDurableObject(hubFor(env, uri), (_instance, state) =>
    [...state.storage.kv.list()].map(([key]) => key),
  )
}

/** `resources/subscribe` of `uri` on the session: its status and body. */
async function subscribe(sessionId: string, uri: string, id: number) {
  const res = await postMcp(
    { jsonrpc: '2.0', id, method: 'resources/subscribe', params: { uri } },
    { 'mcp-session-id': sessionId },
  )
  return { status: res.status, body: await res.json() }
}

/** The answer to a request for a session that doesn't exist, or ended under it. */
const gone = (message: string) => ({
  status: 404,
  body: { jsonrpc: '2.0', id: null, error: { code: -32001, message } },
})

// The pool loads the app's modules on the first request; give that its own time.
beforeAll(async () => {
  await openSession()
}, 30_000)

describe('a session that ends under its subscribes', () => {
  it('leaves no subscriber row in any hub, however the two interleave', async () => {
    for (let round = 0; round < 12; round++) {
      const sessionId = await openSession()
      const uris = [0, 1, 2].map((i) => `test://template/end-${round}-${i}/data`)
      const subscribes = uris.map((uri, i) => subscribe(sessionId, uri, 10 + i))
      // From at once to a few milliseconds in: the DELETE lands before, among and after them.
      await new Promise((resolve) => setTimeout(resolve, round % 6))
      const ended = await fetchApp('/mcp', {
        method: 'DELETE',
        headers: { 'mcp-session-id': sessionId },
      })
      expect(ended.status).toBe(200)
      for (const [i, answer] of (await Promise.all(subscribes)).entries()) {
        expect([
          { status: 200, body: { jsonrpc: '2.0', id: 10 + i, result: {} } },
          gone('Session not found'),
          gone('Session terminated'),
        ]).toContainEqual(answer)
      }
      for (const uri of uris) expect(await hubKeys(uri)).toEqual([])
    }
  })
})
