/**
 * @module
 * A session's subscriptions: its place in the hubs of the resources it subscribes to, and the
 * subscribe/unsubscribe handlers the framework installs in its server when the definition
 * declares `resources.subscribe`.
 */
import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
} from '@modelcontextprotocol/server'
import { RPC_ERROR, SUBSCRIPTION_LIMIT_REACHED } from '../src/protocol/json-rpc-error'
import { hubFor } from '../src/shared-resource'
import type { SessionState } from './session-state'

/** What a session's subscriptions are held to. */
export interface SubscriptionTerms {
  /** Whether the definition serves `uri` (a resource's URI, or one a template matches). */
  readonly serves: (uri: string) => boolean
  /** The most resources the session may be subscribed to at once. */
  readonly maxSubscriptions: number
}

/**
 * A session's place in the hubs of the resources it subscribes to: each subscription is kept in
 * the session's storage (so it survives eviction) and at the URI's hub (so a change anywhere
 * reaches the session). The hub calls in flight are known, so a session that ends leaves every
 * hub it joined, including one a subscribe was still joining, and takes no subscription after.
 */
export class SessionHubs {
  readonly #env: unknown
  readonly #state: SessionState
  readonly #sessionId: string
  /** Hub calls under way (subscribes and unsubscribes). */
  readonly #inFlight = new Set<Promise<unknown>>()
  #leaving = false

  constructor(env: unknown, state: SessionState, sessionId: string) {
    this.#env = env
    this.#state = state
    this.#sessionId = sessionId
  }

  /** Whether the session is subscribed to `uri`. */
  subscribed(uri: string): boolean {
    return this.#state.subscribed(uri)
  }

  /** How many resources the session is subscribed to. */
  get count(): number {
    return this.#state.subscriptions().length
  }

  /** Subscribes the session to `uri`; throws once the session is ending. */
  async subscribe(uri: string): Promise<void> {
    if (this.#leaving)
      throw new ProtocolError(ProtocolErrorCode.InvalidRequest, 'Session terminated')
    this.#state.subscribe(uri)
    await this.#track(hubFor(this.#env, uri).subscribe(uri, this.#sessionId))
  }

  /** Unsubscribes the session from `uri` (a URI it does not hold wakes no hub). */
  async unsubscribe(uri: string): Promise<void> {
    if (!this.#state.subscribed(uri)) return
    this.#state.unsubscribe(uri)
    await this.#track(hubFor(this.#env, uri).unsubscribe(this.#sessionId))
  }

  /**
   * Takes the ending session off the hub of every URI it subscribed to, once the hub calls under
   * way are done (a subscribe still joining its hub is left too); subscribes after this throw.
   * Best effort: a hub that still lists the session drops it on its next write, or when its alarm
   * checks its subscribers.
   */
  async leaveAll(): Promise<void> {
    this.#leaving = true
    await Promise.allSettled([...this.#inFlight])
    const uris = this.#state.subscriptions()
    await Promise.allSettled(uris.map((uri) => hubFor(this.#env, uri).unsubscribe(this.#sessionId)))
  }

  /** The session can subscribe again (its storage is gone; a new session may start here). */
  reset(): void {
    this.#leaving = false
  }

  async #track(call: Promise<unknown>): Promise<void> {
    this.#inFlight.add(call)
    try {
      await call
    } finally {
      this.#inFlight.delete(call)
    }
  }
}

/**
 * Answers `resources/subscribe` and `resources/unsubscribe` through the session's `hubs`. A URI
 * the definition does not serve is refused, as is one subscription past the cap.
 */
export function installSubscriptions(
  server: McpServer,
  hubs: SessionHubs,
  terms: SubscriptionTerms,
): void {
  // The SDK checks the params against the method's schema before a handler runs.
  server.server.setRequestHandler('resources/subscribe', async ({ params }) => {
    const { uri } = params
    // The SDK answers an unknown resource with -32602 on every revision (resources/read does too).
    if (!terms.serves(uri)) throw new ResourceNotFoundError(uri)
    if (!hubs.subscribed(uri) && hubs.count >= terms.maxSubscriptions) {
      throw new ProtocolError(RPC_ERROR.internalError, SUBSCRIPTION_LIMIT_REACHED)
    }
    await hubs.subscribe(uri)
    return {}
  })
  server.server.setRequestHandler('resources/unsubscribe', async ({ params }) => {
    await hubs.unsubscribe(params.uri)
    return {}
  })
}
