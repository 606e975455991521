/**
 * Durable handles, through the demo's notebook: a 2026-07-28 `remember` mints a notebook (a
 * HandleDO of its own) whose id later requests pass back; it belongs to the principal that
 * minted it (another principal's id answers exactly like an unknown one), a session of the
 * same principal can open it, and it expires after HANDLE_TTL_MS (1 s in these tests) unused.
 * A principal holds at most HANDLE_MAX_PER_PRINCIPAL live handles: one ended or expired no
 * longer counts, one kept in use does.
 */
import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { HandleLimitReached, handlesFor } from '../../src/handles'
import worker from '../../src/index'
import { modern, standardHeaders } from '../helpers/modern'
import { ACCEPT_BOTH, BASE, MSG, openSession, postMcp } from '../helpers/requests'
import { storedEntries } from '../helpers/session-storage'

const TOKENS = { AUTH_TOKENS: 'alice:tokA,bob:tokB,carol:tokC,dave:tokD' }

/** A modern tools/call as `token`'s principal (anonymous without one); its text and isError. */
async function call(
  name: string,
  args: Record<string, unknown>,
  token?: string,
  vars: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const body = modern('tools/call', { name, arguments: args })
  const res = await worker.fetch(
    new Request(`${BASE}/mcp`, {
      method: 'POST',
      headers: {
        accept: ACCEPT_BOTH,
        'content-type': 'application/json',
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
        ...standardHeaders(body),
        ...headers,
      },
      body: JSON.stringify(body),
    }),
    token === undefined ? { ...env, ...vars } : { ...env, ...TOKENS, ...vars },
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The handles of `principal` with a quota of `limit`. */
const handlesOf = (principal: string, limit: number) =>
  handlesFor({ ...env, HANDLE_MAX_PER_PRINCIPAL: String(limit) }, () => ({ name: principal }))

const LIMIT_2 =
  'Handle limit reached: the caller already holds 2 live handles, the most allowed. End one, or wait until one expires.'

describe('handle quota', () => {
  it('the handle past HANDLE_MAX_PER_PRINCIPAL is a tool error; another principal is unaffected', async () => {
    // Counted for a minute (the handles themselves expire after 1 s here): a slow run can't
    // free a place before the assertions.
    const limit = { HANDLE_MAX_PER_PRINCIPAL: '2', HANDLE_TTL_MS: '60000' }
    const remember = (token: string) => call('remember', { key: 'k', note: 'n' }, token, limit)
    expect((await remember('tokC')).isError).toBe(false)
    expect((await remember('tokC')).isError).toBe(false)
    const before = (await listDurableObjectIds(env.HANDLE_DO)).length
    expect(await remember('tokC')).toEqual({ text: LIMIT_2, isError: true })
    expect(await remember('tokC')).toEqual({ text: LIMIT_2, isError: true })
    expect(await listDurableObjectIds(env.HANDLE_DO)).toHaveLength(before)
    expect((await remember('tokD')).isError).toBe(false)
  })

  it('with auth off, each client address (an IPv6 /64) has a quota of its own; the handles stay anonymous’s', async () => {
    // Counted for a minute (the handles themselves expire after 1 s here): a slow run can't
    // free a place before the assertions.
    const limit = { HANDLE_MAX_PER_PRINCIPAL: '2', HANDLE_TTL_MS: '60000' }
    const from = (address: string) =>
      call('remember', { key: 'k', note: 'n' }, undefined, limit, { 'cf-connecting-ip': address })
    const first = await from('203.0.113.7')
    expect(first.isError).toBe(false)
    // Every caller is still the one principal: a notebook opens from any address.
    const notebook = /notebook ([0-9a-f]{64})/.exec(first.text)![1]!
    const recalled = await call('recall', { key: 'k', notebook }, undefined, limit, {
      'cf-connecting-ip': '198.51.100.1',
    })
    expect(recalled).toEqual({ text: 'n', isError: false })
    expect((await from('203.0.113.7')).isError).toBe(false)
    expect(await from('203.0.113.7')).toEqual({ text: LIMIT_2, isError: true })
    expect((await from('203.0.113.8')).isError).toBe(false)
    expect((await from('2001:db8:1:2::5')).isError).toBe(false)
    expect((await from('2001:db8:1:2:ffff::1')).isError).toBe(false)
    expect(await from('2001:0db8:0001:0002::9')).toEqual({ text: LIMIT_2, isError: true })
    expect((await from('2001:db8:1:3::5')).isError).toBe(false)
  })

  it('with auth off, a session records its client’s quota key; with auth on, there is none', async () => {
    const open = async (headers: Record<string, string>, vars: Record<string, string> = {}) => {
      const res = await worker.fetch(
        new Request(`${BASE}/mcp`, {
          method: 'POST',
          headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json', ...headers },
          body: JSON.stringify(MSG.initialize()),
        }),
        { ...env, ...vars },
      )
      await res.text()
      const entries = new Map(await storedEntries(res.headers.get('mcp-session-id')!))
      return entries.get('session') as Record<string, unknown>
    }
    expect(await open({ 'cf-connecting-ip': '203.0.113.9' })).toMatchObject({
      principal: 'anonymous',
      quotaKey: 'anonymous@203.0.113.9',
    })
    const signedIn = await open(
      { 'cf-connecting-ip': '203.0.113.9', authorization: 'Bearer tokA' },
      TOKENS,
    )
    expect(signedIn.principal).toBe('alice')
    expect(signedIn).not.toHaveProperty('quotaKey')
  })

  it('create() counts a principal with a quota key under that key', async () => {
    const limited = { ...env, HANDLE_MAX_PER_PRINCIPAL: '1' }
    const as = (quotaKey: string) => handlesFor(limited, () => ({ name: 'anonymous', quotaKey }))
    const handle = await as('anonymous@192.0.2.1').create()
    await expect(as('anonymous@192.0.2.1').create()).rejects.toThrow(
      'Handle limit reached: the caller already holds 1 live handle',
    )
    await as('anonymous@192.0.2.2').create()
    // Ended, it frees its place under the key it was counted under.
    await handle.end()
    await as('anonymous@192.0.2.1').create()
  })

  it('create() throws HandleLimitReached, with the limit', async () => {
    const handles = handlesOf('erin', 1)
    await handles.create()
    const refused = await handles.create().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(HandleLimitReached)
    expect(refused).toMatchObject({
      limit: 1,
      message:
        'Handle limit reached: the caller already holds 1 live handle, the most allowed. End one, or wait until one expires.',
    })
  })

  it('a handle ended no longer counts', async () => {
    const handles = handlesOf('frank', 2)
    const first = await handles.create()
    await handles.create()
    await expect(handles.create()).rejects.toThrow(LIMIT_2)
    await first.end()
    expect(await handles.open(first.id)).toBeUndefined()
    await handles.create()
    await expect(handles.create()).rejects.toThrow(LIMIT_2)
  })

  it('a handle expired (its alarm) no longer counts', async () => {
    const handles = handlesOf('grace', 2)
    const first = await handles.create()
    await handles.create()
    await expect(handles.create()).rejects.toThrow(LIMIT_2)
    await sleep(1_100)
    await runDurableObjectAlarm(env.HANDLE_DO.get(env.HANDLE_DO.idFromString(first.id)))
    await handles.create()
    await handles.create()
    await expect(handles.create()).rejects.toThrow(LIMIT_2)
  })

  it('a handle kept in use still counts after its first expiry', async () => {
    const handles = handlesOf('heidi', 1)
    const first = await handles.create()
    // Used after a quarter of its TTL (1 s here): it then lives until 1 s after this use.
    await sleep(600)
    expect(await handles.open(first.id)).toBeDefined()
    await sleep(500)
    await expect(handles.create()).rejects.toThrow(
      'Handle limit reached: the caller already holds 1 live handle',
    )
    expect(await handles.open(first.id)).toBeDefined()
  })

  it('without the HANDLE_OWNER_DO binding, create() says what to add', async () => {
    const handles = handlesFor({ ...env, HANDLE_OWNER_DO: undefined }, () => ({ name: 'ivan' }))
    await expect(handles.create()).rejects.toThrow(
      'Handles need the HANDLE_DO and HANDLE_OWNER_DO Durable Object bindings (classes HandleDO and HandleOwnerDO) in wrangler.toml',
    )
  })
})
