/**
 * Letting an idle session's live half go. Invariants: a session with anything in flight or open
 * is never let go; one idle for the delay is released (its server closed) and the next request
 * rebuilds it from storage, answering exactly as before.
 */
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { LiveSession } from '../../durable/live-session'
import { LiveSessionHolder } from '../../durable/live-session-holder'
import { MSG, openSession, postMcp } from '../helpers/requests'
import { freshObject } from '../helpers/session-storage'
import { parseSSE } from '../helpers/sse'

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A stand-in live session: only what the holder looks at. */
function fakeLive(idle: () => boolean) {
  const released: number[] = []
  const live = {
    get idle() {
      return idle()
    },
    release: async () => {
      released.push(Date.now())
    },
  }
  return { live: live as unknown as LiveSession, released }
}

describe('the live session holder', () => {
  it('builds once, lets an idle session go after the delay, and builds again on the next use', async () => {
    await runInDurableObject(freshObject(), async (_i, state) => {
      const { live, released } = fakeLive(() => true)
      const builds: boolean[] = []
      const holder = new LiveSessionHolder(
        state,
        async (restore) => {
          builds.push(restore)
          return live
        },
        50,
      )
      await Promise.all([holder.get(false), holder.get()])
      expect(builds).toEqual([false])
      await wait(20)
      await holder.get()
      await wait(40)
      expect(released).toEqual([])
      await wait(60)
      expect(released).toHaveLength(1)
      expect(holder.existing).toBeUndefined()
      await holder.get()
      expect(builds).toEqual([false, true])
      holder.take()
    })
  })

  it('keeps a session that is not idle, and lets it go once it is', async () => {
    await runInDurableObject(freshObject(), async (_i, state) => {
      let idle = false
      const { live, released } = fakeLive(() => idle)
      const holder = new LiveSessionHolder(state, async () => live, 30)
      await holder.get()
      await wait(100)
      expect(released).toEqual([])
      expect(holder.existing).toBeDefined()
      idle = true
      await wait(60)
      expect(released).toHaveLength(1)
    })
  })

  it('with a delay of 0 keeps the session for the life of the object', async () => {
    await runInDurableObject(freshObject(), async (_i, state) => {
      const { live, released } = fakeLive(() => true)
      const holder = new LiveSessionHolder(state, async () => live, 0)
      await holder.get()
      await wait(50)
      expect(released).toEqual([])
      expect(holder.existing).toBeDefined()
    })
  })
})

describe('a session let go while idle (SESSION_IDLE_RELEASE_MS: 250 here)', () => {
  it('answers the next requests as before: tools and stored notes', async () => {
    const sessionId = await openSession()
    const headers = { 'mcp-session-id': sessionId }
    const remembered = await postMcp(MSG.call('remember', { key: 'k', note: 'kept' }, 2), headers)
    expect(remembered.status).toBe(200)
    await remembered.text()
    await wait(500)

    const recalled = await postMcp(MSG.call('recall', { key: 'k' }, 4), headers)
    expect(await recalled.json()).toEqual({
      jsonrpc: '2.0',
      id: 4,
      result: { content: [{ type: 'text', text: 'kept' }] },
    })
    const echoed = await postMcp(MSG.call('echo', { text: 'again' }, 5), headers)
    expect(await echoed.json()).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: { content: [{ type: 'text', text: 'again' }] },
    })
  })

  it('is not let go while a call runs longer than the delay', async () => {
    const sessionId = await openSession()
    const res = await postMcp(
      MSG.call('countdown', { from: 3, intervalMs: 200 }, 6, { progressToken: 'p' }),
      { 'mcp-session-id': sessionId },
    )
    const events = parseSSE(await res.text())
      .events.filter((e) => e.data !== '') // the priming event
      .map((e) => JSON.parse(e.data) as object)
    expect(events.map((e) => ('method' in e ? e.method : 'result'))).toEqual([
      'notifications/progress',
      'notifications/progress',
      'notifications/progress',
      'result',
    ])
    expect(events.at(-1)).toEqual({
      jsonrpc: '2.0',
      id: 6,
      result: { content: [{ type: 'text', text: 'Liftoff!' }] },
    })
  })
})
