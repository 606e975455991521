/**
 * @module
 * `echo`: returns its text unchanged. The smallest possible tool.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

// Whole object schemas, built once per isolate: given a bare shape, the SDK would build a new
// object schema from it in every session.
const input = z.object({ text: z.string().describe('The text to echo back') })

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
