/**
 * @module
 * `echo`: returns its text unchanged. The smallest possible tool.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

// Schemas are built once per isolate, not once per session: they are the same for all.
const input = { text: z.string().describe('The text to echo back') }

/** Registers `echo` on `server`. */
export function registerEcho(server: McpServer): void {
  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns the given text unchanged.',
      inputSchema: input,
    },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
}
