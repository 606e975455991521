/**
 * @module
 * The Worker entry and composition root: binds the framework to the demo server. A second server
 * is these same three lines with another definition and its own wrangler config.
 */
import { createSessionDO } from '../durable/session-do'
import { createApp } from './app'
import { server } from './mcp/server'

/** The session object class, bound to this app's server; `wrangler.toml` names it. */
export const SessionDO = createSessionDO(server)

export default createApp({ server })
