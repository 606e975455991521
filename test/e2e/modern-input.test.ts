/**
 * `await tool.elicit(...)`, `sample` and `roots` on 2026-07-28 requests, against the everything
 * example under `npm run start:everything`, driven by the SDK v2 client pinned to the revision:
 * its own handlers answer each `input_required` round (the client retries by itself), through
 * single, parallel and multi-round tools and a prompt; the very same tools over a session are
 * real server→client requests to the SDK v1 client's handlers.
 */
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { useDevServer } from './dev-server'

const dev = useDevServer({ script: 'start:everything' })
const open: { close(): Promise<void> }[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()))
})

/** What the client's handlers were asked, in order. */
type Asked = string[]

async function modernClient(asked: Asked) {
  const client = new ModernClient(
    { name: 'e2e-mrtr', version: '0.0.1' },
    {
      versionNegotiation: { mode: { pin: '2026-07-28' } },
      capabilities: { elicitation: {}, sampling: {}, roots: {} },
    },
  )
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push(`elicit:${request.params.message}`)
    const fields = Object.keys(
      'requestedSchema' in request.params ? request.params.requestedSchema.properties : {},
    )
    return {
      action: 'accept',
      content: Object.fromEntries(fields.map((field) => [field, `${field}-value`])),
    }
  })
  client.setRequestHandler('sampling/createMessage', async () => {
    asked.push('sample')
    return {
      role: 'assistant',
      content: { type: 'text', text: 'Bonjour' },
      model: 'e2e',
      stopReason: 'endTurn',
    }
  })
  client.setRequestHandler('roots/list', async () => {
    asked.push('roots')
    return { roots: [{ uri: 'file:///e2e', name: 'e2e' }] }
  })
  await client.connect(new ModernTransport(new URL(`${dev().baseUrl}/mcp`)))
  open.push(client)
  expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28')
  return client
}

const textOf = (result: { content?: unknown }) =>
  ((result.content ?? []) as { text?: string }[]).map((item) => item.text).join('')

describe('input_required round trips with the SDK v2 client', () => {
  it('an elicitation: the client’s handler answers, and the call completes', async () => {
    const asked: Asked = []
    const client = await modernClient(asked)
    const result = await client.callTool({
      name: 'test_input_required_result_elicitation',
      arguments: {},
    })
    expect(textOf(result)).toBe('Hello, name-value!')
    expect(asked).toEqual(['elicit:What is your name?'])
  })

  it('a tool written for sessions (test_elicitation) works unchanged', async () => {
    const asked: Asked = []
    const client = await modernClient(asked)
    const result = await client.callTool({
      name: 'test_elicitation',
      arguments: { message: 'Hi?' },
    })
    expect(textOf(result)).toBe(
      'User action: accept, content: {"username":"username-value","email":"email-value"}',
    )
  })

  it('several inputs at once, then a multi-round tool, then a prompt', async () => {
    const asked: Asked = []
    const client = await modernClient(asked)
    const all = await client.callTool({
      name: 'test_input_required_result_multiple_inputs',
      arguments: {},
    })
    expect(textOf(all)).toBe('Bonjour name-value (1 roots)')
    expect([...asked].sort()).toEqual(['elicit:What is your name?', 'roots', 'sample'])

    asked.length = 0
    const rounds = await client.callTool({ name: 'test_input_required_result_multi_round' })
    expect(textOf(rounds)).toBe('name-value likes color-value')
    expect(asked).toEqual([
      'elicit:Step 1: What is your name?',
      'elicit:Step 2: What is your favorite color?',
    ])

    const prompt = await client.getPrompt({ name: 'test_input_required_result_prompt' })
    expect(prompt.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Use this context: context-value' } },
    ])
  })
})

describe('the same tools on a session', () => {
  it('are real server→client requests to the SDK v1 client', async () => {
    const client = new Client(
      { name: 'e2e-v1', version: '0.0.1' },
      { capabilities: { elicitation: {} } },
    )
    const asked: Asked = []
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(`elicit:${request.params.message}`)
      const schema =
        'requestedSchema' in request.params ? request.params.requestedSchema : undefined
      const field = Object.keys(schema?.properties ?? {})[0] ?? 'value'
      return { action: 'accept', content: { [field]: `v1-${field}` } }
    })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`)))
    open.push(client)
    const result = await client.callTool({
      name: 'test_input_required_result_multi_round',
      arguments: {},
    })
    expect(textOf(result as { content?: unknown })).toBe('v1-name likes v1-color')
    expect(asked).toEqual([
      'elicit:Step 1: What is your name?',
      'elicit:Step 2: What is your favorite color?',
    ])
  })
})
