/**
 * @module
 * `countdown`: counts down, reporting each step as a progress notification before the result.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

/** Registers `countdown` on `server`. */
export function registerCountdown(server: McpServer): void {
  server.registerTool(
    'countdown',
    {
      title: 'Countdown',
      description:
        'Counts down from `from` to zero, one step every `intervalMs`, sending progress for each step.',
      inputSchema: {
        from: z.number().int().min(1).max(100).describe('Where to start'),
        intervalMs: z
          .number()
          .int()
          .min(0)
          .max(10_000)
          .default(100)
          .describe('Delay between steps'),
      },
    },
    async ({ from, intervalMs }, extra) => {
      const progressToken = extra._meta?.progressToken
      for (let done = 1; done <= from; done++) {
        await new Promise((resolve) => setTimeout(resolve, intervalMs))
        if (extra.signal.aborted) break
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress: done, total: from, message: `${from - done} left` },
          })
        }
      }
      return { content: [{ type: 'text', text: 'Liftoff!' }] }
    },
  )
}
