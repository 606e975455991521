/**
 * The "everything" example (`npm run start:everything`) driven by the official SDK client over
 * both transports: every tool, resource, template and prompt of examples/everything/README.md, with
 * sampling and elicitation answered by the client's own request handlers.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { INITIALIZE, MCP_POST_HEADERS, useDevServer } from './dev-server'

const dev = useDevServer({ script: 'start:everything' })

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

const clients: Client[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
})

type Kind = 'streamable-http' | 'sse'

/** A connected client that answers sampling and elicitation, and records logs. */
async function connect(kind: Kind) {
  const client = new Client(
    { name: 'everything-e2e', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } } },
  )
  const logs: unknown[] = []
  const elicited: unknown[] = []
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params)
  })
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    const first = request.params.messages[0]?.content
    const prompt = first && 'text' in first ? first.text : ''
    return {
      role: 'assistant',
      model: 'mock',
      content: { type: 'text', text: `echo of ${prompt}` },
    }
  })
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    elicited.push(request.params)
    return { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }
  })
  const url = new URL(`${dev().baseUrl}/${kind === 'sse' ? 'sse' : 'mcp'}`)
  await client.connect(
    kind === 'sse' ? new SSEClientTransport(url) : new StreamableHTTPClientTransport(url),
  )
  clients.push(client)
  return { client, logs, elicited }
}

const TOOLS = [
  'test_simple_text',
  'test_image_content',
  'test_audio_content',
  'test_embedded_resource',
  'test_multiple_content_types',
  'test_tool_with_logging',
  'test_tool_with_progress',
  'test_error_handling',
  'test_sampling',
  'test_elicitation',
  'test_elicitation_sep1034_defaults',
  'test_elicitation_sep1330_enums',
  'json_schema_2020_12_tool',
  'test_reconnection',
  'test_missing_capability',
  'test_logging_tool',
  'test_large_log',
  'test_streaming_elicitation',
  'test_trigger_tool_change',
  'test_trigger_prompt_change',
  'test_input_required_result_elicitation',
  'test_input_required_result_sampling',
  'test_input_required_result_list_roots',
  'test_input_required_result_request_state',
  'test_input_required_result_tampered_state',
  'test_input_required_result_multiple_inputs',
  'test_input_required_result_multi_round',
  'test_input_required_result_capabilities',
]

const EMBEDDED = {
  type: 'resource',
  resource: {
    uri: 'test://embedded-resource',
    mimeType: 'text/plain',
    text: 'This is an embedded resource content.',
  },
}

describe.each<Kind>(['streamable-http', 'sse'])('everything over %s', (kind) => {
  it('declares its capabilities', async () => {
    const { client } = await connect(kind)
    expect(client.getServerCapabilities()).toEqual({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    })
    expect(await client.ping()).toEqual({})
  })

  it('lists every tool with a description and an input schema', async () => {
    const { client } = await connect(kind)
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(TOOLS)
    for (const tool of tools) {
      expect(tool.description).toBeTruthy()
      expect(tool.inputSchema.type).toBe('object')
    }
    expect(tools.find((t) => t.name === 'test_simple_text')!.inputSchema).toMatchObject({
      type: 'object',
      properties: {},
    })
    expect(tools.find((t) => t.name === 'json_schema_2020_12_tool')!.inputSchema).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
      $defs: {
        address: {
          type: 'object',
          properties: { street: { type: 'string' }, city: { type: 'string' } },
        },
      },
      additionalProperties: false,
    })
  })

  it('returns each kind of content', async () => {
    const { client } = await connect(kind)
    const call = (name: string) => client.callTool({ name })
    expect(await call('test_simple_text')).toEqual({
      content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
    })
    expect(await call('test_image_content')).toEqual({
      content: [{ type: 'image', data: PNG, mimeType: 'image/png' }],
    })
    const audio = (await call('test_audio_content')).content as Array<{
      type: string
      mimeType: string
      data: string
    }>
    expect(audio).toEqual([{ type: 'audio', mimeType: 'audio/wav', data: expect.any(String) }])
    expect(atob(audio[0]!.data).slice(0, 4)).toBe('RIFF')
    expect(await call('test_embedded_resource')).toEqual({ content: [EMBEDDED] })
    const multiple = (await call('test_multiple_content_types')).content as Array<{ type: string }>
    expect(multiple.map((c) => c.type)).toEqual(['text', 'image', 'resource'])
    expect(multiple[2]).toEqual(EMBEDDED)
    expect(await call('test_error_handling')).toEqual({
      content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
      isError: true,
    })
  })

  it('logs three messages before the result, and honours logging/setLevel', async () => {
    const { client, logs } = await connect(kind)
    const result = await client.callTool({ name: 'test_tool_with_logging' })
    expect(result).toEqual({
      content: [{ type: 'text', text: 'Tool with logging executed successfully' }],
    })
    expect(logs).toEqual([
      { level: 'info', data: 'Tool execution started' },
      { level: 'info', data: 'Tool processing data' },
      { level: 'info', data: 'Tool execution completed' },
    ])
    await client.setLoggingLevel('error')
    await client.callTool({ name: 'test_tool_with_logging' })
    expect(logs).toHaveLength(3)
  })

  it('reports progress 0, 50, 100 before the result', async () => {
    const { client } = await connect(kind)
    const seen: Array<Progress | 'result'> = []
    await client.callTool({ name: 'test_tool_with_progress' }, undefined, {
      onprogress: (p) => seen.push(p),
    })
    seen.push('result')
    // The SDK client may drop a progress that lands in the same chunk as the result
    // (modelcontextprotocol/typescript-sdk#2580); what it delivers is in order, before the result.
    const expected = [0, 50, 100].map((progress) => ({ progress, total: 100 }))
    const delivered = seen.slice(0, -1)
    expect(delivered.length).toBeGreaterThanOrEqual(2)
    expect(delivered).toEqual(expected.slice(0, delivered.length))
  })

  it('samples through the client', async () => {
    const { client } = await connect(kind)
    expect(
      await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hello' } }),
    ).toEqual({
      content: [{ type: 'text', text: 'LLM response: echo of hello' }],
    })
  })

  it('elicits through the client, with each schema as specified', async () => {
    const { client, elicited } = await connect(kind)
    const result = await client.callTool({
      name: 'test_elicitation',
      arguments: { message: 'Who?' },
    })
    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'User action: accept, content: {"username":"ada","email":"ada@example.com"}',
        },
      ],
    })
    await client.callTool({ name: 'test_elicitation_sep1034_defaults' })
    await client.callTool({ name: 'test_elicitation_sep1330_enums' })
    expect(elicited).toMatchObject([
      { message: 'Who?', requestedSchema: { required: ['username', 'email'] } },
      {
        requestedSchema: {
          properties: { age: { type: 'integer', default: 30 }, score: { default: 95.5 } },
        },
      },
      {
        requestedSchema: {
          properties: {
            legacyEnum: { enumNames: ['Option One', 'Option Two', 'Option Three'] },
            titledMulti: { type: 'array' },
          },
        },
      },
    ])
  })

  it('validates the raw JSON Schema tool against its schema', async () => {
    const { client } = await connect(kind)
    const ok = await client.callTool({
      name: 'json_schema_2020_12_tool',
      arguments: { name: 'Ada', address: { city: 'London' } },
    })
    expect(ok).toEqual({
      content: [
        {
          type: 'text',
          text: 'JSON Schema 2020-12 tool called with: {"name":"Ada","address":{"city":"London"}}',
        },
      ],
    })
    const bad = await client.callTool({ name: 'json_schema_2020_12_tool', arguments: { nope: 1 } })
    expect(bad.isError).toBe(true)
  })

  it('gets the result of a call whose stream the server closed', async () => {
    const { client } = await connect(kind)
    expect(await client.callTool({ name: 'test_reconnection' })).toEqual({
      content: [{ type: 'text', text: 'Reconnection test completed successfully' }],
    })
  })

  it('lists and reads every resource and the template', async () => {
    const { client } = await connect(kind)
    const { resources } = await client.listResources()
    expect(resources.map((r) => r.uri)).toEqual([
      'test://static-text',
      'test://static-binary',
      'test://watched-resource',
    ])
    for (const resource of resources) expect(resource.description).toBeTruthy()
    expect(resources[0]!.name).toBe('Static Text Resource')
    const { resourceTemplates } = await client.listResourceTemplates()
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['test://template/{id}/data'])
    expect((await client.readResource({ uri: 'test://static-text' })).contents).toEqual([
      {
        uri: 'test://static-text',
        mimeType: 'text/plain',
        text: 'This is the content of the static text resource.',
      },
    ])
    expect((await client.readResource({ uri: 'test://static-binary' })).contents).toEqual([
      { uri: 'test://static-binary', mimeType: 'image/png', blob: PNG },
    ])
    expect((await client.readResource({ uri: 'test://template/42/data' })).contents).toEqual([
      {
        uri: 'test://template/42/data',
        mimeType: 'application/json',
        text: '{"id":"42","templateTest":true,"data":"Data for ID: 42"}',
      },
    ])
    expect(await client.subscribeResource({ uri: 'test://watched-resource' })).toEqual({})
    expect(await client.unsubscribeResource({ uri: 'test://watched-resource' })).toEqual({})
  })

  it('lists and gets every prompt, and completes arguments', async () => {
    const { client } = await connect(kind)
    const { prompts } = await client.listPrompts()
    expect(prompts.map((p) => p.name)).toEqual([
      'test_simple_prompt',
      'test_prompt_with_arguments',
      'test_prompt_with_embedded_resource',
      'test_prompt_with_image',
      'test_input_required_result_prompt',
    ])
    for (const prompt of prompts) expect(prompt.description).toBeTruthy()
    expect((await client.getPrompt({ name: 'test_simple_prompt' })).messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } },
    ])
    const withArgs = await client.getPrompt({
      name: 'test_prompt_with_arguments',
      arguments: { arg1: 'a', arg2: 'b' },
    })
    expect(withArgs.messages).toEqual([
      {
        role: 'user',
        content: { type: 'text', text: "Prompt with arguments: arg1='a', arg2='b'" },
      },
    ])
    const embedded = await client.getPrompt({
      name: 'test_prompt_with_embedded_resource',
      arguments: { resourceUri: 'test://static-text' },
    })
    expect(embedded.messages).toEqual([
      {
        role: 'user',
        content: {
          type: 'resource',
          resource: {
            uri: 'test://static-text',
            mimeType: 'text/plain',
            text: 'Embedded resource content for testing.',
          },
        },
      },
      {
        role: 'user',
        content: { type: 'text', text: 'Please process the embedded resource above.' },
      },
    ])
    expect((await client.getPrompt({ name: 'test_prompt_with_image' })).messages).toEqual([
      { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ])
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
      argument: { name: 'arg1', value: 'par' },
    })
    expect(completion.completion.values).toEqual(['paris', 'park', 'party'])
  })

  it('cancels a call: the client stops waiting, the session goes on', async () => {
    const { client } = await connect(kind)
    const controller = new AbortController()
    const call = client.callTool({ name: 'test_tool_with_progress' }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort('enough'),
    })
    await expect(call).rejects.toThrow()
    expect(await client.callTool({ name: 'test_simple_text' })).toMatchObject({
      content: [{ type: 'text' }],
    })
  })

  it('answers concurrent calls on one session', async () => {
    const { client } = await connect(kind)
    const results = await Promise.all([
      client.callTool({ name: 'test_simple_text' }),
      client.callTool({ name: 'test_tool_with_progress' }),
      client.callTool({ name: 'test_embedded_resource' }),
    ])
    expect(results.map((r) => (r.content as Array<{ type: string }>)[0]?.type)).toEqual([
      'text',
      'text',
      'resource',
    ])
  })
})

describe('everything: Host and Origin', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${dev().baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, ...headers },
      body: JSON.stringify(INITIALIZE),
    })

  it('a forged Origin → 403; a loopback one → 200', async () => {
    expect((await post({ origin: 'http://evil.example.com' })).status).toBe(403)
    const ok = await post({ origin: 'http://localhost:6274' })
    expect(ok.status).toBe(200)
    await ok.text()
  })
})
