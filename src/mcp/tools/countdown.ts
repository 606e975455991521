/**
 * @module
 * `countdown`: counts down, reporting each step as a progress notification before the result.
 */
import { z } from 'zod'
import type { McpServerSetup } from '../../define-mcp-server'

const input = z.object({
  from: z.number().int().min(1).max(100).describe('Where to start'),
  intervalMs: z.number().int().min(0).max(10_000).default(100).describe('Delay between steps'),
})

/** Registers `countdown` on `server`. */
export function registerCountdown(server: McpServerSetup): void {
  server.registerTool(
    'countdown',
    {
      title: 'Countdown',
      description:
        'Counts down from `from` to zero, one step every `intervalMs`, sending progress for each step.',
      inputSchema: input,
    },
    async ({ from, intervalMs }, tool) => {
      for (let done = 1; done <= from; done++) {
        await new Promise((resolve) => setTimeout(resolve, intervalMs))
        if (tool.signal.aborted) break
        await tool.progress(done, from, `${from - done} left`)
      }
      return { content: [{ type: 'text', text: 'Liftoff!' }] }
    },
  )
}
