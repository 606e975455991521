/**
 * `input_required` round trips on the wire, on the everything example's tools: the first round
 * names every input it needs under its key and hands out signed state; a retry with the
 * answers completes; a missing answer is asked again; and a tampered state, one replayed by
 * another principal or for other arguments is refused (-32602) before the tool runs.
 */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import worker from '../../examples/everything/index'
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
    { ...env, ...TOKENS },
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
