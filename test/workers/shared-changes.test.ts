/**
 * Shared resources change atomically where they live: concurrent `score`s from many sessions
 * (and from 2026-07-28 requests) all count, and no player name reaches a prototype
 * (`__proto__`, `constructor` are ordinary keys). The changes themselves are unit-tested too.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { readSessionConfig } from '../../src/session-config'
import { applyChanges } from '../../src/shared-changes'
import { sharedResource } from '../../src/shared-resource'
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

  it('keepHighest keeps the entries with the highest numbers; a tie keeps the earlier key', () => {
    const scores = { a: 5, b: 9, c: 1, d: 9, e: 5 }
    expect(applyChanges(scores, [{ op: 'keepHighest', path: [], count: 3 }])).toEqual({
      b: 9,
      d: 9,
      a: 5,
    })
    const nested = applyChanges({ board: { x: 1, y: 2 }, other: 'kept' }, [
      { op: 'increment', path: ['board', 'z'], by: 3 },
      { op: 'keepHighest', path: ['board'], count: 2 },
    ])
    expect(nested).toEqual({ board: { y: 2, z: 3 }, other: 'kept' })
    expect(applyChanges({ a: 1 }, [{ op: 'keepHighest', path: [], count: 5 }])).toEqual({ a: 1 })
    expect(applyChanges(undefined, [{ op: 'keepHighest', path: ['none'], count: 1 }])).toBe(
      undefined,
    )
    expect(applyChanges({ a: 1 }, [{ op: 'keepHighest', path: [], count: 0 }])).toEqual({})
  })

  it('keepHighest refuses entries that are not numbers, and a count that is not one', () => {
    expect(() =>
      applyChanges({ a: 1, b: 'x' }, [{ op: 'keepHighest', path: [], count: 1 }]),
    ).toThrow('keepHighest at []: b is not a number')
    expect(() => applyChanges(3, [{ op: 'keepHighest', path: [], count: 1 }])).toThrow(
      'keepHighest at []: not an object',
    )
    for (const count of [-1, 1.5, Number.NaN]) {
      expect(() => applyChanges({ a: 1 }, [{ op: 'keepHighest', path: [], count }])).toThrow(
        'keepHighest needs a count of 0 or more',
      )
    }
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

describe('SHARED_VALUE_MAX_BYTES', () => {
  const MAX = 512 * 1024
  const tooLarge = (bytes: number) =>
    `Shared value too large: ${bytes} bytes as JSON; a shared resource's value may hold at most ${MAX} bytes (SHARED_VALUE_MAX_BYTES). Nothing was changed.`

  it('is 512 KiB by default, at most 1900000', () => {
    expect(readSessionConfig({}).maxSharedValueBytes).toBe(MAX)
    expect(readSessionConfig({ SHARED_VALUE_MAX_BYTES: '2048' }).maxSharedValueBytes).toBe(2_048)
    expect(() => readSessionConfig({ SHARED_VALUE_MAX_BYTES: '1900001' })).toThrow(
      'Invalid SHARED_VALUE_MAX_BYTES: Too big: expected number to be <=1900000',
    )
  })

  it('refuses a write that makes the value larger, in UTF-8 bytes of its JSON, and keeps the old one', async () => {
    const uri = 'big://write'
    const board = sharedResource<unknown>(env, uri)
    await board.write({ n: 1 })
    const fits = 'x'.repeat(MAX - JSON.stringify({ t: '' }).length)
    await board.write({ t: fits })
    const over = 'é'.repeat(MAX / 2)
    await expect(board.write({ t: over })).rejects.toThrow(tooLarge(MAX + 8))
    expect(await board.read()).toEqual({ t: fits })
  })

  it('refuses an update past it, and the value stays as it was', async () => {
    const uri = 'big://update'
    const board = sharedResource<Record<string, string>>(env, uri)
    await board.update({ op: 'set', path: ['a'], value: 'x'.repeat(MAX / 2) })
    const before = await board.read()
    await expect(
      board.update({ op: 'set', path: ['b'], value: 'y'.repeat(MAX / 2) }),
    ).rejects.toThrow(tooLarge(MAX + 15))
    expect(await board.read()).toEqual(before)
  })
})
