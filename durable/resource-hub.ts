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
 * Sessions are told in the background ({@link SessionFanOut}): a write is answered as soon as the
 * value is stored.
 *
 * ## Lifecycle
 * Created by the first subscription or write. A value larger than `SHARED_VALUE_MAX_BYTES` as JSON
 * is refused (the write or update throws, and the stored value stays). A hub that was never
 * written (it holds no value)
 * deletes all its storage when its last subscriber unsubscribes or its session ends, so a
 * subscription leaves nothing behind; a written hub keeps its value for good. While it has
 * subscribers, its alarm comes once per `SESSION_TTL_MS` and drops those whose session no
 * longer listens (one that ended but failed to leave, say; `hub-sweep.ts`); a hub it leaves with
 * neither subscribers nor value deletes its storage then.
 *
 * 2026-07-28 `subscriptions/listen` streams have no session: the Worker serving one holds a
 * WebSocket to each hub it listens to (`GET /watch`, tagged `watch`), and gets a message per
 * change. The sockets are hibernatable, so a hub with open watches but nothing to say can be
 * evicted; its watchers keep their sockets and hear the next change from a fresh instance.
 */
import { DurableObject } from 'cloudflare:workers'
import { readSessionConfig } from '../src/session-config'
import { applyChanges, type SharedChange } from '../src/shared-changes'
import { closeQuietly } from '../src/transports/bridge-frames'
import { utf8Length } from '../src/transports/response-limit'
import type { FrameworkBindings } from '../src/types'
import { type CheckableSessions, goneSessions } from './hub-sweep'
import { SessionFanOut, type UpdatableSessions } from './session-fan-out'

const SUB = 'sub:'

/** The tag of watchers' sockets. */
const WATCH = 'watch'

/** One shared resource: its value and its subscribers. */
export class ResourceHub extends DurableObject<FrameworkBindings> {
  #fanOut: SessionFanOut | undefined
  /** While the alarm checks the subscribers: those that subscribed since (not to be dropped). */
  #renewed: Set<string> | undefined

  constructor(ctx: DurableObjectState, env: FrameworkBindings) {
    super(ctx, env)
    // Answered by the runtime without waking the object, so a Worker may check its watch.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
  }

  /**
   * `GET /watch` with `Upgrade: websocket`: a socket that carries this hub's events, one message
   * each (`updated` when the value changed, or what {@link ResourceHub.announce} was told), for
   * as long as it is open. Its first message is `ready`, so the caller knows it is in place.
   */
  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== '/watch') return new Response(null, { status: 404 })
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response(null, { status: 426, headers: { upgrade: 'websocket' } })
    }
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, [WATCH])
    server.send('ready')
    return new Response(null, { status: 101, webSocket: client })
  }

  /** Watchers send nothing but pings, which the runtime answers. */
  override async webSocketMessage(): Promise<void> {}

  override async webSocketClose(ws: WebSocket): Promise<void> {
    closeQuietly(ws, 1000, 'watch over')
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    closeQuietly(ws, 1000, 'watch over')
  }

  /** How many watch sockets are open (for monitoring and tests). */
  async watching(): Promise<number> {
    return this.#watchers().length
  }

  /** Tells every watcher `event` (a hub of announcements, such as list changes); how many. */
  async announce(event: string): Promise<number> {
    return this.#tellWatchers(event)
  }

  /** Adds a subscriber, and sets the alarm that checks the subscribers if it isn't set. */
  async subscribe(uri: string, sessionId: string): Promise<void> {
    this.ctx.storage.kv.put('uri', uri)
    this.ctx.storage.kv.put(SUB + sessionId, true)
    this.#fanOut?.renewed(sessionId)
    this.#renewed?.add(sessionId)
    await this.#checkLater()
  }

  /**
   * Drops the subscribers whose session no longer listens, then comes back while any remain;
   * a hub left with neither subscribers nor value deletes its storage.
   */
  override async alarm(): Promise<void> {
    const kv = this.ctx.storage.kv
    const uri = kv.get<string>('uri')
    const listed = this.#subscribers()
    if (uri !== undefined && listed.length > 0) {
      const renewed = new Set<string>()
      this.#renewed = renewed
      const gone = await goneSessions(
        this.env.SESSION_DO as unknown as CheckableSessions,
        uri,
        listed,
      ).finally(() => {
        this.#renewed = undefined
      })
      this.#forget(gone.filter((sessionId) => !renewed.has(sessionId)))
    }
    if (this.#subscribers(1).length > 0) await this.#checkLater()
    else if (kv.get('value') === undefined) await this.ctx.storage.deleteAll()
  }

  /**
   * Removes a subscriber. The last one to leave a hub that holds no value takes the hub's
   * storage with it: nothing is left to keep (watchers need none).
   */
  async unsubscribe(sessionId: string): Promise<void> {
    const kv = this.ctx.storage.kv
    kv.delete(SUB + sessionId)
    if (kv.get('value') === undefined && this.#subscribers(1).length === 0) {
      await this.ctx.storage.deleteAll()
    }
  }

  /** The current value (undefined before the first write). */
  async read(): Promise<unknown> {
    return this.ctx.storage.kv.get('value')
  }

  /**
   * Stores a new value, then tells every watcher and (in the background) every subscribed
   * session; a session that no longer exists (or no longer listens) is dropped. Returns how many
   * sessions are being told.
   */
  async write(uri: string, value: unknown): Promise<number> {
    this.#checkSize(value)
    const kv = this.ctx.storage.kv
    kv.put('uri', uri)
    kv.put('value', value)
    return this.#notify(uri)
  }

  /**
   * Applies `changes` to the value where it lives and stores the result before anything else
   * can run in this object (one RPC, so concurrent updates from many sessions are never lost),
   * then tells the subscribers as {@link ResourceHub.write} does. Returns the new value. A change
   * that doesn't fit throws, and the stored value is left as it was.
   */
  async update(uri: string, changes: readonly SharedChange[]): Promise<unknown> {
    const kv = this.ctx.storage.kv
    const value = applyChanges(kv.get('value'), changes)
    this.#checkSize(value)
    kv.put('uri', uri)
    kv.put('value', value)
    this.#notify(uri)
    return value
  }

  /** The ids of the subscribed sessions. */
  async subscribers(): Promise<string[]> {
    return this.#subscribers()
  }

  /**
   * Throws when `value` is larger than `SHARED_VALUE_MAX_BYTES` as JSON: it could never be read
   * back in a response. A value JSON can't encode (a BigInt, a cycle) is left to storage's own
   * limit.
   */
  #checkSize(value: unknown): void {
    const max = readSessionConfig(this.env).maxSharedValueBytes
    let text: string | undefined
    try {
      text = JSON.stringify(value)
    } catch {
      return
    }
    if (text === undefined || text.length * 3 <= max) return
    const bytes = utf8Length(text)
    if (bytes <= max) return
    throw new Error(
      `Shared value too large: ${bytes} bytes as JSON; a shared resource's value may hold at most ${max} bytes (SHARED_VALUE_MAX_BYTES). Nothing was changed.`,
    )
  }

  /** Tells every watcher and subscribed session that `uri` changed; returns how many sessions. */
  #notify(uri: string): number {
    this.#tellWatchers('updated')
    const subscribers = this.#subscribers()
    if (subscribers.length === 0) return 0
    const sessions = this.#sessions(uri)
    // Calls out wait for the value's write anyway (output gate); starting them once it is
    // confirmed lets the writer's answer go first.
    this.ctx.waitUntil(this.ctx.storage.sync().then(() => sessions.tell(subscribers)))
    return subscribers.length
  }

  /** The subscribed sessions' ids (the first `limit` of them, when given). */
  #subscribers(limit?: number): string[] {
    const list = this.ctx.storage.kv.list({ prefix: SUB, ...(limit !== undefined && { limit }) })
    return [...list].map(([key]) => key.slice(SUB.length))
  }

  #sessions(uri: string): SessionFanOut {
    if (this.#fanOut?.uri === uri) return this.#fanOut
    this.#fanOut = new SessionFanOut(uri, {
      sessions: this.env.SESSION_DO as unknown as UpdatableSessions,
      waitUntil: (work) => this.ctx.waitUntil(work),
      forget: (sessionIds) => this.#forget(sessionIds),
    })
    return this.#fanOut
  }

  /** Drops the subscriptions of `sessionIds`, in one transaction. */
  #forget(sessionIds: readonly string[]): void {
    if (sessionIds.length === 0) return
    const kv = this.ctx.storage.kv
    this.ctx.storage.transactionSync(() => {
      for (const sessionId of sessionIds) kv.delete(SUB + sessionId)
    })
  }

  /** Sets the alarm to check the subscribers in a session's TTL, unless it is set. */
  async #checkLater(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) !== null) return
    await this.ctx.storage.setAlarm(Date.now() + readSessionConfig(this.env).ttlMs)
  }

  #watchers(): WebSocket[] {
    return this.ctx.getWebSockets(WATCH).filter((ws) => ws.readyState === WebSocket.OPEN)
  }

  #tellWatchers(event: string): number {
    let told = 0
    for (const ws of this.#watchers()) {
      try {
        ws.send(event)
        told++
      } catch {
        closeQuietly(ws, 1000, 'watch over')
      }
    }
    return told
  }
}
