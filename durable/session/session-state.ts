/**
 * @module
 * Everything a session keeps in its Durable Object's storage, and the only place that knows the
 * keys. Storage is the SQLite-backed synchronous key-value API (`ctx.storage.kv`), so reads cost
 * no round trip and writes are committed with the response that follows them (output gates).
 *
 * ## Storage layout
 * | key | value |
 * |---|---|
 * | `session` | the {@link SessionRecord}: kind, owner, negotiated version, the client's `initialize` params, timestamps |
 * | `app:<key>` | the app's own per-session data ({@link SessionStorage}), e.g. the demo's notes |
 * | `sub:<uri>` | `true` for each resource the client subscribed to (its hub has the session too) |
 * | SQL `mcp_*` tables | the event log, stream states and never-reused counters (`event-log.ts`) |
 * | alarm | the next idle-expiry check or event-log pruning, whichever is first |
 *
 * ## Lifecycle
 * - Created by the `initialize` that starts the session (`POST /mcp` without a session id), before
 *   the server sees the request, so the session exists as soon as its id is handed out. An /sse
 *   session is created by `GET /sse`, and its `initialize` (a later `POST /messages`) fills in
 *   the version and client fields.
 * - Read on every request; memory holds a copy, never the only copy (but for `initialized` until
 *   the first request, below). After an eviction the next request reloads the record and replays
 *   the stored `initialize` into a fresh server.
 * - `lastSeenAt` is refreshed at most once per {@link TOUCH_INTERVAL_MS} to keep the hot path free
 *   of writes.
 * - Setting up a session commits the record twice: at creation, and with its first request,
 *   which also stores `initialized`; until then that notification is kept in memory only, so it
 *   costs no commit of its own. An object torn down in between has lost it: there the first
 *   request other than `ping` stands for it (spec: a client sends it before normal operations).
 * - Ended by `DELETE /mcp`, or by the alarm after `SESSION_TTL_MS` without a request
 *   (`SESSION_UNUSED_TTL_MS` while no request followed `initialize`): at once the session reads
 *   as gone (every call answers 404), then every key, every table and the alarm are deleted.
 */
import type {
  ClientCapabilities,
  Implementation,
  InitializeRequest,
  LoggingLevel,
} from '@modelcontextprotocol/server'
import type { SessionStorage, StorageListOptions } from '../../src/define-mcp-server'
import type { Principal, SessionKind } from '../../src/types'

/** How often, at most, `lastSeenAt` is written. */
export const TOUCH_INTERVAL_MS = 60_000

/** The durable record of one session. */
export interface SessionRecord {
  /** Layout version of this record, for future migrations. */
  readonly schema: 1
  readonly kind: SessionKind
  /** Name of the principal that created the session; only it may use the session. */
  readonly principal: string
  /** What that principal's limits count under, when not its name (auth off: the client's). */
  readonly quotaKey?: string
  /** The revision negotiated at `initialize`; absent on an /sse session until it arrives. */
  readonly protocolVersion?: string
  readonly clientInfo?: Implementation
  readonly clientCapabilities?: ClientCapabilities
  /** The client's `initialize` params (with the negotiated version), replayed after eviction. */
  readonly initializeParams?: InitializeRequest['params']
  /** Whether `notifications/initialized` has arrived. */
  readonly initialized: boolean
  /** The level set by `logging/setLevel`, replayed into a fresh server after eviction. */
  readonly logLevel?: LoggingLevel
  readonly createdAt: number
  readonly lastSeenAt: number
  /**
   * Present from creation until the session's first request after `initialize`: a session no
   * client used (a probe) expires after `SESSION_UNUSED_TTL_MS` instead of `SESSION_TTL_MS`.
   */
  readonly unused?: true
}

/** Typed access to one session's storage. */
export class SessionState {
  static readonly SESSION_KEY = 'session'
  static readonly APP_PREFIX = 'app:'
  static readonly SUBSCRIPTION_PREFIX = 'sub:'

  readonly #kv: SyncKvStorage
  readonly #storage: DurableObjectStorage
  #record: SessionRecord | undefined
  #loaded = false
  /** Set from {@link SessionState.end} until the storage is gone: the session is no more. */
  #ending = false
  /** `notifications/initialized` arrived here but waits for the first request to be stored. */
  #initializedUnsaved = false
  /** Whether this instance created the session (saw all of it), rather than loading its record. */
  #opened = false

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage
    this.#kv = storage.kv
  }

  /** The session record, or undefined when the session doesn't exist (never created, or ended). */
  get record(): SessionRecord | undefined {
    if (this.#ending) return undefined
    if (!this.#loaded) {
      const stored = this.#kv.get<SessionRecord>(SessionState.SESSION_KEY)
      this.#record =
        stored !== undefined && this.#initializedUnsaved ? { ...stored, initialized: true } : stored
      this.#loaded = true
    }
    return this.#record
  }

  /** Drops the cached record, so the next read comes from storage. */
  reload(): void {
    this.#loaded = false
  }

  /** Stores the record of a new session; an /sse session has no `initialize` yet. */
  open(
    kind: SessionKind,
    principal: Principal,
    now: number,
    initializeParams?: InitializeRequest['params'],
  ): void {
    this.#opened = true
    this.#write({
      schema: 1,
      kind,
      principal: principal.name,
      ...(principal.quotaKey !== undefined && { quotaKey: principal.quotaKey }),
      ...(initializeParams && {
        protocolVersion: initializeParams.protocolVersion,
        clientInfo: initializeParams.clientInfo,
        clientCapabilities: initializeParams.capabilities,
        initializeParams,
      }),
      initialized: false,
      createdAt: now,
      lastSeenAt: now,
      unused: true,
    })
  }

  /**
   * Records a request after `initialize`: the session's first one (one write per session), with
   * `initialized` if it arrived before. `normalOperation`: the request is not a `ping`, so (spec)
   * the client sent `notifications/initialized` before it; in an instance that did not see the
   * session start, that stands for a notification an earlier instance may not have stored.
   */
  markUsed(now: number, normalOperation: boolean): void {
    const record = this.record
    if (record === undefined) return
    const initialized = record.initialized || (normalOperation && !this.#opened)
    if (record.unused === undefined && initialized === record.initialized) return
    const { unused: _, ...used } = record
    this.#write({ ...used, initialized, lastSeenAt: now })
  }

  /** Records the client's `initialize` on a session that was created without one (/sse). */
  recordInitialize(params: InitializeRequest['params']): void {
    const record = this.record
    if (record === undefined) return
    this.#write({
      ...record,
      protocolVersion: params.protocolVersion,
      clientInfo: params.clientInfo,
      clientCapabilities: params.capabilities,
      initializeParams: params,
    })
  }

  /**
   * Records that the client sent `notifications/initialized`: at once on a session already used,
   * else with its first request ({@link SessionState.markUsed}), in the same commit.
   */
  markInitialized(): void {
    const record = this.record
    if (record === undefined || record.initialized) return
    if (record.unused) {
      this.#record = { ...record, initialized: true }
      this.#initializedUnsaved = true
      return
    }
    this.#write({ ...record, initialized: true })
  }

  /** Records the session's logging level. */
  setLogLevel(level: LoggingLevel): void {
    const record = this.record
    if (record === undefined || record.logLevel === level) return
    this.#write({ ...record, logLevel: level })
  }

  /**
   * Refreshes `lastSeenAt` when it is older than `interval` (at most {@link TOUCH_INTERVAL_MS}),
   * so the hot path writes at most once per interval.
   */
  touch(now: number, interval = TOUCH_INTERVAL_MS): void {
    const record = this.record
    if (record === undefined || now - record.lastSeenAt < Math.min(interval, TOUCH_INTERVAL_MS)) {
      return
    }
    this.#write({ ...record, lastSeenAt: now })
  }

  /**
   * Ends the session now, in memory: from here on it reads as not existing (every call is
   * answered 404), while {@link SessionState.destroy} deletes what it stored.
   */
  end(): void {
    this.#ending = true
  }

  /** Deletes everything the session stored, and its alarm. */
  async destroy(): Promise<void> {
    this.#ending = true
    this.#record = undefined
    this.#loaded = true
    this.#initializedUnsaved = false
    this.#opened = false
    await this.#storage.deleteAlarm()
    await this.#storage.deleteAll()
    this.#ending = false
  }

  /** Records a subscription to `uri`. */
  subscribe(uri: string): void {
    this.#kv.put(SessionState.SUBSCRIPTION_PREFIX + uri, true)
  }

  /** Forgets a subscription to `uri`. */
  unsubscribe(uri: string): void {
    this.#kv.delete(SessionState.SUBSCRIPTION_PREFIX + uri)
  }

  /** Whether the client is subscribed to `uri`. */
  subscribed(uri: string): boolean {
    return this.#kv.get(SessionState.SUBSCRIPTION_PREFIX + uri) === true
  }

  /** Every URI the client is subscribed to. */
  subscriptions(): string[] {
    const prefix = SessionState.SUBSCRIPTION_PREFIX
    return [...this.#kv.list({ prefix })].map(([key]) => key.slice(prefix.length))
  }

  /** The app's view of the session's storage: its own key space under {@link APP_PREFIX}. */
  appStorage(): SessionStorage {
    const kv = this.#kv
    const prefix = SessionState.APP_PREFIX
    return {
      get: <T>(key: string) => kv.get<T>(prefix + key),
      put: (key, value) => kv.put(prefix + key, value),
      delete: (key) => kv.delete(prefix + key),
      list: <T>(keyPrefix = '', options: StorageListOptions = {}) => {
        const { startAfter, limit } = options
        const entries = new Map<string, T>()
        const page = kv.list<T>({
          prefix: prefix + keyPrefix,
          ...(startAfter !== undefined && { startAfter: prefix + startAfter }),
          ...(limit !== undefined && { limit }),
        })
        for (const [key, value] of page) {
          entries.set(key.slice(prefix.length), value)
        }
        return entries
      },
    }
  }

  #write(record: SessionRecord): void {
    this.#kv.put(SessionState.SESSION_KEY, record)
    this.#record = record
    this.#loaded = true
    this.#initializedUnsaved = false
  }
}
