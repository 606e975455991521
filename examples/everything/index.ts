/**
 * @module
 * The "everything" example's Worker entry: the same framework, routes and SessionDO class as the
 * default app, bound to another server definition.
 */
import { createSessionDO } from '../../durable/session/create-session-do'
import { createApp } from '../../routes/app'
import { mcpBearerAuth } from '../../src/plugins/bearer-auth'
import { mcpLogger } from '../../src/plugins/logger'
import { everything } from './server'

const plugins = [mcpLogger(), mcpBearerAuth({ tokens: (env) => env.AUTH_TOKENS })]

export const SessionDO = createSessionDO(everything, { plugins })
export { HandleDO } from '../../durable/handle/handle-do'
export { HandleOwnerDO } from '../../durable/handle/handle-owner-do'
export { ResourceHub } from '../../durable/hub/resource-hub'
export { RequestStateDO } from '../../durable/request-state/request-state-do'

export default createApp({ server: everything, plugins })
