/**
 * Durable handles, through the demo's notebook: a 2026-07-28 `remember` mints a notebook (a
 * HandleDO of its own) whose id later requests pass back; it belongs to the principal that
 * minted it (another principal's id answers exactly like an unknown one), a session of the
 * same principal can open it, and it expires after HANDLE_TTL_MS (1 s in these tests) unused.
 */
import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { modern, standardHeaders } from '../helpers/modern'
import { ACCEPT_BOTH, BASE, MSG, openSession, postMcp } from '../helpers/requests'

const TOKENS = { AUTH_TOKENS: 'alice:tokA,bob:tokB' }

/** A modern tools/call as `token`'s principal (anonymous without one); its text and isError. */
async function call(name: string, args: Record<string, unknown>, token?: string) {
  const body = modern('tools/call', { name, arguments: args })
  const res = await worker.fetch(
    new Request(`${BASE}/mcp`, {
      method: 'POST',
      headers: {
        accept: ACCEPT_BOTH,
        'content-type': 'application/json',
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
        ...standardHeaders(body),
      },
      body: JSON.stringify(body),
    }),
    token === undefined ? env : { ...env, ...TOKENS },
  )
  const reply = (await res.json()) as {
    result: { content: { text: string }[]; isError?: boolean }
  }
  return { text: reply.result.content[0]?.text ?? '', isError: reply.result.isError ?? false }
}

async function mintNotebook(token?: string): Promise<string> {
  const { text } = await call('remember', { key: 'k', note: 'first' }, token)
  const id = /^Remembered "k" in notebook ([0-9a-f]{64})\.$/.exec(text)?.[1]
  expect(id).toBeDefined()
  return id!
}

describe('notebook handles', () => {
  it('remember mints one; later requests pass its id to add and recall notes', async () => {
    const before = (await listDurableObjectIds(env.HANDLE_DO)).length
    const notebook = await mintNotebook()
    expect(await listDurableObjectIds(env.HANDLE_DO)).toHaveLength(before + 1)
    expect(await call('remember', { key: 'j', note: 'second', notebook })).toEqual({
      text: `Remembered "j" in notebook ${notebook}.`,
      isError: false,
    })
    expect((await call('recall', { key: 'k', notebook })).text).toBe('first')
    expect((await call('recall', { notebook })).text).toBe('j: second\nk: first')
    expect(await call('recall', { key: 'nope', notebook })).toEqual({
      text: 'No note named "nope".',
      isError: true,
    })
    expect(await call('recall', {})).toEqual({
      text: 'Without a session, pass the notebook id that remember returned.',
      isError: true,
    })
  })

  it('another principal’s notebook answers exactly like an unknown one', async () => {
    const notebook = await mintNotebook('tokA')
    expect((await call('recall', { key: 'k', notebook }, 'tokA')).text).toBe('first')
    const foreign = await call('recall', { key: 'k', notebook }, 'tokB')
    const unknown = await call('recall', { key: 'k', notebook: 'f'.repeat(64) }, 'tokB')
    expect(foreign).toEqual({ text: `No notebook "${notebook}".`, isError: true })
    expect(unknown).toEqual({ text: `No notebook "${'f'.repeat(64)}".`, isError: true })
    expect(await call('remember', { key: 'x', note: 'y', notebook }, 'tokB')).toEqual(foreign)
    expect(await call('recall', { notebook: 'not-an-id' }, 'tokB')).toEqual({
      text: 'No notebook "not-an-id".',
      isError: true,
    })
  })

  it('a session of the same principal opens it; without one, the session is the notebook', async () => {
    const notebook = await mintNotebook()
    const sessionId = await openSession()
    const headers = { 'mcp-session-id': sessionId }
    const opened = await postMcp(MSG.call('recall', { key: 'k', notebook }), headers)
    expect(await opened.json()).toMatchObject({ result: { content: [{ text: 'first' }] } })
    const own = await postMcp(MSG.call('remember', { key: 's', note: 'session note' }), headers)
    expect(await own.json()).toMatchObject({ result: { content: [{ text: 'Remembered "s".' }] } })
    const fromSession = await postMcp(MSG.call('recall', {}), headers)
    expect(await fromSession.json()).toMatchObject({
      result: { content: [{ text: 's: session note' }] },
    })
  })

  it('expires after HANDLE_TTL_MS unused, and its alarm deletes what it held', async () => {
    const notebook = await mintNotebook()
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expect(await call('recall', { key: 'k', notebook })).toEqual({
      text: `No notebook "${notebook}".`,
      isError: true,
    })
    const stub = env.HANDLE_DO.get(env.HANDLE_DO.idFromString(notebook))
    // The alarm is due at the TTL; it may have run already.
    await runDurableObjectAlarm(stub)
    const left = await runInDurableObject(stub, (_instance, state) => [...state.storage.kv.list()])
    expect(left).toEqual([])
  })
})
