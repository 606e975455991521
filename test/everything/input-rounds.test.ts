/**
 * `input_required` round trips on the wire, on the everything example's tools: the first round
 * names every input it needs under its key and hands out signed state; a retry with the
 * answers completes; a missing answer is asked again; and a tampered state, one replayed by
 * another principal or for other arguments is refused (-32602) before the tool runs. Each
 * round's state is single-use: once a retry carried it, it is refused like a tampered one, so a
 * completed call can't be replayed. Refusals are the client's doing and write no error line,
 * however many come; a ledger that fails is the server's, and is logged. Without
 * `REQUEST_STATE_KEY`, states are signed with a key kept in a Durable Object, the same for every
 * isolate.
 */
import { env } from 'cloudflare:workers'
import { createRequestStateCodec, type ServerContext } from '@modelcontextprotocol/server'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import worker from '../../examples/everything/index'
import { stateBinding } from '../../src/modern/request-state'
import { modern, standardHeaders } from '../helpers/modern'
import { ACCEPT_BOTH, BASE } from '../helpers/requests'

const CAPS = { elicitation: {}, sampling: {}, roots: {} }

/** A JSON-RPC answer, as far as these tests read it. */
interface Reply {
  readonly result?: {
    readonly resultType?: string
    readonly inputRequests?: Record<string, unknown>
    readonly requestState?: string
    readonly content?: unknown
  }
  readonly error?: { readonly code: number; readonly message: string }
}
const TOKENS = { AUTH_TOKENS: 'alice:tokA,bob:tokB' }

/** A modern tools/call as `token`'s principal, declaring every input capability. */
async function call(
  name: string,
  params: Record<string, unknown> = {},
  token = 'tokA',
  args: Record<string, unknown> = {},
  vars: Record<string, unknown> = {},
) {
  const body = modern('tools/call', { name, arguments: args, ...params }, 7, {
    'io.modelcontextprotocol/clientCapabilities': CAPS,
  })
  const res = await worker.fetch(
    new Request(`${BASE}/mcp`, {
      method: 'POST',
      headers: {
        accept: ACCEPT_BOTH,
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...standardHeaders(body),
      },
      body: JSON.stringify(body),
    }),
    { ...env, ...TOKENS, ...vars },
  )
  return { status: res.status, body: (await res.json()) as Reply }
}

beforeAll(async () => {
  // The pool loads the SDK v2 modules on the first modern request; give that its own time.
  await call('test_simple_text')
}, 30_000)

const NAME_REQUEST = {
  method: 'elicitation/create',
  params: {
    message: 'What is your name?',
    requestedSchema: {
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
    },
  },
}

describe('input_required round trips', () => {
  it('round 1: every input the tool needs, under its key, and signed state', async () => {
    const { status, body } = await call('test_input_required_result_elicitation')
    expect(status).toBe(200)
    expect(body.result).toEqual({
      resultType: 'input_required',
      inputRequests: { user_name: NAME_REQUEST },
      requestState: expect.stringMatching(/^v1\./),
      _meta: expect.any(Object),
    })
  })

  it('round 2: the answer completes the call', async () => {
    const first = await call('test_input_required_result_elicitation')
    const { body } = await call('test_input_required_result_elicitation', {
      inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } } },
      requestState: first.body.result?.requestState,
    })
    expect(body.result).toMatchObject({
      resultType: 'complete',
      content: [{ type: 'text', text: 'Hello, Ada!' }],
    })
  })

  it('keys follow the order of the calls when a tool names none; parallel asks come together', async () => {
    const single = await call('test_elicitation', {}, 'tokA', { message: 'Who?' })
    expect(Object.keys(single.body.result?.inputRequests ?? {})).toEqual(['input-1'])
    const all = await call('test_input_required_result_multiple_inputs')
    expect(Object.keys(all.body.result?.inputRequests ?? {}).sort()).toEqual([
      'client_roots',
      'greeting',
      'user_name',
    ])
  })

  it('a multi-round tool carries earlier answers in its state', async () => {
    const first = await call('test_input_required_result_multi_round')
    expect(Object.keys(first.body.result?.inputRequests ?? {})).toEqual(['step1'])
    const second = await call('test_input_required_result_multi_round', {
      inputResponses: { step1: { action: 'accept', content: { name: 'Ada' } } },
      requestState: first.body.result?.requestState,
    })
    expect(Object.keys(second.body.result?.inputRequests ?? {})).toEqual(['step2'])
    const third = await call('test_input_required_result_multi_round', {
      inputResponses: { step2: { action: 'accept', content: { color: 'teal' } } },
      requestState: second.body.result?.requestState,
    })
    expect(third.body.result?.content).toEqual([{ type: 'text', text: 'Ada likes teal' }])
  })

  it('a missing answer is asked for again', async () => {
    const first = await call('test_input_required_result_elicitation')
    const { body } = await call('test_input_required_result_elicitation', {
      inputResponses: { wrong_key: { action: 'accept', content: { name: 'x' } } },
      requestState: first.body.result?.requestState,
    })
    expect(body.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { user_name: NAME_REQUEST },
    })
  })

  it('an answer that does not fit is an error result naming the problem', async () => {
    const badContent = await call('test_input_required_result_elicitation', {
      inputResponses: { user_name: { action: 'accept', content: { name: 3 } } },
    })
    expect(badContent.body.result).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/does not match its requestedSchema: #\/name/) }],
    })
    const badShape = await call('test_input_required_result_sampling', {
      inputResponses: { capital_question: { role: 'nobody' } },
    })
    expect(badShape.body.result).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/is not a sampling\/createMessage result/) }],
    })
  })
})

describe('requestState is refused when it was not minted for this request', () => {
  const answer = { user_name: { action: 'accept', content: { name: 'Ada' } } }

  it('tampered → -32602', async () => {
    const first = await call('test_input_required_result_elicitation')
    const state = first.body.result?.requestState as string
    const tampered = `${state.slice(0, 10)}${state[10] === 'A' ? 'B' : 'A'}${state.slice(11)}`
    const { body } = await call('test_input_required_result_elicitation', {
      inputResponses: answer,
      requestState: tampered,
    })
    expect(body.error).toMatchObject({ code: -32602, message: 'Invalid or expired requestState' })
  })

  it('replayed by another principal → -32602', async () => {
    const first = await call('test_input_required_result_elicitation', {}, 'tokA')
    const { body } = await call(
      'test_input_required_result_elicitation',
      { inputResponses: answer, requestState: first.body.result?.requestState },
      'tokB',
    )
    expect(body.error).toMatchObject({ code: -32602 })
  })

  it('replayed for other arguments → -32602', async () => {
    const first = await call('test_elicitation', {}, 'tokA', { message: 'first' })
    const { body } = await call(
      'test_elicitation',
      {
        inputResponses: { 'input-1': { action: 'accept', content: { username: 'u', email: 'e' } } },
        requestState: first.body.result?.requestState,
      },
      'tokA',
      { message: 'other' },
    )
    expect(body.error).toMatchObject({ code: -32602 })
  })

  it('garbage → -32602', async () => {
    const { body } = await call('test_input_required_result_elicitation', {
      requestState: 'not-a-state',
    })
    expect(body.error).toMatchObject({ code: -32602 })
  })
})

/** The exact answer to a request whose requestState is refused (request id 7). */
const REFUSED = {
  status: 200,
  body: {
    jsonrpc: '2.0',
    id: 7,
    error: {
      code: -32602,
      message: 'Invalid or expired requestState',
      data: { reason: 'invalid_request_state' },
    },
  },
}

describe('each round’s requestState is single-use', () => {
  const answer = { user_name: { action: 'accept', content: { name: 'Ada' } } }
  const HELLO = [{ type: 'text', text: 'Hello, Ada!' }]

  it('a completed call’s final state, replayed, is refused every time: the tool runs once', async () => {
    const first = await call('test_input_required_result_elicitation')
    const retry = { inputResponses: answer, requestState: first.body.result?.requestState }
    const done = await call('test_input_required_result_elicitation', retry)
    expect(done.body.result).toMatchObject({ resultType: 'complete', content: HELLO })
    for (let replay = 0; replay < 3; replay++) {
      expect(await call('test_input_required_result_elicitation', retry)).toEqual(REFUSED)
    }
  })

  it('an earlier round’s state is spent too', async () => {
    const name = 'test_input_required_result_multi_round'
    const first = await call(name)
    const step1 = {
      inputResponses: { step1: { action: 'accept', content: { name: 'Ada' } } },
      requestState: first.body.result?.requestState,
    }
    const second = await call(name, step1)
    expect(Object.keys(second.body.result?.inputRequests ?? {})).toEqual(['step2'])
    expect(await call(name, step1)).toEqual(REFUSED)
    const third = await call(name, {
      inputResponses: { step2: { action: 'accept', content: { color: 'teal' } } },
      requestState: second.body.result?.requestState,
    })
    expect(third.body.result?.content).toEqual([{ type: 'text', text: 'Ada likes teal' }])
  })

  it('two retries racing with one state: exactly one completes', async () => {
    const first = await call('test_input_required_result_elicitation')
    const retry = { inputResponses: answer, requestState: first.body.result?.requestState }
    const both = await Promise.all([
      call('test_input_required_result_elicitation', retry),
      call('test_input_required_result_elicitation', retry),
    ])
    const completed = both.filter((reply) => reply.body.result?.resultType === 'complete')
    expect(completed).toHaveLength(1)
    expect(completed[0]?.body.result?.content).toEqual(HELLO)
    expect(both.filter((reply) => reply.body.error !== undefined)).toEqual([REFUSED])
  })

  it('refusals are the client’s doing: a flood of replays and forgeries writes no error line', async () => {
    const first = await call('test_input_required_result_elicitation')
    const state = first.body.result?.requestState as string
    const retry = { inputResponses: answer, requestState: state }
    expect((await call('test_input_required_result_elicitation', retry)).body.result).toMatchObject(
      { resultType: 'complete' },
    )
    const logged = vi.spyOn(console, 'error')
    try {
      const forged = `${state.slice(0, 10)}${state[10] === 'A' ? 'B' : 'A'}${state.slice(11)}`
      const refusals = [
        ...Array.from({ length: 20 }, () => call('test_input_required_result_elicitation', retry)),
        call('test_input_required_result_elicitation', { ...retry, requestState: forged }),
        call('test_input_required_result_elicitation', { ...retry, requestState: 'v1.x.y' }),
        call('test_input_required_result_elicitation', retry, 'tokB'),
      ]
      for (const refused of await Promise.all(refusals)) expect(refused).toEqual(REFUSED)
      expect(logged.mock.calls).toEqual([])
    } finally {
      logged.mockRestore()
    }
  })

  it('a ledger that fails is a fault, not the client’s: one error line with its cause', async () => {
    const failure = new Error('ledger unreachable')
    const failing = {
      idFromName: (name: string) => name,
      get: () => ({
        spend: async () => {
          throw failure
        },
      }),
    }
    const vars = { REQUEST_STATE_DO: failing }
    const first = await call('test_input_required_result_elicitation', {}, 'tokA', {}, vars)
    const retry = { inputResponses: answer, requestState: first.body.result?.requestState }
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      expect(await call('test_input_required_result_elicitation', retry, 'tokA', {}, vars)).toEqual(
        REFUSED,
      )
      expect(logged.mock.calls).toEqual([
        ['requestState: its single-use ledger (REQUEST_STATE_DO) failed:', failure],
      ])
    } finally {
      logged.mockRestore()
    }
  })

  it('a round that asks again spends its state and hands out a fresh one', async () => {
    const first = await call('test_input_required_result_elicitation')
    const wrong = {
      inputResponses: { wrong_key: { action: 'accept', content: { name: 'x' } } },
      requestState: first.body.result?.requestState,
    }
    const again = await call('test_input_required_result_elicitation', wrong)
    expect(again.body.result?.resultType).toBe('input_required')
    expect(again.body.result?.requestState).not.toBe(first.body.result?.requestState)
    expect(
      await call('test_input_required_result_elicitation', { ...wrong, inputResponses: answer }),
    ).toEqual(REFUSED)
    const done = await call('test_input_required_result_elicitation', {
      inputResponses: answer,
      requestState: again.body.result?.requestState,
    })
    expect(done.body.result?.content).toEqual(HELLO)
  })
})

describe('the key that signs requestState', () => {
  const TOOL = 'test_input_required_result_elicitation'
  const UNSET = { REQUEST_STATE_KEY: undefined }
  /** What a state of alice's call of TOOL with no arguments holds, under `key`. */
  const opened = (state: unknown, key: Uint8Array | string) =>
    createRequestStateCodec({
      key,
      bind: () =>
        stateBinding('alice', { method: 'tools/call', params: { name: TOOL, arguments: {} } }),
    }).verify(String(state), {} as ServerContext)
  const stored = () =>
    env.REQUEST_STATE_DO.get(env.REQUEST_STATE_DO.idFromName('signing-key')).signingKey()

  it('unset: the one kept in REQUEST_STATE_DO, minted once', async () => {
    const first = await call(TOOL, {}, 'tokA', {}, UNSET)
    const key = await stored()
    expect(key).toHaveLength(32)
    expect(await opened(first.body.result?.requestState, key)).toEqual({
      answers: {},
      once: expect.stringMatching(/^[0-9a-f]{32}$/),
    })
    expect(await stored()).toEqual(key)
    const done = await call(
      TOOL,
      {
        inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } } },
        requestState: first.body.result?.requestState,
      },
      'tokA',
      {},
      UNSET,
    )
    expect(done.body.result?.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }])
  })

  it('set: REQUEST_STATE_KEY wins', async () => {
    const first = await call(TOOL)
    expect(
      await opened(first.body.result?.requestState, String(Reflect.get(env, 'REQUEST_STATE_KEY'))),
    ).toMatchObject({
      answers: {},
    })
    await expect(opened(first.body.result?.requestState, await stored())).rejects.toThrow('mac')
  })

  it('without the REQUEST_STATE_DO binding, a round is an error result that says what to add', async () => {
    const { status, body } = await call(TOOL, {}, 'tokA', {}, { REQUEST_STATE_DO: undefined })
    expect(status).toBe(200)
    expect(body.result).toEqual({
      resultType: 'complete',
      content: [
        {
          type: 'text',
          text: 'Input rounds (2026-07-28 input_required) need a REQUEST_STATE_DO Durable Object binding (class RequestStateDO) in wrangler.toml: it keeps each round’s requestState single-use',
        },
      ],
      isError: true,
      _meta: expect.any(Object),
    })
  })
})
