/**
 * @module
 * The plugins' hooks around one session's messages (`src/plugins/hook-runner.ts` runs them): the
 * session's hook context, and which HTTP request carried each request still in flight, so a
 * hook on the way out can name the request a reply belongs to.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server'
import type { HookRunner } from '../src/plugins/hook-runner'
import type { HookContext, HookRejection } from '../src/plugins/plugin'
import { isResponse } from '../src/transports/message-sink'
import type { Principal, SessionKind } from '../src/types'

/** The hooks of one session. */
export class SessionHookRunner {
  readonly #runner: HookRunner
  readonly #carriedBy = new Map<RequestId, string>()

  constructor(
    runner: HookRunner,
    readonly sessionId: string,
    readonly transport: SessionKind,
    readonly env: unknown = {},
  ) {
    this.#runner = runner
  }

  /** Whether any hook is installed (so callers can skip all work when none is). */
  get active(): boolean {
    return this.#runner.active
  }

  /**
   * Runs `onIncoming` for each message of one HTTP request; the first rejection wins and refuses
   * the whole request (nothing of it is remembered).
   */
  incoming(
    messages: readonly JSONRPCMessage[],
    principal: Principal,
    requestId: string,
  ): HookRejection | undefined {
    if (!this.active) return undefined
    const rejection = this.#runner.incoming(messages, this.#context(principal, requestId))
    if (rejection) return rejection
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
    this.#runner.outgoing(message, this.#context(principal, requestId))
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
