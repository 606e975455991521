/**
 * @module
 * The example's tools, with the exact names, arguments and texts of its contract (`README.md`).
 */
import type { ElicitRequest } from '@modelcontextprotocol/server'
import { z } from 'zod'
import type { McpServerSetup } from '../../src/define-mcp-server'
import { jsonSchema } from '../../src/json-schema-input'
import type { ToolContext } from '../../src/tool-context'
import { PNG_BASE64, WAV_BASE64 } from './media'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const text = (value: string) => ({ type: 'text' as const, text: value })
const image = { type: 'image' as const, data: PNG_BASE64, mimeType: 'image/png' }
const embedded = {
  type: 'resource' as const,
  resource: {
    uri: 'test://embedded-resource',
    mimeType: 'text/plain',
    text: 'This is an embedded resource content.',
  },
}

/** Asks the client with `params` and reports what came back. */
async function elicitAndReport(tool: ToolContext, params: ElicitRequest['params']) {
  const result = await tool.elicit(params)
  return {
    content: [
      text(`User action: ${result.action}, content: ${JSON.stringify(result.content ?? {})}`),
    ],
  }
}

/** Registers every tool of the example. */
export function registerEverythingTools(server: McpServerSetup): void {
  const none = { inputSchema: {} }
  server.registerTool(
    'test_simple_text',
    { description: 'Returns a simple text response', ...none },
    () => ({ content: [text('This is a simple text response for testing.')] }),
  )
  server.registerTool('test_image_content', { description: 'Returns an image', ...none }, () => ({
    content: [image],
  }))
  server.registerTool('test_audio_content', { description: 'Returns audio', ...none }, () => ({
    content: [{ type: 'audio', data: WAV_BASE64, mimeType: 'audio/wav' }],
  }))
  server.registerTool(
    'test_embedded_resource',
    { description: 'Returns an embedded resource', ...none },
    () => ({ content: [embedded] }),
  )
  server.registerTool(
    'test_multiple_content_types',
    { description: 'Returns text, an image and an embedded resource', ...none },
    () => ({ content: [text('Multiple content types test:'), image, embedded] }),
  )
  server.registerTool(
    'test_tool_with_logging',
    { description: 'Sends three log messages before its result', ...none },
    async (_args, tool) => {
      await tool.log('info', 'Tool execution started')
      await sleep(50)
      await tool.log('info', 'Tool processing data')
      await sleep(50)
      await tool.log('info', 'Tool execution completed')
      return { content: [text('Tool with logging executed successfully')] }
    },
  )
  server.registerTool(
    'test_tool_with_progress',
    { description: 'Reports progress 0, 50 and 100 before its result', ...none },
    async (_args, tool) => {
      await tool.progress(0, 100)
      await sleep(50)
      await tool.progress(50, 100)
      await sleep(50)
      await tool.progress(100, 100)
      return { content: [text('Tool with progress executed successfully')] }
    },
  )
  server.registerTool(
    'test_error_handling',
    { description: 'Returns a result marked as an error', ...none },
    () => ({
      content: [text('This tool intentionally returns an error for testing')],
      isError: true,
    }),
  )
  server.registerTool(
    'test_sampling',
    {
      description: 'Asks the client to sample an LLM with the prompt',
      inputSchema: { prompt: z.string().describe('The prompt to send') },
    },
    async ({ prompt }, tool) => {
      const reply = await tool.sample({
        messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
        maxTokens: 100,
      })
      const said =
        reply.content.type === 'text' ? reply.content.text : JSON.stringify(reply.content)
      return { content: [text(`LLM response: ${said}`)] }
    },
  )
  server.registerTool(
    'test_elicitation',
    {
      description: 'Asks the user for a username and an email address',
      inputSchema: { message: z.string().describe('What to ask the user') },
    },
    ({ message }, tool) =>
      elicitAndReport(tool, {
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
      }),
  )
  server.registerTool(
    'test_elicitation_sep1034_defaults',
    { description: 'Elicits fields that all have defaults (SEP-1034)', ...none },
    (_args, tool) =>
      elicitAndReport(tool, {
        message: 'Please review and update the form fields with defaults',
        requestedSchema: {
          type: 'object',
          properties: {
            name: { type: 'string', default: 'John Doe' },
            age: { type: 'integer', default: 30 },
            score: { type: 'number', default: 95.5 },
            status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
            verified: { type: 'boolean', default: true },
          },
        },
      }),
  )
  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Elicits every kind of enum (SEP-1330)', ...none },
    (_args, tool) =>
      elicitAndReport(tool, {
        message: 'Please select options from the enum fields',
        requestedSchema: {
          type: 'object',
          properties: {
            untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
            titledSingle: {
              type: 'string',
              oneOf: [
                { const: 'value1', title: 'First Option' },
                { const: 'value2', title: 'Second Option' },
                { const: 'value3', title: 'Third Option' },
              ],
            },
            legacyEnum: {
              type: 'string',
              enum: ['opt1', 'opt2', 'opt3'],
              enumNames: ['Option One', 'Option Two', 'Option Three'],
            },
            untitledMulti: {
              type: 'array',
              items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
            },
            titledMulti: {
              type: 'array',
              items: {
                anyOf: [
                  { const: 'value1', title: 'First Choice' },
                  { const: 'value2', title: 'Second Choice' },
                  { const: 'value3', title: 'Third Choice' },
                ],
              },
            },
          },
        },
      }),
  )
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Publishes its input schema verbatim as JSON Schema 2020-12',
      inputSchema: jsonSchema({
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
      }),
    },
    (args) => ({
      content: [text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`)],
    }),
  )
  server.registerTool(
    'test_reconnection',
    {
      description: 'Closes its own stream mid-call; the client resumes to get the result',
      ...none,
    },
    async (_args, tool) => {
      tool.closeStream()
      await sleep(100)
      return { content: [text('Reconnection test completed successfully')] }
    },
  )
}
