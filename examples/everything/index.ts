/**
 * @module
 * The "everything" example's Worker entry: the same framework, routes and SessionDO class as the
 * default app, bound to another server definition.
 */
import { createSessionDO } from '../../durable/create-session-do'
import { createApp } from '../../src/app'
import { mcpBearerAuth } from '../../src/plugins/bearer-auth'
import { mcpLogger } from '../../src/plugins/logger'
import { everything } from './server'

const plugins = [mcpLogger(), mcpBearerAuth({ tokens: (env) => env.AUTH_TOKENS })]

export const SessionDO = createSessionDO(everything, { plugins })
export { HandleDO } from '../../durable/handle-do'
export { HandleOwnerDO } from '../../durable/handle-owner-do'
export { RequestStateDO } from '../../durable/request-state-do'
export { ResourceHub } from '../../durable/resource-hub'

export default createApp({ server: everything, plugins })
