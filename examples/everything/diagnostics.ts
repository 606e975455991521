/**
 * @module
 * The diagnostic tools the official conformance suite's 2026-07-28 scenarios call, written once
 * for both eras like every other tool of the example.
 */
import { z } from 'zod'
import type { McpServerSetup } from '../../src/define-mcp-server'

const text = (value: string) => ({ type: 'text' as const, text: value })

/** Registers the example's diagnostic tools. */
export function registerEverythingDiagnostics(server: McpServerSetup): void {
  server.registerTool(
    'test_missing_capability',
    { description: 'Needs the client to sample; without that capability the call is refused' },
    async (_args, tool) => {
      // A modern client that didn't declare `sampling` is answered -32021; a session's client, with
      // an error result.
      await tool.sample({
        messages: [{ role: 'user', content: text('Reply with anything') }],
        maxTokens: 10,
      })
      return { content: [text('Success')] }
    },
  )
  server.registerTool(
    'test_logging_tool',
    { description: 'Logs one message, which a client only gets when it asked for logs' },
    async (_args, tool) => {
      await tool.log('info', 'Diagnostic trace logging activated')
      return { content: [text('Logging evaluated')] }
    },
  )
  server.registerTool(
    'test_large_log',
    {
      description: 'Logs one message of the given size, for the limits on what a server sends',
      inputSchema: {
        chars: z.number().int().min(1).max(4_194_304).describe('How many characters it holds'),
      },
    },
    async ({ chars }, tool) => {
      await tool.log('info', 'x'.repeat(chars))
      return { content: [text(`Logged ${chars} characters`)] }
    },
  )
  server.registerTool(
    'test_streaming_elicitation',
    { description: 'Reports progress on its own response stream, then its result' },
    async (_args, tool) => {
      await tool.progress(50, 100)
      return { content: [text('Streaming complete')] }
    },
  )
  server.registerTool(
    'test_trigger_tool_change',
    { description: 'Announces that the tool list changed, to every listen stream that asked' },
    async (_args, tool) => {
      await tool.listChanged('tools')
      return { content: [text('Mutation triggered')] }
    },
  )
  server.registerTool(
    'test_trigger_prompt_change',
    { description: 'Announces that the prompt list changed, to every listen stream that asked' },
    async (_args, tool) => {
      await tool.listChanged('prompts')
      return { content: [text('Mutation triggered')] }
    },
  )
}
