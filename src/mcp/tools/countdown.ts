/**
 * @module
 * `countdown`: counts down, reporting each step as a progress notification before the result.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import type { SessionContext } from '../../define-mcp-server'

// Whole object schemas, built once per isolate: given a bare shape, the SDK would build a new
// object schema from it in every session.
const input = z.object({
  from: z.number().int().min(1).max(100).describe('Where to start'),
  intervalMs: z.number().int().min(0).max(10_000).default(100).describe('Delay between steps'),
})

/** Registers `countdown` on `server`. */
export function registerCountdown(server: McpServer, context: SessionContext): void {
  server.registerTool(
    'countdown',
    {
      title: 'Countdown',
      description:
        'Counts down from `from` to zero, one step every `intervalMs`, sending progress for each step.',
      inputSchema: input,
    },
    async ({ from, intervalMs }, extra) => {
      const tool = context.tool(extra)
      for (let done = 1; done <= from; done++) {
        await new Promise((resolve) => setTimeout(resolve, intervalMs))
        if (tool.signal.aborted) break
        await tool.progress(done, from, `${from - done} left`)
      }
      return { content: [{ type: 'text', text: 'Liftoff!' }] }
    },
  )
}
