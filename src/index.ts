/**
 * @module
 * The Worker entry and composition root: binds the framework to the demo server and its plugins.
 * A second server is these same lines with another definition and its own wrangler config.
 */
import { createSessionDO } from '../durable/session/create-session-do'
import { createApp } from '../routes/app'
import { server } from './mcp/server'
import { mcpBearerAuth } from './plugins/bearer-auth'
import { mcpLogger } from './plugins/logger'
import { mcpOAuthServer } from './plugins/oauth-server'

/**
 * The default app's plugins: JSON logs; bearer tokens when `AUTH_TOKENS` is set; the OAuth
 * authorization server (sign-in for claude.ai, ChatGPT and every OAuth client) when
 * `OAUTH_IDENTITY` is set.
 */
const plugins = [mcpLogger(), mcpBearerAuth({ tokens: (env) => env.AUTH_TOKENS }), mcpOAuthServer()]

/** The session object class, bound to this app's server; `wrangler.toml` names it. */
export const SessionDO = createSessionDO(server, { plugins })

/**
 * One object per shared resource (the demo's leaderboard), one per durable handle, one per
 * principal holding handles (its quota), and the objects of 2026-07-28 input rounds' state.
 */
export { HandleDO } from '../durable/handle/handle-do'
export { HandleOwnerDO } from '../durable/handle/handle-owner-do'
export { ResourceHub } from '../durable/hub/resource-hub'
export { RequestStateDO } from '../durable/request-state/request-state-do'

export default createApp({ server, plugins })
