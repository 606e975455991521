/**
 * @module
 * Settings a session object reads from the Worker's vars, checked with zod once per object start.
 * Every one has a default; a var that is set but invalid throws with its name.
 */
import { z } from 'zod'

const ms = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback)

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback)

const MINUTE = 60_000
const HOUR = 60 * MINUTE

const SessionConfigSchema = z.object({
  /** Interval of `: keepalive` comments on every open SSE stream (checklist A.8: ~15 s). */
  SSE_KEEPALIVE_MS: ms(10, 10 * MINUTE, 15_000),
  /** The `retry:` hint sent with priming events (2025-11-25+): how long a client waits to resume. */
  SSE_RETRY_MS: ms(0, 10 * MINUTE, 1_000),
  /**
   * A reply still without a response after this long becomes a resumable SSE stream, even if
   * the handler sent nothing yet. Applies to sessions at 2025-11-25 or later (priming).
   */
  SSE_AFTER_MS: ms(0, 10 * MINUTE, 1_000),
  /**
   * A reply stream's connection open this long is closed after a `retry:` hint, and the client
   * resumes it (2025-11-25 sessions). 0 turns this off.
   */
  SSE_STREAM_MAX_MS: ms(0, 24 * HOUR, 0),
  /** How long a server→client request (elicitation, sampling, roots) waits for its answer. */
  SERVER_REQUEST_TIMEOUT_MS: ms(100, 24 * HOUR, 60_000),
  /** A session with no request for this long is ended by its alarm. */
  SESSION_TTL_MS: ms(1_000, 365 * 24 * HOUR, 24 * HOUR),
  /**
   * A session whose client sent no request after `initialize` (a probe, such as mcp-remote's on
   * every start) is ended after this long idle instead; never longer than `SESSION_TTL_MS`.
   */
  SESSION_UNUSED_TTL_MS: ms(1_000, 365 * 24 * HOUR, 10 * MINUTE),
  /** A durable handle unused for this long is deleted by its alarm. */
  HANDLE_TTL_MS: ms(1_000, 365 * 24 * HOUR, 24 * HOUR),
  /**
   * The most live durable handles one principal may hold; `handles.create()` past it throws.
   * Every caller is `anonymous` when auth is off, and the quota is then per client address.
   */
  HANDLE_MAX_PER_PRINCIPAL: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Event log caps: count, total bytes of message JSON, and age. */
  EVENT_LOG_MAX_EVENTS: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  EVENT_LOG_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(1024 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  EVENT_LOG_MAX_AGE_MS: ms(1_000, 30 * 24 * HOUR, HOUR),
  /**
   * Legacy HTTP+SSE streams: events an open connection carried, and requests still unanswered,
   * are written together within this long (group commit); events also when the connection
   * closes. 0: each event is logged before its write, each unanswered request before its 202.
   */
  EVENT_LOG_LEGACY_DELAY_MS: ms(0, MINUTE, 1_000),
  /**
   * Legacy HTTP+SSE streams: a response due sooner than this after a progress notification is
   * held back until this long has passed, so the two reach the client in separate reads (SDK
   * SSE clients drop progress that arrives in the same read as its result). 0 turns it off.
   */
  SSE_PROGRESS_GAP_MS: ms(0, 1_000, 20),
  /**
   * The most messages a JSON-RPC batch (2025-03-26 sessions) may hold; a longer one is refused
   * in the Worker before any object wakes, so one request can't occupy a session for long.
   */
  BATCH_MAX_MESSAGES: z.coerce.number().int().min(1).max(10_000).default(100),
  /**
   * The largest JSON-RPC message a session sends, in bytes of its JSON (UTF-8). A response over
   * it is answered by an error of its own (-32603) instead, the rest of its batch as they are; a
   * notification over it is dropped with a warning; a server→client request over it is not
   * sent, and the tool awaiting it gets the error. Every message may go on an SSE stream, whose
   * events the event log keeps one per SQLite row (2 MB at most in production), hence the
   * ceiling; never more than `EVENT_LOG_MAX_BYTES`.
   */
  RESPONSE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(1_900_000)
    .default(1024 * 1024),
  /**
   * The largest value a shared resource (`tool.shared(uri)`) may hold, in bytes of its JSON
   * (UTF-8): a `write()` or `update()` that would make it larger throws, and the value stays as it
   * was. A value must fit in a response to be read (`RESPONSE_MAX_BYTES`), with room to spare
   * for the escaping a resource's text gets; storage keeps 2 MB per value at most.
   */
  SHARED_VALUE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(1_900_000)
    .default(512 * 1024),
  /**
   * The most bytes (UTF-8 JSON) of responses one batch's reply holds in all, at least
   * `RESPONSE_MAX_BYTES`. The reply holds them in memory at once (a JSON reply is sent whole),
   * so a small batch of requests for large results can't make an object hold much more; a
   * response that would pass it is answered by an error of its own (-32603) instead.
   */
  BATCH_REPLY_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  /**
   * Who the home page (`GET /` in a browser) lists the server's tools, resources and prompts
   * to: `auth`, a request that the MCP endpoints' plugin middleware (auth) would let through,
   * so with auth off everyone and with auth on only a request that carries a valid credential;
   * `public`, everyone.
   */
  HOME_PAGE_CATALOG: z.enum(['auth', 'public']).default('auth'),
  /**
   * The most resources one session may be subscribed to (`resources/subscribe`); one more is
   * refused (`-32603` "Subscription limit reached") until the session unsubscribes from one.
   */
  SESSION_MAX_SUBSCRIPTIONS: count(1, 100_000, 100),
  /**
   * 2026-07-28 `subscriptions/listen` streams open at once in one isolate (the SDK's own table
   * size); a listen past it is refused (`-32603` "Subscription limit reached").
   */
  LISTEN_MAX_STREAMS: count(1, 100_000, 1_024),
  /**
   * Listen streams one principal may hold open at once in one isolate. Without auth every
   * caller is the one principal `anonymous`, and this counts per client address.
   */
  LISTEN_MAX_STREAMS_PER_PRINCIPAL: count(1, 100_000, 256),
  /**
   * Hub watches (one WebSocket from the Worker to a resource's hub, per resource per stream,
   * plus one for list changes) open at once in one isolate, over all listen streams. Each costs
   * about 0.1 MiB (both ends, measured in workerd), against an isolate's 128 MB.
   */
  LISTEN_MAX_HUB_WATCHES: count(1, 1_000_000, 1_000),
  /** Hub watches one principal's listen streams may hold at once in one isolate. */
  LISTEN_MAX_HUB_WATCHES_PER_PRINCIPAL: count(1, 1_000_000, 500),
  /**
   * The most fixed-URI resources one listen request watches; later ones are left out of its
   * acknowledgement.
   */
  LISTEN_MAX_RESOURCES: count(0, 10_000, 100),
  /**
   * The most URIs matched by a resource template (any number of hubs can be named that way)
   * that one listen request watches; later ones are left out of its acknowledgement.
   */
  LISTEN_MAX_TEMPLATED: count(0, 10_000, 10),
  /**
   * The secret that signs 2026-07-28 `requestState` (input_required rounds), 32 bytes or more
   * (`wrangler secret put`). Unset, a key minted once and kept in a `RequestStateDO` signs them,
   * the same in every isolate; set it to choose the key, or to rotate it.
   */
  REQUEST_STATE_KEY: z
    .string()
    .refine((key) => new TextEncoder().encode(key).byteLength >= 32, 'must be 32 bytes or more')
    .optional(),
})

/** The settings of a session object. */
export interface SessionConfig {
  readonly keepaliveMs: number
  readonly retryMs: number
  readonly sseAfterMs: number
  /** 0 when connections are never closed early. */
  readonly streamMaxMs: number
  readonly ttlMs: number
  /** The TTL of a session with no request after `initialize` (at most `ttlMs`). */
  readonly unusedTtlMs: number
  readonly handleTtlMs: number
  /** The most live handles a principal may hold. */
  readonly handleMaxPerPrincipal: number
  readonly requestTimeoutMs: number
  /** 0 when legacy-stream events are logged before they are written. */
  readonly legacyLogDelayMs: number
  /** How long a legacy stream's response stays apart from a progress notification before it. */
  readonly progressGapMs: number
  /** The most messages a batch may hold. */
  readonly maxBatch: number
  /** The largest message sent (UTF-8 bytes of its JSON); at most the event log's byte cap. */
  readonly maxResponseBytes: number
  /** The most bytes of responses one batch's reply holds in all; at least `maxResponseBytes`. */
  readonly maxReplyBytes: number
  /** The largest value a shared resource may hold (UTF-8 bytes of its JSON). */
  readonly maxSharedValueBytes: number
  /** The most resources one session may be subscribed to. */
  readonly maxSubscriptions: number
  /** What `subscriptions/listen` may hold (streams and hub watches, per isolate). */
  readonly listen: ListenLimits
  /** The `requestState` signing secret, when set. */
  readonly requestStateKey: string | undefined
  /** Who the home page lists the catalogue to: signed-in requests, or everyone. */
  readonly homePageCatalog: 'auth' | 'public'
  readonly log: { readonly maxEvents: number; readonly maxBytes: number; readonly maxAgeMs: number }
}

/** What 2026-07-28 listen streams may hold in one isolate, and take per request. */
export interface ListenLimits {
  readonly maxStreams: number
  readonly maxStreamsPerPrincipal: number
  readonly maxHubWatches: number
  readonly maxHubWatchesPerPrincipal: number
  /** Per request: fixed-URI resources, and URIs matched by a template. */
  readonly maxResources: number
  readonly maxTemplated: number
}

/** The names of the vars read, for documentation and tests. */
export const SESSION_CONFIG_VARS = Object.keys(SessionConfigSchema.shape)

/** Settings already read, per `env` object (every object of an isolate shares one). */
const read = new WeakMap<object, SessionConfig>()

/** Reads the session settings from `env` (the Worker's bindings and vars). */
export function readSessionConfig(env: unknown): SessionConfig {
  const source = typeof env === 'object' && env !== null ? env : {}
  const cached = read.get(source)
  if (cached) return cached
  const config = parseSessionConfig(source)
  read.set(source, config)
  return config
}

function parseSessionConfig(source: object): SessionConfig {
  const vars = Object.fromEntries(
    SESSION_CONFIG_VARS.map((name) => [name, Reflect.get(source, name)]),
  )
  const parsed = SessionConfigSchema.safeParse(vars)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`Invalid ${issue?.path.join('.')}: ${issue?.message}`)
  }
  const c = parsed.data
  const maxResponseBytes = Math.min(c.RESPONSE_MAX_BYTES, c.EVENT_LOG_MAX_BYTES)
  return {
    keepaliveMs: c.SSE_KEEPALIVE_MS,
    retryMs: c.SSE_RETRY_MS,
    sseAfterMs: c.SSE_AFTER_MS,
    streamMaxMs: c.SSE_STREAM_MAX_MS,
    ttlMs: c.SESSION_TTL_MS,
    unusedTtlMs: Math.min(c.SESSION_UNUSED_TTL_MS, c.SESSION_TTL_MS),
    handleTtlMs: c.HANDLE_TTL_MS,
    handleMaxPerPrincipal: c.HANDLE_MAX_PER_PRINCIPAL,
    requestTimeoutMs: c.SERVER_REQUEST_TIMEOUT_MS,
    legacyLogDelayMs: c.EVENT_LOG_LEGACY_DELAY_MS,
    progressGapMs: c.SSE_PROGRESS_GAP_MS,
    maxBatch: c.BATCH_MAX_MESSAGES,
    maxResponseBytes,
    maxReplyBytes: Math.max(c.BATCH_REPLY_MAX_BYTES, maxResponseBytes),
    maxSharedValueBytes: c.SHARED_VALUE_MAX_BYTES,
    maxSubscriptions: c.SESSION_MAX_SUBSCRIPTIONS,
    listen: {
      maxStreams: c.LISTEN_MAX_STREAMS,
      maxStreamsPerPrincipal: c.LISTEN_MAX_STREAMS_PER_PRINCIPAL,
      maxHubWatches: c.LISTEN_MAX_HUB_WATCHES,
      maxHubWatchesPerPrincipal: c.LISTEN_MAX_HUB_WATCHES_PER_PRINCIPAL,
      maxResources: c.LISTEN_MAX_RESOURCES,
      maxTemplated: c.LISTEN_MAX_TEMPLATED,
    },
    requestStateKey: c.REQUEST_STATE_KEY,
    homePageCatalog: c.HOME_PAGE_CATALOG,
    log: {
      maxEvents: c.EVENT_LOG_MAX_EVENTS,
      maxBytes: c.EVENT_LOG_MAX_BYTES,
      maxAgeMs: c.EVENT_LOG_MAX_AGE_MS,
    },
  }
}
