/**
 * @module
 * Binds the session object class to an app: its server definition and its plugins' hooks.
 */
import type { McpServerDefinition } from '../../src/define-mcp-server'
import type { McpPlugin } from '../../src/plugins/plugin'
import { SessionDO } from './session-do'

/**
 * Binds the session object to an app's server definition. Export the result from the Worker entry
 * under the class name in `wrangler.toml`.
 *
 * @example
 * ```ts
 * export const SessionDO = createSessionDO(server)
 * ```
 */
export function createSessionDO<Env>(
  definition: McpServerDefinition<Env>,
  options: { plugins?: readonly McpPlugin[] } = {},
) {
  const plugins = options.plugins ?? []
  return class extends SessionDO<Env> {
    protected override get definition(): McpServerDefinition<Env> {
      return definition
    }

    protected override get plugins(): readonly McpPlugin[] {
      return plugins
    }
  }
}
