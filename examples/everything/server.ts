/**
 * @module
 * The "everything" example: an MCP server that exercises every protocol feature, implementing
 * its contract (`README.md` beside this file) exactly, in both protocol eras from one definition.
 * The end-to-end tests and the official conformance suite drive it.
 */
import { defineMcpServer } from '../../src/define-mcp-server'
import { registerEverythingDiagnostics } from './diagnostics'
import { registerEverythingInputRequired } from './input-required'
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
  setup(server) {
    registerEverythingTools(server)
    registerEverythingDiagnostics(server)
    registerEverythingResources(server)
    registerEverythingPrompts(server)
    registerEverythingInputRequired(server)
  },
})
