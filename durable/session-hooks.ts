/**
 * @module
 * Runs the plugins' session hooks around every JSON-RPC message of one session, and remembers
 * which HTTP request carried each request still in flight, so hooks on the way out can name it.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server'
import type { HookContext, HookRejection, SessionHooks } from '../src/plugins/plugin'
import { isResponse } from '../src/transports/message-sink'
import type { Principal, SessionKind } from '../src/types'

/** The hooks of one session. */
export class SessionHookRunner {
  readonly #hooks: readonly SessionHooks[]
  readonly #carriedBy = new Map<RequestId, string>()

  constructor(
    hooks: readonly SessionHooks[],
    readonly sessionId: string,
    readonly transport: SessionKind,
    readonly env: unknown = {},
  ) {
    this.#hooks = hooks
  }

  /** Whether any hook is installed (so callers can skip all work when none is). */
  get active(): boolean {
    return this.#hooks.length > 0
  }

  /**
   * Runs `onIncoming` for each message of one HTTP request, in plugin order; the first rejection
   * wins and refuses the whole request (nothing of it is remembered).
   */
  incoming(
    messages: readonly JSONRPCMessage[],
    principal: Principal,
    requestId: string,
  ): HookRejection | undefined {
    if (!this.active) return undefined
    const context = this.#context(principal, requestId)
    for (const message of messages) {
      for (const hooks of this.#hooks) {
        const rejection = hooks.onIncoming?.(message, context)
        if (rejection) return rejection
      }
    }
    for (const message of messages) {
      if ('method' in message && 'id' in message) this.#carriedBy.set(message.id, requestId)
    }
    return undefined
  }

  /** Runs `onOutgoing` for a message the server sent. */
  outgoing(message: JSONRPCMessage, principal: Principal, relatedRequestId?: RequestId): void {
    if (!this.active) return
    const related = isResponse(message) ? message.id : relatedRequestId
    const requestId = related === undefined ? '' : (this.#carriedBy.get(related) ?? '')
    if (isResponse(message)) this.#carriedBy.delete(message.id)
    const context = this.#context(principal, requestId)
    for (const hooks of this.#hooks) hooks.onOutgoing?.(message, context)
  }

  #context(principal: Principal, requestId: string): HookContext {
    return {
      era: 'legacy',
      sessionId: this.sessionId,
      transport: this.transport,
      principal,
      requestId,
      env: this.env,
    }
  }
}
