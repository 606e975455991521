/**
 * Shared resources change atomically where they live: concurrent `score`s from many sessions
 * (and from 2026-07-28 requests) all count, and no player name reaches a prototype
 * (`__proto__`, `constructor` are ordinary keys). The changes themselves are unit-tested too.
 */
import { describe, expect, it } from 'vitest'
import { applyChanges } from '../../src/shared-changes'
import { modern, postModern } from '../helpers/modern'
import { MSG, openSession, postMcp } from '../helpers/requests'

async function score(sessionId: string, player: string, points: number, id = 9): Promise<string> {
  const res = await postMcp(MSG.call('score', { player, points }, id), {
    'mcp-session-id': sessionId,
  })
  const body = (await res.json()) as { result: { content: { text: string }[] } }
  return body.result.content[0]!.text
}

async function standings(): Promise<{ player: string; points: number }[]> {
  const res = await postModern(modern('resources/read', { uri: 'leaderboard://scores' }))
  const body = (await res.json()) as { result: { contents: { text: string }[] } }
  return JSON.parse(body.result.contents[0]!.text)
}

describe('the shared leaderboard', () => {
  it('counts 50 concurrent scores from 50 sessions, and 100 from modern requests', async () => {
    const player = `crowd-${crypto.randomUUID()}`
    // 2025-06-18 sessions answer in JSON however long a busy machine takes (no SSE_AFTER_MS).
    const sessions = await Promise.all(Array.from({ length: 50 }, () => openSession('2025-06-18')))
    await Promise.all(sessions.map((sessionId, i) => score(sessionId, player, 1, i)))
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) =>
        (
          await postModern(
            modern('tools/call', { name: 'score', arguments: { player, points: 1 } }, i),
          )
        ).text(),
      ),
    )
    expect((await standings()).find((row) => row.player === player)).toEqual({
      player,
      points: 150,
    })
  }, 60_000)

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'a player called %s is an ordinary player',
    async (player) => {
      const sessionId = await openSession()
      expect(await score(sessionId, player, 2)).toBe(`${player} now has 2 points.`)
      expect(await score(sessionId, player, 3)).toBe(`${player} now has 5 points.`)
      expect((await standings()).find((row) => row.player === player)).toEqual({
        player,
        points: 5,
      })
      expect(({} as Record<string, unknown>).points).toBeUndefined()
    },
  )
})

describe('applyChanges', () => {
  it('sets, increments and deletes at paths, creating objects on the way', () => {
    const value = applyChanges(undefined, [
      { op: 'set', path: ['a', 'b'], value: 'x' },
      { op: 'increment', path: ['n'], by: 2 },
      { op: 'increment', path: ['n'], by: 3 },
      { op: 'set', path: ['gone'], value: 1 },
      { op: 'delete', path: ['gone'] },
    ])
    expect(value).toEqual({ a: { b: 'x' }, n: 5 })
    expect(applyChanges(value, [{ op: 'set', path: [], value: 7 }])).toBe(7)
  })

  it('keeps prototype names as own keys and touches no prototype', () => {
    const value = applyChanges({}, [
      { op: 'increment', path: ['__proto__'], by: 1 },
      { op: 'set', path: ['constructor', 'prototype'], value: 'p' },
    ]) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe(1)
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor'])
    expect(({} as Record<string, unknown>).prototype).toBeUndefined()
  })

  it('refuses a change that does not fit, with the path in the message', () => {
    expect(() => applyChanges({ s: 'x' }, [{ op: 'increment', path: ['s'], by: 1 }])).toThrow(
      'increment at ["s"]: not a number',
    )
    expect(() => applyChanges({ n: 1 }, [{ op: 'set', path: ['n', 'm'], value: 1 }])).toThrow(
      'n is not an object',
    )
    expect(() => applyChanges(3, [{ op: 'set', path: ['a'], value: 1 }])).toThrow('not an object')
    const rogue = [{ op: 'eval', path: ['a'] }] as unknown as Parameters<typeof applyChanges>[1]
    expect(() => applyChanges({}, rogue)).toThrow('Unknown shared change eval')
    const badPath = [{ op: 'delete', path: [1] }] as unknown as Parameters<typeof applyChanges>[1]
    expect(() => applyChanges({}, badPath)).toThrow('a path of string keys')
  })
})
