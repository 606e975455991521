/**
 * @module
 * The "everything" example: an MCP server that exercises every protocol feature, implementing
 * `shared/EVERYTHING.md` exactly. The end-to-end tests drive it over both transports.
 */
import { defineMcpServer } from '../../src/define-mcp-server'
import { registerEverythingPrompts, registerEverythingResources } from './resources-and-prompts'
import { registerEverythingTools } from './tools'

/** The example's server. */
export const everything = defineMcpServer({
  name: 'mcp-workers-everything',
  version: '0.1.0',
  capabilities: {
    logging: {},
    completions: {},
    resources: { subscribe: true, listChanged: true },
  },
  setup(server, context) {
    registerEverythingTools(server, context)
    registerEverythingResources(server, context)
    registerEverythingPrompts(server)
  },
})
