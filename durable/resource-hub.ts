/**
 * @module
 * ResourceHub: the object that owns one shared resource (one object per URI, so hot resources
 * spread by themselves). It keeps the resource's current value and the ids of the sessions
 * subscribed to it, and when the value changes it tells each of them, so
 * `notifications/resources/updated` reaches subscribers in every session without any global
 * in-memory state.
 *
 * ## Storage layout
 * | key | value |
 * |---|---|
 * | `uri` | the resource's URI |
 * | `value` | its current value (anything structured clone can copy) |
 * | `sub:<sessionId>` | `true` while that session is subscribed |
 *
 * 2026-07-28 `subscriptions/listen` streams have no session: the Worker serving one holds a
 * {@link ResourceHub.watch} stream from each hub it listens to, and gets a line per change.
 * Watches live in memory only, as long as their connection.
 */
import { DurableObject } from 'cloudflare:workers'
import { applyChanges, type SharedChange } from '../src/shared-changes'
import type { FrameworkBindings } from '../src/types'

/** The session objects' RPC that a hub calls. */
interface UpdatableSession {
  resourceUpdated(uri: string): Promise<boolean>
}

const SUB = 'sub:'

/** A watcher that lets this many lines queue unread is dropped (its reader is gone or stuck). */
const MAX_UNREAD = 64

const encoder = new TextEncoder()

/** One shared resource: its value and its subscribers. */
export class ResourceHub extends DurableObject<FrameworkBindings> {
  /** The writers of open watch streams. */
  readonly #watchers = new Set<WritableStreamDefaultWriter<Uint8Array>>()

  /**
   * A stream of this hub's events, one line each (`updated` when the value changed, or what
   * {@link ResourceHub.announce} was told), for as long as the caller reads it. It starts with
   * `ready`, so the caller knows it is in place.
   */
  async watch(): Promise<ReadableStream<Uint8Array>> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
    const writer = writable.getWriter()
    this.#watchers.add(writer)
    writer.closed.catch(() => undefined).finally(() => this.#watchers.delete(writer))
    void writer.write(encoder.encode('ready\n')).catch(() => this.#watchers.delete(writer))
    return readable
  }

  /** How many watch streams are open (for monitoring and tests). */
  async watching(): Promise<number> {
    return this.#watchers.size
  }

  /** Tells every watcher `event` (a hub of announcements, such as list changes); how many. */
  async announce(event: string): Promise<number> {
    return this.#tellWatchers(event)
  }

  #tellWatchers(event: string): number {
    const line = encoder.encode(`${event}\n`)
    for (const writer of this.#watchers) {
      if ((writer.desiredSize ?? 0) < -MAX_UNREAD) {
        this.#watchers.delete(writer)
        void writer.abort().catch(() => undefined)
        continue
      }
      void writer.write(line).catch(() => this.#watchers.delete(writer))
    }
    return this.#watchers.size
  }
  /** Adds a subscriber. */
  async subscribe(uri: string, sessionId: string): Promise<void> {
    this.ctx.storage.kv.put('uri', uri)
    this.ctx.storage.kv.put(SUB + sessionId, true)
  }

  /** Removes a subscriber. */
  async unsubscribe(sessionId: string): Promise<void> {
    this.ctx.storage.kv.delete(SUB + sessionId)
  }

  /** The current value (undefined before the first write). */
  async read(): Promise<unknown> {
    return this.ctx.storage.kv.get('value')
  }

  /**
   * Stores a new value and tells every subscribed session; a session that no longer exists (or
   * no longer listens) is dropped. Returns how many sessions were told.
   */
  async write(uri: string, value: unknown): Promise<number> {
    const kv = this.ctx.storage.kv
    kv.put('uri', uri)
    kv.put('value', value)
    return this.#notify(uri)
  }

  /**
   * Applies `changes` to the value where it lives and stores the result before anything else
   * can run in this object (one RPC, so concurrent updates from many sessions are never lost),
   * then tells the subscribers. Returns the new value. A change that doesn't fit throws, and
   * the stored value is left as it was.
   */
  async update(uri: string, changes: readonly SharedChange[]): Promise<unknown> {
    const kv = this.ctx.storage.kv
    const value = applyChanges(kv.get('value'), changes)
    kv.put('uri', uri)
    kv.put('value', value)
    await this.#notify(uri)
    return value
  }

  /** Tells every subscribed session and watcher that `uri` changed; returns how many sessions. */
  async #notify(uri: string): Promise<number> {
    this.#tellWatchers('updated')
    const kv = this.ctx.storage.kv
    const subscribers = [...kv.list({ prefix: SUB })].map(([key]) => key.slice(SUB.length))
    const namespace = this.env.SESSION_DO as unknown as DurableObjectNamespace<
      UpdatableSession & Rpc.DurableObjectBranded
    >
    const told = await Promise.all(
      subscribers.map(async (sessionId) => {
        const listening = await namespace
          .get(namespace.idFromString(sessionId))
          .resourceUpdated(uri)
          .catch(() => false)
        if (!listening) kv.delete(SUB + sessionId)
        return listening
      }),
    )
    return told.filter(Boolean).length
  }

  /** The ids of the subscribed sessions. */
  async subscribers(): Promise<string[]> {
    return [...this.ctx.storage.kv.list({ prefix: SUB })].map(([key]) => key.slice(SUB.length))
  }
}
