/**
 * The hub's fan-out, against stand-in sessions. Invariant: every queued session is told, at most
 * `concurrency` at once and never twice at once; a change while a session is being told is told
 * again after; sessions that say they are gone are dropped in one batch, unless they subscribed
 * again meanwhile; a call that fails is tried once more and its session kept.
 */
import { describe, expect, it } from 'vitest'
import { HubFanOut, type UpdatableSessions } from '../../durable/hub/hub-fan-out'

/** Stand-in sessions: each call waits for `release`, then answers what `answers` says. */
class StandInSessions {
  readonly calls: string[] = []
  readonly answers = new Map<string, boolean | 'throw'>()
  inFlight = 0
  maxInFlight = 0
  #waiting: Array<() => void> = []

  idFromString(id: string): string {
    return id
  }

  get(id: string) {
    return {
      resourceUpdated: async (): Promise<boolean> => {
        this.calls.push(id)
        this.inFlight++
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
        await new Promise<void>((resolve) => this.#waiting.push(resolve))
        this.inFlight--
        const answer = this.answers.get(id) ?? true
        if (answer === 'throw') throw new Error('object restarting')
        return answer
      },
    }
  }

  /** Lets every waiting call answer, and lets the fan-out go on to the next ones. */
  async release(): Promise<void> {
    for (const resolve of this.#waiting.splice(0)) resolve()
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
}

function fanOut(concurrency: number) {
  const sessions = new StandInSessions()
  const work: Promise<unknown>[] = []
  const forgotten: string[][] = []
  const fan = new HubFanOut(
    'test://thing',
    {
      sessions: sessions as unknown as UpdatableSessions,
      waitUntil: (promise) => work.push(promise),
      forget: (ids) => forgotten.push([...ids]),
    },
    concurrency,
  )
  /** Releases calls until the fan-out's work is all done. */
  const settle = async () => {
    while (sessions.inFlight > 0) await sessions.release()
    await Promise.all(work)
  }
  return { fan, sessions, forgotten, settle }
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => `s${i}`)

describe('a fan-out to sessions', () => {
  it('tells every session once, a bounded number at a time', async () => {
    const { fan, sessions, settle } = fanOut(4)
    fan.tell(ids(10))
    expect(sessions.inFlight).toBe(4)
    await settle()
    expect(sessions.calls.sort()).toEqual(ids(10).sort())
    expect(sessions.maxInFlight).toBe(4)
  })

  it('tells a session again when a change comes while it is being told', async () => {
    const { fan, sessions, settle } = fanOut(4)
    fan.tell(['a'])
    fan.tell(['a', 'b'])
    // 'a' is not told twice at once; 'b' goes ahead.
    expect(sessions.calls).toEqual(['a', 'b'])
    await settle()
    expect(sessions.calls).toEqual(['a', 'b', 'a'])
  })

  it('drops the gone together, keeps the renewed, and keeps those whose call failed', async () => {
    const { fan, sessions, forgotten, settle } = fanOut(4)
    sessions.answers.set('gone1', false)
    sessions.answers.set('gone2', false)
    sessions.answers.set('back', false)
    sessions.answers.set('flaky', 'throw')
    fan.tell(['gone1', 'live', 'gone2', 'back', 'flaky'])
    await sessions.release()
    fan.renewed('back')
    await settle()
    expect(forgotten).toEqual([['gone1', 'gone2']])
    expect(sessions.calls.filter((id) => id === 'flaky')).toHaveLength(2)
  })
})
