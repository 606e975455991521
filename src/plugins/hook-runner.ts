/**
 * @module
 * Runs the plugins' hooks around JSON-RPC messages, the same way in both eras: `onIncoming` in
 * plugin order, the first refusal winning; `onOutgoing` for every plugin. A session's object
 * (`durable/session-hooks.ts`) and the 2026-07-28 leg (`src/modern/modern-leg.ts`) each supply
 * only the context of a message and where they see it go out.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import type { HookContext, HookRejection, McpPlugin, SessionHooks } from './plugin'

/** The hooks of an app's plugins. */
export class HookRunner {
  readonly #hooks: readonly SessionHooks[]

  constructor(plugins: readonly McpPlugin[]) {
    this.#hooks = plugins.flatMap((plugin) => (plugin.hooks ? [plugin.hooks] : []))
  }

  /** Whether any hook is installed (so callers can skip all work when none is). */
  get active(): boolean {
    return this.#hooks.length > 0
  }

  /**
   * Runs `onIncoming` for each of `messages` (one HTTP request's), in plugin order; the first
   * refusal wins and refuses them all.
   */
  incoming(messages: readonly JSONRPCMessage[], context: HookContext): HookRejection | undefined {
    for (const message of messages) {
      for (const hooks of this.#hooks) {
        const refusal = hooks.onIncoming?.(message, context)
        if (refusal) return refusal
      }
    }
    return undefined
  }

  /** Runs `onOutgoing` for a message the server sent. */
  outgoing(message: JSONRPCMessage, context: HookContext): void {
    for (const hooks of this.#hooks) hooks.onOutgoing?.(message, context)
  }
}
