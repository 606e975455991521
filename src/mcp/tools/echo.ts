/**
 * @module
 * `echo`: returns its text unchanged. The smallest possible tool.
 */
import { z } from 'zod'
import type { McpServerSetup } from '../../define-mcp-server'

const input = z.object({ text: z.string().describe('The text to echo back') })

/** Registers `echo` on `server`. */
export function registerEcho(server: McpServerSetup): void {
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
