/**
 * @module
 * The modern era's floor: SDK v2's `createMcpHandler` alone, serving the same `echo` tool to
 * 2026-07-28 requests, with no Hono, no framework, no plugins: what a user who writes a
 * stateless server by hand with the SDK gets. The app's modern leg is measured against it.
 *
 * It hands the SDK the parsed body, as the app does: given only the request, the SDK clones it
 * to classify it and reads the body itself, which costs more than everything the framework
 * adds (in Node, 186 against 111 µs per call).
 */
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { z } from 'zod'

const input = z.object({ text: z.string().describe('The text to echo back') })

const handler = createMcpHandler(
  () => {
    const server = new McpServer({ name: 'sdk-v2-floor', version: '0' })
    server.registerTool(
      'echo',
      { title: 'Echo', description: 'Returns the given text unchanged.', inputSchema: input },
      ({ text }) => ({ content: [{ type: 'text', text }] }),
    )
    return server
  },
  { legacy: 'reject' },
)

export default {
  async fetch(request: Request): Promise<Response> {
    return handler.fetch(request, { parsedBody: await request.json() })
  },
}
