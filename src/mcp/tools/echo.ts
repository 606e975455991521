/**
 * @module
 * `echo`: returns its text unchanged. The smallest possible tool.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

/** Registers `echo` on `server`. */
export function registerEcho(server: McpServer): void {
  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns the given text unchanged.',
      inputSchema: { text: z.string().describe('The text to echo back') },
    },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
}
