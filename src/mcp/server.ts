/**
 * @module
 * The demo MCP server: the one place to edit to make this server your own. Register tools,
 * prompts and resources in `setup`, with zod schemas; each handler works in both protocol eras.
 */
import { defineMcpServer } from '../define-mcp-server'
import { registerCountdown } from './tools/countdown'
import { registerEcho } from './tools/echo'
import { registerLeaderboard } from './tools/leaderboard'
import { registerNotes } from './tools/notes'

/** The default app's server. */
export const server = defineMcpServer({
  name: 'mcp-workers-demo',
  version: '0.1.0',
  capabilities: { resources: { subscribe: true, listChanged: true } },
  setup(server) {
    registerEcho(server)
    registerNotes(server)
    registerCountdown(server)
    registerLeaderboard(server)
  },
})
