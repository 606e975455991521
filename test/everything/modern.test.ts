/**
 * The everything example's one definition, served to 2026-07-28 requests: a tool that needs a
 * client capability is refused -32021 (HTTP 400) when the request doesn't declare it, logs reach
 * a request only when it asked for them (and at its level), and prompts, completions and
 * resource templates answer with the modern result fields.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { expectModernError, modern, postModern } from '../helpers/modern'
import { parseSSE } from '../helpers/sse'

const CAPS = 'io.modelcontextprotocol/clientCapabilities'
const LOG_LEVEL = 'io.modelcontextprotocol/logLevel'

const tool = (name: string, meta: Record<string, unknown> = {}, args = {}) =>
  modern('tools/call', { name, arguments: args }, 61, meta)

// The pool loads the SDK v2 modules on the first modern request; give that its own time.
beforeAll(async () => {
  await (await postModern(modern('server/discover'))).text()
}, 30_000)

describe('client capabilities on modern requests', () => {
  it('a tool that samples, for a client without sampling → 400 -32021 naming it', async () => {
    const error = await expectModernError(
      await postModern(tool('test_missing_capability')),
      400,
      -32021,
      61,
    )
    expect(error.data).toEqual({ requiredCapabilities: { sampling: {} } })
  })

  it('a tool that elicits, for a client without elicitation → 400 -32021 naming it', async () => {
    const error = await expectModernError(
      await postModern(tool('test_elicitation', {}, { message: 'Who?' })),
      400,
      -32021,
      61,
    )
    expect(error.data).toMatchObject({ requiredCapabilities: { elicitation: {} } })
  })

  it('with the capability declared: an input_required round for the sampling', async () => {
    const res = await postModern(tool('test_missing_capability', { [CAPS]: { sampling: {} } }))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      id: 61,
      result: {
        resultType: 'input_required',
        inputRequests: {
          'input-1': {
            method: 'sampling/createMessage',
            params: { messages: [{ role: 'user', content: { type: 'text' } }], maxTokens: 10 },
          },
        },
      },
    })
  })
})

describe('logging on modern requests', () => {
  const messagesOf = async (res: Response) => {
    expect(res.status).toBe(200)
    const type = res.headers.get('content-type') ?? ''
    if (!type.startsWith('text/event-stream')) return { logs: [], result: await res.json() }
    const frames = parseSSE(await res.text()).events.map((event) => JSON.parse(event.data))
    return { logs: frames.slice(0, -1), result: frames.at(-1) }
  }

  it('without a logLevel: no notifications/message, just the result', async () => {
    const { logs, result } = await messagesOf(await postModern(tool('test_tool_with_logging')))
    expect(logs).toEqual([])
    expect(result).toMatchObject({ id: 61, result: { content: [{ type: 'text' }] } })
  })

  it('with logLevel info: the three messages on the response stream, before the result', async () => {
    const { logs, result } = await messagesOf(
      await postModern(tool('test_tool_with_logging', { [LOG_LEVEL]: 'info' })),
    )
    expect(logs).toEqual(
      ['Tool execution started', 'Tool processing data', 'Tool execution completed'].map(
        (data) => ({
          jsonrpc: '2.0',
          method: 'notifications/message',
          params: { level: 'info', data },
        }),
      ),
    )
    expect(result).toMatchObject({ id: 61, result: { resultType: 'complete' } })
  })

  it('with logLevel error: the info messages are filtered out', async () => {
    const { logs } = await messagesOf(
      await postModern(tool('test_logging_tool', { [LOG_LEVEL]: 'error' })),
    )
    expect(logs).toEqual([])
  })

  it('an invalid logLevel → 400 -32602', async () => {
    await expectModernError(
      await postModern(tool('test_logging_tool', { [LOG_LEVEL]: 'loud' })),
      400,
      -32602,
      61,
    )
  })
})

describe('prompts, completions and templates on modern requests', () => {
  it('prompts/get with arguments', async () => {
    const res = await postModern(
      modern('prompts/get', {
        name: 'test_prompt_with_arguments',
        arguments: { arg1: 'a', arg2: 'b' },
      }),
    )
    expect(await res.json()).toMatchObject({
      result: {
        messages: [
          {
            role: 'user',
            content: { type: 'text', text: "Prompt with arguments: arg1='a', arg2='b'" },
          },
        ],
        resultType: 'complete',
      },
    })
  })

  it('completion/complete of a prompt argument', async () => {
    const res = await postModern(
      modern('completion/complete', {
        ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
        argument: { name: 'arg1', value: 'par' },
      }),
    )
    expect(await res.json()).toMatchObject({
      result: { completion: { values: ['paris', 'park', 'party'] }, resultType: 'complete' },
    })
  })

  it('resources/read of a template, with cache hints', async () => {
    const res = await postModern(modern('resources/read', { uri: 'test://template/123/data' }))
    expect(await res.json()).toMatchObject({
      result: {
        contents: [
          {
            uri: 'test://template/123/data',
            mimeType: 'application/json',
            text: JSON.stringify({ id: '123', templateTest: true, data: 'Data for ID: 123' }),
          },
        ],
        resultType: 'complete',
        ttlMs: 0,
        cacheScope: 'private',
      },
    })
  })

  it('an unknown resource → -32602 (never -32002 on this revision)', async () => {
    const res = await postModern(modern('resources/read', { uri: 'test://nope' }))
    await expectModernError(res, 200, -32602, 1)
  })
})
